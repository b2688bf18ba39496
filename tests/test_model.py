"""The model's mechanisms, each pinned by a run that would change if the rule were removed."""

from __future__ import annotations

import enum
import pickle

import numpy as np
import pytest
from conftest import make_model, run_summary

from sim.agents.population import Population, Status
from sim.network import ROUTES
from sim.rules import behaviour
from sim.rules.movement import Outcome


def _all_legs(network, **attrs) -> dict:
    return {"legs": {leg_id: dict(attrs) for leg_id in network.leg_ids}}


@pytest.mark.parametrize("case", range(6))
def test_people_are_conserved_every_day_under_random_parameters(case):
    rng = np.random.default_rng(1000 + case)
    overrides = {
        "interception_rate": {"LBY_W": rng.uniform(0, 0.9), "TUN": rng.uniform(0, 0.9)},
        "pushback_probability": {"HRV": rng.uniform(0, 1), "HUN": rng.uniform(0, 1)},
        "smuggler_capacity_per_day": {"sea": rng.uniform(0, 300), "land": rng.uniform(0, 300)},
        "give_up_base": rng.uniform(0, 0.05),
        "asylum_processing_days": rng.uniform(0, 60),
        "return_delay_days": rng.uniform(0, 60),
        "remigration_probability": rng.uniform(0, 1),
        "remigration_delay_days": rng.uniform(0, 30),
        "smuggler_arrest_rate": {"LBY_W": rng.uniform(0, 1)},
        "rival_replacement_days": int(rng.integers(0, 60)),
    }
    scale = float(rng.uniform(0.002, 0.02))
    model = make_model(overrides, seed=case, days=150, scale=scale, check=True)
    model.run()  # check=True raises ConservationError on the first day people are not conserved
    counts = model.population.status_count
    assert counts.sum() == len(model.population) > 0
    assert model.population.check() == []


def test_same_seed_gives_identical_tables_and_other_seeds_differ():
    first = make_model(seed=7, days=90, check=False)
    second = make_model(seed=7, days=90, check=False)
    other = make_model(seed=8, days=90, check=False)
    for model in (first, second, other):
        model.run()
    csv = [m.outcomes.summary_frame("t", 0).to_csv(index=False) for m in (first, second, other)]
    assert csv[0] == csv[1]
    assert csv[0] != csv[2]
    ts = [m.outcomes.timeseries_frame("t", 0).to_csv(index=False) for m in (first, second)]
    assert ts[0] == ts[1]


def test_baseline_year_has_the_documented_structure_on_every_route():
    # Balkan deaths are rare (tens a year): a scale of 0.2 makes each agent 5 persons.
    summary = run_summary(make_model(days=365, scale=0.2, check=False))

    def per_1000_attempts(route: str) -> float:
        return 1000 * summary[(route, "dead_missing")] / summary[(route, "attempts")]

    # Sea crossings kill far more often than the land crossings of the Balkans.
    for sea_route in ("central_med", "atlantic"):
        assert per_1000_attempts(sea_route) > 5 * per_1000_attempts("western_balkans")
    for route in ROUTES:
        # Most people try more than once before they get in (pullbacks, pushbacks).
        assert summary[(route, "attempts")] > summary[(route, "arrivals")]
        # Smugglers charge hundreds to a few thousand euros a seat (facts.md).
        assert 100 < summary[(route, "mean_price")] < 5000, route
    # Fewer than one return decision in three is carried out (docs/model.md, facts.md).
    assert summary[("all", "returns")] < summary[("all", "return_decisions")] / 3


def test_a_closed_leg_carries_nobody(network):
    leg = "zuwara-lampedusa"
    idx = network.leg_index[leg]
    open_model = make_model(days=120)
    open_model.run()
    closed = make_model(days=120, network_overrides={"legs": {leg: {"closed": True}}})
    closed.run()
    assert open_model.leg_flows[idx] > 0
    assert closed.leg_flows[idx] == 0


def test_zero_smuggler_capacity_at_sea_stops_every_smuggled_sea_crossing(network):
    model = make_model({"smuggler_capacity_per_day": {"sea": 0}}, days=90)
    model.run()
    c = network.compiled
    smuggled_sea = c.leg_smuggled & (c.leg_mode == 1)
    assert smuggled_sea.any()
    assert model.leg_flows[smuggled_sea].sum() == 0
    baseline = make_model(days=90)
    baseline.run()
    assert baseline.leg_flows[smuggled_sea].sum() > 0


def test_zero_death_risk_means_no_deaths(network):
    # The year's dated changes raise the risk of Sudan's legs from 15 April: off here.
    risky_changes = {c["id"]: {"enabled": False} for c in network.changes if c["kind"] == "leg"}
    safe_legs = {**_all_legs(network, death_risk=0.0), "changes": risky_changes}
    safe = run_summary(make_model(days=120, network_overrides=safe_legs))
    risky = run_summary(make_model(days=120))
    assert risky[("all", "dead_missing")] > 0
    assert safe[("all", "dead_missing")] == 0


def test_no_interception_means_no_pullbacks_and_more_interception_means_more(network):
    nobody = {s: 0.0 for s in network.state_ids}
    none = run_summary(
        make_model({"interception_rate": nobody, "fence_interception_rate": nobody}, days=120)
    )
    low = run_summary(make_model({"interception_rate": {"LBY_W": 0.05, "TUN": 0.05}}, days=120))
    high = run_summary(make_model({"interception_rate": {"LBY_W": 0.8, "TUN": 0.8}}, days=120))
    assert none[("all", "interceptions")] == 0
    assert high[("central_med", "interceptions")] > 2 * low[("central_med", "interceptions")]
    assert high[("central_med", "arrivals")] < low[("central_med", "arrivals")]


def test_pushbacks_need_a_pushing_state_and_raise_attempts_per_arrival():
    # A warm-up brings people to the Balkans' borders first (the Western Balkans are far from
    # every origin).
    states = ("HUN", "HRV", "BGR", "GRC", "ESP", "CYP", "SVN", "MLT")
    no_pushbacks = {s: 0.0 for s in states}
    off = run_summary(
        make_model(
            {"pushback_probability": no_pushbacks, "fence_pushback_probability": no_pushbacks},
            days=150,
            warmup=240,
        )
    )
    on = run_summary(
        make_model({"pushback_probability": {s: 0.9 for s in states}}, days=150, warmup=240)
    )
    assert off[("all", "pushbacks")] == 0
    assert on[("western_balkans", "pushbacks")] > 0

    def per_arrival(s):
        return s[("western_balkans", "attempts")] / s[("western_balkans", "arrivals")]

    assert per_arrival(on) > 1.2 * per_arrival(off)


def _rescue_run(policies: list) -> tuple[dict[tuple[str, str], float], float]:
    """The summary of a run and its Central Mediterranean deaths at sea."""
    model = make_model(days=240, warmup=180, scale=0.05, check=False, policies=policies)
    summary = run_summary(model)
    rows = model.outcomes.breakdown_frame("test", model.seed)
    at_sea = rows[
        (rows["route"] == "central_med")
        & (rows["metric"] == "dead_missing")
        & (rows["by"] == "segment")
        & (rows["category"] == "sea")
    ]
    return summary, float(at_sea["value"].sum())


def test_more_rescue_means_fewer_deaths_and_more_rescued():
    # Rescue acts at sea: the route's deaths in the Sahara (Agadez to Libya) do not change.
    low, low_at_sea = _rescue_run([])
    rescue = {"type": "search_and_rescue", "routes": ["central_med"], "strength": 0.9}
    high, high_at_sea = _rescue_run([rescue])
    assert high_at_sea < 0.5 * low_at_sea
    assert high[("central_med", "dead_missing")] < low[("central_med", "dead_missing")]
    assert high[("central_med", "rescued")] > low[("central_med", "rescued")]


def test_no_readmission_cooperation_means_no_returns():
    states = [s for s in make_model(days=1).net.state_ids]
    fast = {"asylum_processing_days": 5, "return_delay_days": 5}
    none = run_summary(
        make_model({**fast, "readmission_cooperation": {s: 0.0 for s in states}}, days=120)
    )
    full = run_summary(
        make_model({**fast, "readmission_cooperation": {s: 1.0 for s in states}}, days=120)
    )
    assert none[("all", "return_decisions")] > 0
    assert none[("all", "returns")] == 0
    assert full[("all", "returns")] > 0.5 * full[("all", "return_decisions")]


def test_asylum_decisions_follow_protection_need():
    fast = {"asylum_processing_days": 3}
    strict = run_summary(
        make_model({**fast, "recognition_if_need": 0.0, "recognition_if_no_need": 0.0}, days=120)
    )
    lenient = run_summary(
        make_model({**fast, "recognition_if_need": 1.0, "recognition_if_no_need": 1.0}, days=120)
    )
    assert strict[("all", "asylum_granted")] == 0 < strict[("all", "return_decisions")]
    assert lenient[("all", "return_decisions")] == 0 < lenient[("all", "asylum_granted")]


def test_giving_up_only_when_people_may_give_up():
    never = run_summary(make_model({"give_up_base": 0.0, "give_up_per_failure": 0.0}, days=90))
    often = run_summary(make_model({"give_up_base": 0.2}, days=90))
    assert never[("all", "gave_up")] == 0
    assert often[("all", "gave_up")] > 1000


def test_people_who_cannot_pay_work_and_save():
    net = make_model(days=1).net
    poor = {n: 1.0 for n in net.nationalities}
    never_settle = {s: 0.0 for s in net.state_ids}
    model = make_model(
        # They can set out with almost nothing, and never settle: they must work.
        {"budget_median_eur": poor, "budget_sigma": 0.0, "departure_cash_share": 0.01,
         "settle_probability": never_settle},
        days=20,
    )  # fmt: skip
    for _ in range(5):
        model.step()
    working = model.population.status == Status.WORKING
    assert working.sum() > 0.5 * model.population.active_count()
    assert model.population.budget[working].mean() > 1.0  # they earned something


def test_rumours_of_deaths_raise_believed_risk_on_that_leg(network):
    idx = network.leg_index["zuwara-lampedusa"]
    model = make_model(days=90)
    believed_before = model.beliefs.death_risk[idx]
    # The leg turns deadly (this model's own network); people only learn it from others.
    model.net.compiled.leg_death_risk[idx] = 0.3
    model.run()
    assert believed_before < 0.05
    assert model.beliefs.death_risk[idx] > 3 * believed_before


def test_migrant_view_reads_like_a_person():
    model = make_model(days=30)
    model.run()
    person = model.migrant(0)
    assert person.status in {s.name.lower() for s in Status}
    assert person.place in model.net.place_index
    assert person.nationality in model.net.nationalities
    assert person.days_in_transit > 0
    with pytest.raises(IndexError):
        model.migrant(len(model.population))


def test_model_agents_include_population_smugglers_and_states():
    model = make_model(days=1)
    kinds = {type(a).__name__ for a in model.agents}
    assert {"PopulationAgent", "Smuggler", "State", "EuropeanUnion"} <= kinds


def test_population_columns_stay_views_through_growth_and_pickling():
    pop = Population(capacity=16)
    ids = pop.add(10, status=Status.IN_TRANSIT, place=3)
    pop.add(40, status=Status.AT_ORIGIN)  # past the capacity: the columns are reallocated
    pop.place[ids] = 7  # a write through the attribute reaches the column itself
    copy = pickle.loads(pickle.dumps(pop))
    copy.set_status(np.arange(5), Status.SETTLED)
    copy.add(100, status=Status.IN_TRANSIT)
    assert len(pop) == 50 and len(copy) == 150 == len(copy.status)
    assert (pop.place[:10] == 7).all() and (copy.place[:10] == 7).all()
    assert copy.check() == [] and pop.check() == []
    assert np.shares_memory(copy.status, copy._arrays["status"])


def one_logit_for_all(model, ids, prices, open_leg):
    """The leg choice of people ``ids`` as one logit over every candidate of every person,
    padded to the widest place, with the utility of every leg open to them (a leg that leads
    nowhere has -inf): the rule of docs/model.md with no shortcut."""
    pop, c, beliefs = model.population, model.net.compiled, model.beliefs
    legs, valid = behaviour.candidate_legs(pop.place[ids].astype(np.int64), c.out_start)
    nationality = pop.nationality[ids][:, None]
    open_to_them = valid & open_leg[legs] & ~model.modifiers.leg_barred[nationality, legs]
    onward = open_to_them & (c.leg_target[legs] != pop.previous_place[ids][:, None])
    open_to_them = np.where(onward.any(axis=1)[:, None], onward, open_to_them)
    utility = behaviour.leg_utility(
        legs, prices, c.leg_days, beliefs.death_risk, beliefs.failure,
        beliefs.cost_to_go_for(pop.nationality[ids], pop.destination[ids], legs),
        pop.risk_tolerance[ids], pop.risk_perception[ids], beliefs.weights,
    )  # fmt: skip
    return behaviour.choose_legs(legs, open_to_them, utility, model.draws("choice", ids))


def test_choices_made_apart_by_how_many_ways_on_equal_one_choice_for_all():
    # decide_and_depart chooses apart for people at places with one way on, with two, and at
    # the hubs, and weighs legs only for those with a choice between legs; each must give what
    # one logit padded to the widest place gives. Everyone at a place after two months (some
    # barred by visas), on one day's prices and draws. The ways on from Agadez and Zuwara are
    # closed, so the legs into them lead nowhere: the only way on from Lagos, and one of the two
    # from Sfax.
    closed = {
        leg: {"closed": True}
        for leg in ("agadez-sebha", "agadez-tamanrasset", "zuwara-sfax", "zuwara-lampedusa")
    }
    model = make_model(days=60, scale=0.02, network_overrides={"legs": closed})
    model.run()
    travel, pop, c = model.travel, model.population, model.net.compiled
    prices = model.leg_prices()
    ids = np.flatnonzero(pop.status[: len(pop)] < Status.ON_LEG)
    degree = np.diff(c.out_start)[pop.place[ids]]
    # Some of those people's legs barred to one nationality, others closed to all.
    legs = np.unique(c.out_start[pop.place[ids]])
    model.modifiers.leg_barred[pop.nationality[ids[0]], legs[::3]] = True
    open_leg = ~c.leg_closed & np.isfinite(prices)
    open_leg[legs[1::3]] = False
    # The sea barred to one nationality at Sfax: only the way that leads nowhere is left open.
    at_sfax = ids[pop.place[ids] == model.net.place_index["sfax"]]
    sea = model.net.leg_index["sfax-lampedusa"]
    model.modifiers.leg_barred[pop.nationality[at_sfax[0]], sea] = True
    nowhere = ~model.beliefs.leads_on.any(axis=0)  # for every nationality
    for group, width in ((degree == 1, None), (degree == 2, 2), (degree > 2, travel.widest)):
        assert group.sum() > 100
        apart = (
            travel.only_way(ids[group], open_leg)
            if width is None
            else travel.choose_legs(ids[group], prices, open_leg, width)
        )
        padded = one_logit_for_all(model, ids[group], prices, open_leg)
        assert np.array_equal(apart, padded)
        assert (padded >= 0).any() and (width is not None or (padded == -1).any())
        if width != travel.widest:  # some have a leg that leads nowhere among their ways on
            place = pop.place[ids[group]]
            first, last = c.out_start[place], c.out_start[place + 1]
            assert any(nowhere[a:b].any() for a, b in zip(first, last, strict=True))


@pytest.mark.skipif(not hasattr(enum.EnumType, "__getattr__"), reason="Python 3.12+ has no hook")
def test_statuses_meet_arrays_without_asking_the_enum_class(monkeypatch):
    # Numpy asks an operand's class whether it overrides ufuncs; Python 3.11's EnumType answers
    # a missing name in Python, a sizeable share of a small run's day (dozens of comparisons).
    asked = []
    original = enum.EnumType.__getattr__
    monkeypatch.setattr(
        enum.EnumType, "__getattr__", lambda cls, name: asked.append(name) or original(cls, name)
    )
    codes = np.zeros(4, dtype=np.int8)
    assert (codes == Status.AT_ORIGIN).all() and not (codes == Outcome.DEAD).any()
    codes[1:3] = Status.ON_LEG
    assert asked == []
    assert len(Status) == 17 and len(Outcome) == 6  # what answers numpy is not a member


def test_plans_go_only_through_legs_open_to_a_persons_nationality():
    # The cost-to-go that weighs each leg choice is worked out per nationality over the legs
    # open to it: in 2023 only Turks could fly from Istanbul to Belgrade without a visa, so a
    # Syrian's way ahead from Istanbul goes by land or sea (Bellman's equation over the other
    # legs out of Istanbul holds), a Turk's may take the flight; and a visa policy that bars
    # the flight to Turks changes their plans too at the next re-evaluation.
    model = make_model(days=1, scale=0.01)
    net, c, beliefs = model.net, model.net.compiled, model.beliefs
    flight = net.leg_index["istanbul-belgrade"]
    istanbul, paris = net.place_index["istanbul"], net.place_index["paris"]
    turk, syrian = (net.nationalities.index(n) for n in ("TUR", "SYR"))
    assert not c.visa_barred[turk, flight] and c.visa_barred[syrian, flight]
    prices = model.leg_prices()
    cost = behaviour.generalised_leg_cost(
        np.where(np.isfinite(prices), prices, 1e6),
        c.leg_days, c.leg_death_risk, model.failure_rates(), beliefs.weights,
    )  # fmt: skip
    out = np.arange(c.out_start[istanbul], c.out_start[istanbul + 1])
    by_land_or_sea = out[out != flight]

    def without_the_flight(nationality: int) -> float:
        ahead = beliefs.cost_to_go[nationality, paris, c.leg_target[by_land_or_sea]]
        return float((cost[by_land_or_sea] + ahead).min())

    syrians, turks = beliefs.cost_to_go[[syrian, turk], paris, istanbul]
    assert np.isclose(syrians, without_the_flight(syrian))
    assert turks < without_the_flight(turk) - 5  # the flight saves them days
    model.modifiers.leg_barred[turk, flight] = True  # what a visa policy does
    beliefs.refresh_routes()
    assert np.isclose(beliefs.cost_to_go[turk, paris, istanbul], without_the_flight(turk))
