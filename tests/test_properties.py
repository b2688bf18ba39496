"""Invariants that must hold for any parameters and any mix of policies (property-based).

Hypothesis draws parameter sets and policy mixes (with random windows) and runs short models
day by day with the conservation check on; after every day the test recounts, from the people
themselves and the network's data, what the model reports, and checks identities between the
counters:

- people are conserved (``assert_conserved``, run by the model every day);
- the stranded, settled, waiting-for-a-seat and detained stocks equal a recount of the people
  at transit places, claims pending and irregular stay a recount by entry route, and the
  per-country stocks add up to the per-route ones;
- every return order (a decision, or one resumed after a Dublin transfer) is carried out, still
  pending, or not carried out: ``return_decisions + return_orders_resumed = returns + absconded
  + return orders pending``;
- irregular stay is not final: the people staying irregularly are those whose order was not
  carried out, less those who moved on since (``absconded - secondary movements after a
  rejection``);
- only people whose state does not fully cooperate abscond (a person whose state takes back
  everyone ordered to leave is never marked absconded, whatever the return capacity);
- everyone ever counted as entering the EU for the first time carries an entry day;
- the tally of legal admissions by pathway adds up to the ``legal_admissions`` flow;
- flows and stocks are never negative, and people never outnumber crossings;
- nobody is counted as returned voluntarily who was not counted in ``voluntary_returns``.

Each run has a warm-up of a random length (its flows count in the conservation check, not in
the run's tables).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from conftest import make_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.agents.population import NEVER, STRANDED_STATUSES, Status
from sim.network import ROUTE_SLOTS, ROUTES, load_network
from sim.outputs.counters import FLOW_INDEX, STOCK_INDEX
from sim.outputs.metrics import REASONS

NET = load_network()
START = dt.date(2023, 1, 1)
PROBABILITY = st.floats(0.0, 1.0)


@st.composite
def parameters(draw) -> dict:
    """A parameter set: some states' conduct (cooperation often exactly 0 or 1), capacities,
    and the pace of asylum, returns and movements inside the EU."""
    cooperation = st.one_of(st.just(0.0), st.just(1.0), PROBABILITY)
    return {
        "interception_rate": {
            s: draw(st.floats(0, 0.95)) for s in ("LBY_W", "LBY_E", "TUN", "TUR", "MAR")
        },
        "pushback_probability": {s: draw(PROBABILITY) for s in ("HRV", "HUN", "GRC", "ESP")},
        "readmission_cooperation": {
            s: draw(cooperation) for s in ("MAR", "TUN", "SEN", "AFG", "SYR", "PAK", "TUR")
        },
        "smuggler_capacity_per_day": {m: draw(st.floats(0, 400)) for m in ("land", "sea")},
        "give_up_base": draw(st.floats(0, 0.05)),
        "asylum_processing_days": draw(st.floats(0, 40)),
        "return_delay_days": draw(st.floats(0, 30)),
        "return_capacity_per_day": draw(st.sampled_from([0.0, 5.0, 50.0, 5000.0])),
        "remigration_probability": draw(PROBABILITY),
        "remigration_delay_days": draw(st.floats(0, 20)),
        "smuggler_arrest_rate": {"LBY_W": draw(PROBABILITY)},
        "rival_replacement_days": draw(st.integers(0, 60)),
        "irregular_stay_review_days": draw(st.floats(1, 30)),
        "onward_movement_after_rejection": draw(PROBABILITY),
        "dublin_transfer_rate": draw(PROBABILITY),
        "secondary_movement_days": draw(st.floats(0, 20)),
        "settle_probability": {s: draw(PROBABILITY) for s in ("LBY_W", "TUN", "MAR")},
        "settled_resume_rate": {"LBY_W": draw(st.floats(0, 20))},
        "voluntary_return_rate": {s: draw(st.floats(0, 20)) for s in ("LBY_E", "NER")},
        "seat_patience_days": draw(st.integers(1, 40)),
        "news_lag_days": draw(st.integers(0, 40)),
        "warmup_days": draw(st.integers(0, 30)),
    }


def _window(draw, days: int) -> dict:
    first = draw(st.integers(0, days - 1))
    last = draw(st.integers(first, days - 1))
    day = lambda n: (START + dt.timedelta(days=n)).isoformat()  # noqa: E731
    return {"start": day(first), "end": day(last)}


@st.composite
def policy_mix(draw, days: int) -> list[dict]:
    """A few policy blocks of different levers, each with random settings and window."""
    pool = [
        {"type": "pushbacks", "states": ["HRV", "BGR"], "probability": draw(PROBABILITY),
         "places_back": draw(st.integers(1, 3))},
        {"type": "departure_prevention", "state": "TUN", "interception_rate": draw(PROBABILITY),
         "detention_days": draw(st.integers(0, 40)), "payment_eur": 1e6},
        {"type": "readmission_deal", "partner": "TUR", "cooperation": draw(PROBABILITY),
         "third_country_nationals": draw(st.booleans()), "lag_days": draw(st.integers(0, 30))},
        {"type": "search_and_rescue", "routes": ["central_med"], "strength": draw(PROBABILITY),
         "capacity": draw(st.floats(0, 500))},
        {"type": "safe_mobility_office", "places": ["agadez", "tripoli"],
         "awareness": draw(PROBABILITY), "capacity_per_month": draw(st.integers(0, 5000)),
         "processing_days": draw(st.integers(0, 30)), "max_wait_days": draw(st.integers(1, 40))},
        {"type": "legal_pathway", "kind": draw(st.sampled_from(["labour", "resettlement"])),
         "from": ["kabul", "istanbul"], "quota_per_year": draw(st.integers(0, 50000))},
        {"type": "anti_smuggling", "states": ["LBY_W"], "arrest_rate": draw(PROBABILITY),
         "replacement_days": draw(st.integers(0, 60))},
        {"type": "visa_leverage", "target": "SEN", "strength": draw(PROBABILITY)},
        {"type": "voluntary_return", "states": ["LBY_W", "NER"], "take_up": draw(PROBABILITY),
         "places_per_year": draw(st.sampled_from([None, 0, 1000, 100000])),
         "reintegration_support": draw(PROBABILITY)},
        {"type": "crackdown", "state": draw(st.sampled_from(["TUN", "LBY_W"])),
         "expulsion_rate": draw(PROBABILITY), "expelled_to": ["zuwara", "tamanrasset"],
         "resume_multiplier": draw(st.floats(0, 5)), "wage_multiplier": draw(PROBABILITY)},
    ]  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(range(len(pool))), max_size=4, unique=True))
    return [{**pool[k], **_window(draw, days)} for k in chosen]


def _first_route(place: dict) -> int:
    """A place's route slot as docs/model.md defines it (its lowest route index)."""
    return min(ROUTES.index(r) for r in place["routes"]) if place["routes"] else len(ROUTES)


PLACE_ROUTE = np.array([_first_route(p) for p in NET.places])
TRANSIT_PLACE = np.array(
    [p["kind"] != "origin" and not NET.states[NET.state_index[p["country"]]]["eu_member"]
     for p in NET.places]
)  # fmt: skip


def _recount(model, statuses: list[Status]) -> np.ndarray:
    """People in ``statuses`` at transit places, per route slot, counted from the people."""
    pop = model.population
    people = pd.DataFrame({"status": pop.status, "place": pop.place})
    here = people[people.status.isin([int(s) for s in statuses]) & TRANSIT_PLACE[people.place]]
    counts = here.groupby(PLACE_ROUTE[here.place]).size()
    return counts.reindex(range(ROUTE_SLOTS), fill_value=0).to_numpy()


def _check_day(model) -> None:
    day, pop, out = model.day - 1, model.population, model.outcomes
    flows = out.flow_totals(day)

    def total(metric: str) -> int:
        return int(round(flows[FLOW_INDEX[metric]]))

    assert total("return_decisions") + total("return_orders_resumed") == (
        total("returns") + total("absconded") + pop.count(Status.RETURN_ORDERED)
    )
    # Movements by reason since the warm-up's first day (the run's splits and the warm-up's).
    key, after_rejection = ("secondary_movements", "reason"), REASONS.index("after_rejection")
    moved = sum(splits[key][:, after_rejection].sum() for splits in (out.splits, out.warmup_splits))
    assert pop.count(Status.ABSCONDED) == total("absconded") - int(round(moved))
    absconded = pop.status == Status.ABSCONDED
    own_state = model.net.compiled.nationality_state[pop.nationality[absconded]]
    assert np.all(model.params.readmission_cooperation[own_state] < 1.0)
    assert total("arrivals_people") == int((pop.entry_day != NEVER).sum())
    assert total("arrivals_people") <= total("arrivals")
    assert pop.count(Status.RETURNED_VOLUNTARILY) <= total("voluntary_returns")
    assert out.flows[: max(day + 1, 0)].min(initial=0) >= 0 and out.warmup_flows.min() >= 0
    if day < 0:
        return  # the warm-up: no stocks, and the admissions tally starts on the first day
    stocks = out.stocks[day]
    for metric, statuses in (
        ("stranded", STRANDED_STATUSES),
        ("settled", [Status.SETTLED]),
        ("waiting_for_seat", [Status.WAITING_FOR_SEAT]),
    ):
        assert np.array_equal(stocks[STOCK_INDEX[metric]], _recount(model, statuses)), metric
    detained_anywhere = np.bincount(
        PLACE_ROUTE[pop.place[pop.status == Status.DETAINED]], minlength=ROUTE_SLOTS
    )
    assert np.array_equal(stocks[STOCK_INDEX["detained"]], detained_anywhere)
    for metric, status in (
        ("asylum_pending", Status.ASYLUM_PENDING),
        ("irregular_stay", Status.ABSCONDED),
    ):
        people = pop.status == status
        entry = np.where(pop.entry_route[people] >= 0, pop.entry_route[people], len(ROUTES))
        assert np.array_equal(
            stocks[STOCK_INDEX[metric]], np.bincount(entry, minlength=ROUTE_SLOTS)
        ), metric
    assert stocks.min() >= 0
    by_country = model.country_stocks.values[day].sum(axis=1)
    assert by_country.tolist() == [
        stocks[STOCK_INDEX["stranded"]].sum(),
        stocks[STOCK_INDEX["settled"]].sum(),
    ]
    admitted = sum(model.admissions.by("pathway").values()) * model.scale
    assert round(admitted) == int(round(out.flows[: day + 1, FLOW_INDEX["legal_admissions"]].sum()))


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    params=parameters(),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.003, 0.01),
    days=st.integers(40, 90),
)
def test_invariants_hold_for_any_parameters_and_policy_mix(params, data, seed, scale, days):
    policies = data.draw(policy_mix(days))
    model = make_model(params, seed=seed, days=days, scale=scale, check=True, policies=policies)
    while model.running:
        model.step()  # the model checks conservation every day
        _check_day(model)
