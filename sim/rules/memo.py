"""Results kept while the arrays they were worked out from hold the same values.

Some values the model asks for every day change only at monthly reviews or when a policy
starts (a state's shifted rates, the market's leg prices, the legal alternatives at origins).
A :class:`ValueMemo` keeps such a result by the values of its inputs and gives it back,
read-only, while they are the same: a caller that writes into it fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


class ValueMemo:
    """The results of one computation by the values of its input arrays (at most ``size`` of
    them, all forgotten when full: a few inputs that take turns)."""

    def __init__(self, size: int = 1) -> None:
        self.size = size
        self._kept: dict[tuple[Any, ...], Any] = {}

    def get(self, inputs: tuple[np.ndarray, ...], compute: Callable[[], T]) -> T:
        """``compute()``'s result for these ``inputs``: kept from an earlier call with equal
        values, or worked out now and kept (its arrays made read-only)."""
        key = tuple((a.shape, a.tobytes()) for a in inputs)
        result = self._kept.get(key)
        if result is None:
            if len(self._kept) >= self.size:
                self._kept.clear()
            result = self._kept[key] = compute()
            for array in result if isinstance(result, tuple) else (result,):
                array.flags.writeable = False
        return result
