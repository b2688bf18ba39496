"""Compiling the day's per-leg rates from states' conduct and the policies' modifiers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.states import Conduct
from sim.config.parameters import build_parameters
from sim.network import MODES, load_network
from sim.rules.rates import MAX_PULLBACK, Modifiers, baseline_rescue_by_leg, compile_leg_rates

NET = load_network()
C = NET.compiled
PARAMS = build_parameters(NET)
LEG = NET.leg_index


def _rates(conduct: Conduct | None = None, mods: Modifiers | None = None):
    conduct = conduct or Conduct.from_parameters(PARAMS, NET)
    mods = mods or Modifiers(C.n_legs, len(NET.state_ids), C.n_places, len(NET.nationalities))
    return compile_leg_rates(
        C, conduct, baseline_rescue_by_leg(C, PARAMS.baseline_rescue_share), np.ones(C.n_legs),
        mods, PARAMS.boarding_refusal_rate,
    )  # fmt: skip


def test_transit_states_intercept_on_their_border_legs_times_their_effort():
    conduct = Conduct.from_parameters(PARAMS, NET)
    libya = NET.state_index["LBY_W"]
    conduct.interception[libya] = 0.2
    conduct.effort[libya] = 1.5
    rates = _rates(conduct)
    assert rates.pullback[LEG["zuwara-lampedusa"]] == pytest.approx(0.3)
    # A leg inside a state, crossing no border, has no pullback.
    assert rates.pullback[~C.leg_border].max() == 0.0


def test_eu_states_apprehend_and_push_back_only_on_legs_entering_the_eu():
    conduct = Conduct.from_parameters(PARAMS, NET)
    hungary = NET.state_index["HUN"]
    conduct.apprehension[hungary], conduct.pushback[hungary] = 0.7, 0.6
    rates = _rates(conduct)
    assert rates.apprehension[LEG["subotica-szeged"]] == pytest.approx(0.7)
    assert rates.pushback[LEG["subotica-szeged"]] == pytest.approx(0.6)
    assert rates.apprehension[~C.leg_eu_entry].max() == 0.0
    assert rates.pushback[~C.leg_eu_entry].max() == 0.0


def test_modifiers_multiply_floor_and_override_within_bounds():
    mods = Modifiers(C.n_legs, len(NET.state_ids), C.n_places, len(NET.nationalities))
    sfax, szeged = LEG["sfax-lampedusa"], LEG["subotica-szeged"]
    mods.pullback_multiplier[sfax] = 100.0
    mods.pullback_floor[LEG["zuwara-lampedusa"]] = 0.9
    mods.pushback_override[szeged] = 0.0
    mods.rescue_strength[sfax] = 0.5
    # Hungary pushes back at its 2023 rate (the baseline's block; the parameter has none).
    conduct = Conduct.from_parameters(PARAMS, NET)
    conduct.pushback[NET.state_index["HUN"]] = 0.6
    base, rates = _rates(conduct), _rates(conduct, mods=mods)
    assert rates.pullback[sfax] == MAX_PULLBACK
    assert rates.pullback[LEG["zuwara-lampedusa"]] == 0.9
    assert rates.pushback[szeged] == 0.0 < base.pushback[szeged]
    assert rates.rescue_share[sfax] == pytest.approx(
        base.rescue_share[sfax] + 0.5 * (1 - base.rescue_share[sfax])
    )
    untouched = np.ones(C.n_legs, dtype=bool)
    untouched[[sfax, szeged, LEG["zuwara-lampedusa"]]] = False
    assert np.array_equal(rates.pullback[untouched], base.pullback[untouched])


def test_nobody_is_intercepted_on_a_flight_whatever_the_policies():
    conduct = Conduct.from_parameters(PARAMS, NET)
    conduct.interception[:] = 0.9
    mods = Modifiers(C.n_legs, len(NET.state_ids), C.n_places, len(NET.nationalities))
    mods.pullback_multiplier[:] = 5.0
    mods.pullback_floor[:] = 0.8
    rates = _rates(conduct, mods)
    flights = C.leg_mode == MODES.index("air")
    assert rates.pullback[flights].max() == 0.0
    assert rates.pullback[LEG["sfax-lampedusa"]] == MAX_PULLBACK
    # Border flights have boarding checks instead, counted apart; other legs have none.
    assert rates.refusal[LEG["abidjan-tunis"]] == pytest.approx(0.02)
    assert rates.refusal[LEG["malta-rome"]] == pytest.approx(0.4)
    assert rates.refusal[~(flights & C.leg_border)].max() == 0.0
