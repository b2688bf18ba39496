"""Asylum where people arrive, Dublin transfers and movements inside the EU
(sim/model/asylum.py), on the real network."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_model

from sim.agents.population import Status
from sim.network import load_network

NET = load_network()
QUICK = {"asylum_processing_days": 20, "return_delay_days": 10, "return_capacity_per_day": 5000}


def run(overrides: dict | None = None, days: int = 150, seed: int = 2):
    model = make_model({**QUICK, **(overrides or {})}, days=days, scale=0.01, seed=seed)
    model.run()
    return model


def split(model, metric: str, by: str) -> dict[str, float]:
    """Persons of ``metric`` over the run, all routes, by category of ``by``."""
    table = model.outcomes.breakdown_frame("test", model.seed)
    part = table[(table["route"] == "all") & (table["metric"] == metric) & (table["by"] == by)]
    return dict(zip(part["category"], part["value"], strict=True))


@pytest.fixture(scope="module")
def baseline():
    return run(days=200)


def _land(model, leg_id: str, n: int = 50) -> np.ndarray:
    """Put ``n`` people in transit on ``leg_id`` so that it ends tomorrow; return their ids."""
    pop, c = model.population, model.net.compiled
    ids = np.flatnonzero(pop.status == Status.WORKING)[:n]
    k = model.net.leg_index[leg_id]
    pop.set_status(ids, Status.ON_LEG)
    pop.leg[ids], pop.place[ids], pop.next_day[ids] = k, c.leg_source[k], model.day
    return ids


@pytest.mark.parametrize("leg", ["tripoli-malta", "tripoli_lebanon-cyprus", "mersin-cyprus"])
def test_arrivals_in_malta_and_cyprus_can_claim_asylum_there(leg):
    safe = {"interception_rate": {"LBY_W": 0.0, "LBN": 0.0, "TUR": 0.0}}
    model = make_model(
        {**safe, "pushback_probability": {"MLT": 0.0, "CYP": 0.0}}, days=5, warmup=120
    )
    while model.day < 1:  # through the warm-up, which puts people to work on the routes
        model.step()
    ids = _land(model, leg)
    model.step()
    pop, c = model.population, model.net.compiled
    arrived = ids[pop.place[ids] == c.leg_target[model.net.leg_index[leg]]]
    claimed = arrived[pop.status[arrived] == Status.ASYLUM_PENDING]
    assert len(arrived) > 40 and len(claimed) > 0.8 * len(arrived)  # Malta and Cyprus: 0.9
    state = NET.state_ids[c.place_state[pop.place[claimed[0]]]]
    assert state in ("MLT", "CYP") and np.all(pop.dublin_state[claimed] == NET.state_index[state])


def test_claims_are_lodged_where_people_are_entry_states_included(baseline):
    claims = split(baseline, "asylum_applications", "state")
    assert {"ITA", "GRC", "ESP", "DEU", "FRA"} <= set(claims)


def test_nobody_claims_in_hungary_which_takes_claims_only_at_its_embassies(baseline):
    assert split(baseline, "asylum_applications", "state").get("HUN", 0) == 0


def test_people_claim_outside_their_intended_state_only_by_the_states_share():
    nobody = {s["id"]: 0.0 for s in NET.states if s["eu_member"] and s["id"] != "EU"}
    model = run({"claim_at_entry_share": nobody, "dublin_transfer_rate": 0.0}, days=180)
    pop, c = model.population, model.net.compiled
    claimed = np.isin(pop.status, [Status.ASYLUM_PENDING, Status.PROTECTED, Status.RETURN_ORDERED])
    where = c.place_state[pop.place[claimed]]
    intended = c.place_state[pop.destination[claimed]]
    assert claimed.sum() > 100 and np.all(where == intended)


def test_dublin_transfers_send_people_back_to_the_state_responsible():
    never = run({"dublin_transfer_rate": 0.0}, days=150)
    always = run({"dublin_transfer_rate": 1.0}, days=150)
    assert split(never, "dublin_transfers", "state") == {}
    transfers = split(always, "dublin_transfers", "state")
    assert sum(transfers.values()) > 500
    # Transfers go to the states people enter first: Italy, Greece, Spain...
    assert max(transfers, key=transfers.get) in {"ITA", "GRC", "ESP", "BGR", "HRV"}
    dest = split(always, "asylum_applications", "state")
    base = split(never, "asylum_applications", "state")
    assert dest.get("DEU", 0) < base.get("DEU", 0)  # fewer claims stay in Germany


def test_some_claimants_leave_their_claim_for_another_state():
    everyone = [s["id"] for s in NET.states if s["eu_member"] and s["id"] != "EU"]
    stay = run({"secondary_movement_share": {s: 0.0 for s in everyone}}, days=150)
    leave = run({"secondary_movement_share": {"ITA": 1.0, "GRC": 1.0, "ESP": 1.0}}, days=150)
    assert split(stay, "secondary_movements", "reason").get("claim_pending", 0) == 0
    assert split(leave, "secondary_movements", "reason")["claim_pending"] > 500
    assert split(leave, "secondary_movements", "state")["ITA"] > 100


def test_irregular_stay_is_not_final_people_move_on_and_claim_again():
    quick = {"irregular_stay_review_days": 10, "onward_movement_after_rejection": 1.0}
    model = run(quick, days=200)
    reasons = split(model, "secondary_movements", "reason")
    assert reasons.get("after_rejection", 0) > 50
    pop = model.population
    again = pop.rejected & np.isin(pop.status, [Status.ASYLUM_PENDING, Status.PROTECTED])
    assert again.sum() > 0  # rejected once, claiming (or protected) again elsewhere
    stayers = run({"irregular_stay_review_days": 10, "onward_movement_after_rejection": 0.0})
    assert split(stayers, "secondary_movements", "reason").get("after_rejection", 0) == 0
