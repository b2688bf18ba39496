"""A result kept while its input arrays hold the same values (sim/rules/memo.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rules.memo import ValueMemo


def test_equal_values_give_the_kept_result_and_changed_ones_a_new_one():
    memo, calls = ValueMemo(), []

    def doubled(a: np.ndarray):
        return lambda: calls.append(1) or a * 2.0

    a = np.array([1.0, 2.0])
    first = memo.get((a,), doubled(a))
    again = memo.get((a.copy(),), doubled(a))  # another array, the same values
    assert again is first and len(calls) == 1
    a[0] = 5.0  # changed in place: worked out again
    assert memo.get((a,), doubled(a)).tolist() == [10.0, 4.0] and len(calls) == 2


def test_a_kept_result_is_read_only_tuples_included():
    memo = ValueMemo()
    pair = memo.get((np.zeros(2),), lambda: (np.ones(2), np.ones(3)))
    for array in pair:
        with pytest.raises(ValueError):
            array[0] = 2.0


def test_it_keeps_at_most_size_results():
    memo, calls = ValueMemo(size=2), []
    inputs = [np.array([float(k)]) for k in range(3)]
    for a in [*inputs, inputs[0]]:
        memo.get((a,), lambda a=a: calls.append(1) or a + 1.0)
    # The third cleared the two kept, so the first is worked out again.
    assert len(calls) == 4
    assert memo.get((inputs[0],), lambda: calls.append(1) or inputs[0]) == 1.0
    assert len(calls) == 4
