"""The end of a leg, alone (sim/rules/movement.py): each hazard in its order, with its odds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rules.movement import Outcome, distress_probability, leg_outcomes

N = 200_000


def _outcomes(pullback=0.0, apprehension=0.0, pushback=0.0, death_risk=0.0, rescue=0.0,
              baseline_rescue=0.0, multiplier=1.0, refusal=0.0, seed=3):  # fmt: skip
    """Outcomes of N people finishing one leg with the given per-leg values."""
    one = lambda v: np.array([float(v)])  # noqa: E731
    uniforms = np.random.default_rng(seed).random((4, N))
    return leg_outcomes(
        np.zeros(N, dtype=np.int64), one(death_risk), one(baseline_rescue), one(rescue),
        one(multiplier), one(pullback), one(apprehension), one(pushback), uniforms,
        refusal=one(refusal),
    )  # fmt: skip


def share(outcome: np.ndarray, kind: Outcome) -> float:
    return float((outcome == kind).mean())


def test_with_no_hazard_everyone_arrives():
    assert share(_outcomes(), Outcome.ARRIVED) == 1.0


def test_pullback_comes_first_and_stops_every_later_hazard():
    out = _outcomes(pullback=0.3, apprehension=1.0, pushback=1.0, death_risk=0.05)
    assert share(out, Outcome.PULLED_BACK) == pytest.approx(0.3, abs=0.005)
    # Of the 70% not pulled back: 5% die, the rest are all pushed back; nobody arrives.
    assert share(out, Outcome.DEAD) == pytest.approx(0.7 * 0.05, abs=0.003)
    assert share(out, Outcome.PUSHED_BACK) == pytest.approx(0.7 * 0.95, abs=0.005)
    assert share(out, Outcome.ARRIVED) == 0.0


def test_distress_backs_out_the_baseline_rescue_and_more_rescue_saves_more():
    # The data's death risk (2%) is observed with a baseline rescue of 60%: 5% get into distress.
    base = _outcomes(death_risk=0.02, baseline_rescue=0.6, rescue=0.6)
    assert share(base, Outcome.DEAD) == pytest.approx(0.02, abs=0.001)
    assert share(base, Outcome.RESCUED) == pytest.approx(0.03, abs=0.002)
    more = _outcomes(death_risk=0.02, baseline_rescue=0.6, rescue=0.9)
    assert share(more, Outcome.DEAD) == pytest.approx(0.005, abs=0.0006)
    assert share(more, Outcome.RESCUED) + share(more, Outcome.DEAD) == pytest.approx(
        0.05, abs=0.002
    )


def test_riskier_craft_multiply_distress():
    out = _outcomes(death_risk=0.01, multiplier=3.0)
    assert share(out, Outcome.DEAD) == pytest.approx(0.03, abs=0.002)


def test_pushback_is_apprehension_times_expulsion():
    out = _outcomes(apprehension=0.8, pushback=0.5)
    assert share(out, Outcome.PUSHED_BACK) == pytest.approx(0.4, abs=0.005)


def test_distress_probability_never_divides_by_near_total_rescue():
    p = distress_probability(np.array([0.01, 0.01]), np.ones(2), np.array([0.5, 0.999]))
    assert p.tolist() == pytest.approx([0.02, 0.2])


def test_a_refused_passenger_meets_no_later_hazard():
    out = _outcomes(refusal=0.2, death_risk=0.05, apprehension=1.0, pushback=0.5)
    assert share(out, Outcome.REFUSED) == pytest.approx(0.2, abs=0.004)
    assert share(out, Outcome.DEAD) == pytest.approx(0.8 * 0.05, abs=0.002)
    assert share(out, Outcome.PUSHED_BACK) == pytest.approx(0.8 * 0.95 * 0.5, abs=0.005)
