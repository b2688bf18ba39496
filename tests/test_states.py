"""States and the EU are the truth of their conduct, and respond to pressure."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_model, run_summary

from sim.agents.states import EFFORT_RANGE


def test_a_state_agents_conduct_is_what_its_legs_see():
    model = make_model(days=1)
    libya = next(s for s in model.states if s.code == "LBY_W")
    libya.interception_rate = 0.77
    assert model.conduct.interception[libya.index] == 0.77
    model.step()
    leg = model.net.leg_index["zuwara-lampedusa"]
    assert model.rates.pullback[leg] == pytest.approx(0.77 * libya.effort)


def test_changing_state_agents_changes_outcomes():
    base = make_model(days=120, warmup=180, check=False)
    strict = make_model(days=120, warmup=180, check=False)
    for state in strict.states:
        if state.code in ("LBY_W", "LBY_E", "TUN"):
            state.interception_rate = 0.9
    before, after = run_summary(base), run_summary(strict)

    def stopped(run):
        return run[("central_med", "interceptions")] / run[("central_med", "attempts")]

    # (Interceptions per attempt on the whole route: land crossings, not policed by these two,
    # dilute the rise.)
    assert stopped(after) > 1.6 * stopped(before)
    assert after[("central_med", "arrivals")] < 0.7 * before[("central_med", "arrivals")]


def test_the_eus_return_capacity_bounds_returns():
    fast = {"asylum_processing_days": 5, "return_delay_days": 5}
    open_ = make_model(fast, days=120, check=False)
    closed = make_model(fast, days=120, check=False)
    closed.eu.return_capacity_per_day = 0.0
    assert run_summary(open_)[("all", "returns")] > 0
    assert run_summary(closed)[("all", "returns")] == 0


def test_eu_border_states_step_up_effort_under_pressure_within_bounds():
    model = make_model(days=1)
    greece = next(s for s in model.states if s.code == "GRC")
    turkey = next(s for s in model.states if s.code == "TUR")
    for arrivals in (1000.0, 1000.0, 1500.0):
        greece.update_stance(arrivals, response=0.4)
        turkey.update_stance(arrivals, response=0.4)
    assert greece.effort == pytest.approx(1 + 0.4 * (1500 / 1000 - 1))
    assert turkey.effort == 1.0  # only EU border states respond so far
    greece.update_stance(1e9, response=0.4)
    assert greece.effort == EFFORT_RANGE[1]
    greece.update_stance(0.0, response=0.4)
    assert greece.effort == pytest.approx(max(1 - 0.4, EFFORT_RANGE[0]))


def test_the_monthly_stance_follows_arrivals_over_the_states_legs():
    model = make_model(days=61, scale=0.02, check=False)
    model.run()
    spain = next(s for s in model.states if s.code == "ESP")
    assert len(spain.arrivals_history) == 2  # reviewed on days 30 and 60
    legs = np.flatnonzero(model.net.compiled.leg_eu_state == spain.index)
    assert spain.arrivals_history[0] > 0 and len(legs) > 0


def test_the_models_day_is_mesas_step_count():
    model = make_model(days=10)
    assert model.day == model.steps == 0
    for n in range(1, 4):
        model.step()
        assert model.day == model.steps == n
        assert (model.date - model.start_date).days == n
    model.run()
    assert model.steps == model.day == 10 and not model.running
