"""Setting out (sim/model/origins.py, sim/rules/departure.py, sim/model/news.py): a decision
that follows the news at home, the cost of the journey and legal alternatives."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_model

from sim.agents.population import Status
from sim.rules.departure import (
    DepartureResponse,
    budget_floor_quantile,
    departure_propensity,
    journey_money_cost,
    legal_diversion,
)

RESPONSE = DepartureResponse(
    success_elasticity=1.0,
    risk_semielasticity=0.15,
    failure_semielasticity=0.01,
    cost_elasticity=1.0,
    reference_success=0.75,
    reference_return_risk=0.15,
    reference_death_risk=0.01,
    reference_failure=0.25,
)


def test_propensity_is_one_at_the_reference_and_moves_the_documented_way():
    def propensity(**change):
        beliefs = dict(success=0.75, return_risk=0.15, death_risk=0.01, failure=0.25,
                       risk_awareness=1.0, capability_ratio=1.0)  # fmt: skip
        beliefs.update(change)
        args = {k: np.array([v]) for k, v in beliefs.items()}
        return float(departure_propensity(**args, response=RESPONSE)[0])

    assert propensity() == pytest.approx(1.0)
    assert propensity(success=0.75 * 0.9) == pytest.approx(0.9)  # elasticity 1
    assert propensity(death_risk=0.02) == pytest.approx(np.exp(-0.15))  # one point more
    assert propensity(risk_awareness=2.0) == pytest.approx(np.exp(-0.15))  # a campaign
    assert propensity(return_risk=0.3) < 1.0 < propensity(failure=0.15)
    assert propensity(capability_ratio=0.5) == pytest.approx(0.5)


def test_legal_alternatives_keep_home_only_those_who_know_and_only_as_far_as_there_is_room():
    would_be = np.full(5, 100.0)
    # Who knows and could apply, without and with a protection need.
    awareness = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.5, 0.5], [1.0, 0.5]])
    places = np.array(
        [[1000.0, 1000.0], [1000.0, 1000.0], [10.0, 10.0], [0.0, 1000.0], [1000.0, 1000.0]]
    )
    need_share = np.full(5, 0.2)
    kept = legal_diversion(would_be, places, awareness, need_share, effect=0.5)
    # Room for all who know: half of them wait; nobody knows: nobody; room for 20 of 100: 10;
    # room only for those with a need (20 of the 50 who know... 10 know and need): 5; only half
    # of those with a need can register (80 + 10 of 100 could apply): 45.
    assert kept.tolist() == pytest.approx([0.5, 0.0, 0.1, 0.05, 0.45])


def test_the_journeys_cost_is_the_prices_along_the_cheapest_way():
    # 0 -> 1 -> 3 (generalised cost 2, prices 100 + 200) beats 0 -> 2 -> 3 (cost 4, prices 10).
    source, target = np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3])
    cost = np.array([1.0, 1.0, 2.0, 2.0])
    price = np.array([100.0, 200.0, 5.0, 5.0])
    money = journey_money_cost(4, source, target, cost, price, np.array([0, 2]), np.array([3]))
    assert money.tolist() == [300.0, 5.0]
    closed = np.array([1.0, np.inf, 2.0, 2.0])
    money = journey_money_cost(4, source, target, closed, price, np.array([0]), np.array([3]))
    assert money.tolist() == [10.0]


def test_those_who_set_out_hold_the_cash_the_journey_needs():
    model = make_model(days=5, scale=0.05)
    model.run()
    origins = model.origins
    first_new = len(model.population)
    origins.set_out()  # the next day's newcomers, before they decide or pay anything
    pop = model.population
    new = np.arange(first_new, len(pop))
    assert len(new) > 30
    row = np.searchsorted(origins.places, pop.origin[new])
    needed = origins.cash_needed()[row, pop.nationality[new]]
    assert np.all(pop.budget[new] >= needed * (1 - 1e-6))
    assert budget_floor_quantile(np.array([1000.0]), np.array([1000.0]), 0.6)[0] == 0.5


def test_the_cash_a_journey_needs_counts_only_the_ways_open_to_a_nationality():
    model = make_model(days=1)
    origins, net = model.origins, model.net
    nat = net.nationalities.index
    kabul = list(origins.places).index(net.place_index["kabul"])
    flight = net.leg_index["istanbul-belgrade"]  # visa-free in 2023 for Turks, not Afghans
    assert net.compiled.visa_barred[nat("AFG"), flight]
    assert not net.compiled.visa_barred[nat("TUR"), flight]
    prices, failure = model.market.fare, model.failure_rates()
    barred = origins.money_cost(prices, failure)
    net.compiled.visa_barred[nat("AFG"), flight] = False  # Afghans may now board it
    model.modifiers.leg_barred[nat("AFG"), flight] = False
    opened = origins.money_cost(prices, failure)
    assert opened[kabul, nat("AFG")] < 0.9 * barred[kabul, nat("AFG")]
    others = np.arange(len(net.nationalities)) != nat("AFG")
    np.testing.assert_array_equal(opened[:, others], barred[:, others])
    # With no way open to them, Afghans need more than anyone holds: Kabul sends nobody.
    model.modifiers.leg_barred[nat("AFG"), :] = True
    origins.journey_cost = origins.money_cost(prices, failure)
    assert np.isinf(origins.cash_needed()[kabul, nat("AFG")])
    assert origins.capability()[kabul] == 0.0
    assert origins.capability()[list(origins.places).index(net.place_index["damascus"])] > 0.1


def _departures_by_origin(model) -> np.ndarray:
    pop = model.population
    started = pop.set_out_day >= 0
    return np.bincount(pop.origin[started], minlength=model.net.compiled.n_places)


def test_an_information_campaign_that_raises_believed_risk_cuts_departures_where_it_runs():
    places = ["abidjan", "conakry", "dakar"]
    campaign = {"type": "information_campaign", "places": places, "strength": 1.0}
    # The news at home is held at its reference (a heavy prior): at this size the deaths each
    # origin hears of swing its believed risk by more than the campaign does (a seed's news
    # told Abidjan of 6% dead in one run and 2% in the other), and the comparison is of the
    # decision alone.
    held = {"news_prior_weight": 1e6}
    base = make_model(held, days=150, scale=0.02, check=False)
    informed = make_model(held, days=150, scale=0.02, check=False, policies=[campaign])
    base.run()
    informed.run()
    before, after = _departures_by_origin(base), _departures_by_origin(informed)
    targeted = [base.net.place_index[p] for p in places]
    assert after[targeted].sum() < 0.9 * before[targeted].sum()
    # Origins the campaign does not reach send about as many (only the news differs).
    others = [i for i in base.origins.places if i not in targeted]
    assert abs(after[others].sum() / before[others].sum() - 1) < 0.05


def _irregular_departures(model, nationality: str) -> int:
    """People of ``nationality`` who left home irregularly (not admitted legally from there,
    not still at home waiting)."""
    pop = model.population
    mine = pop.nationality == model.net.nationalities.index(nationality)
    at_home = np.isin(pop.status, [Status.AT_ORIGIN, Status.SMO_APPLICANT]) & (
        pop.place == pop.origin
    )
    legal = pop.status == Status.LEGALLY_ADMITTED
    return int((mine & ~at_home & ~legal & (pop.set_out_day >= 0)).sum())


def test_a_safe_mobility_office_open_to_a_nationality_cuts_its_irregular_departures():
    # Walk-in registration (online, only those with digital access could apply). The news at
    # home is held at its reference (a heavy prior), so that the few deaths Senegal hears of at
    # this size do not swing departures either way: the comparison is of the decision alone.
    office = {"type": "safe_mobility_office", "places": ["dakar"], "awareness": 0.8,
              "capacity_per_month": 5000, "processing_days": 30, "approval_rate": 0.8,
              "eligibility": {"nationalities": ["SEN"], "online_registration": False}}  # fmt: skip
    runs = {}
    for name, policies in (("base", []), ("office", [office])):
        model = make_model(
            {"news_prior_weight": 1e6}, days=150, scale=0.05, check=False, policies=policies
        )
        model.run()
        runs[name] = model
    sen = {k: _irregular_departures(m, "SEN") for k, m in runs.items()}
    assert sen["office"] < 0.75 * sen["base"]
    # Part of it is the decision at home: fewer Senegalese set out at all, those who know of
    # the office and find room in it wait for it (the rest is those it admits from Dakar).
    senegal = model.net.nationalities.index("SEN")
    set_out = {
        k: int(((m.population.nationality == senegal) & (m.population.set_out_day >= 0)).sum())
        for k, m in runs.items()
    }
    assert set_out["office"] < 0.7 * set_out["base"]
    # Other nationalities leave as before (within the noise of the news they share).
    gin = {k: _irregular_departures(m, "GIN") for k, m in runs.items()}
    assert abs(gin["office"] / gin["base"] - 1) < 0.05


def test_news_reaches_home_after_the_lag_and_fades():
    model = make_model({"news_lag_days": 10, "news_memory_days": 50}, days=40, scale=0.05)
    news = model.news
    origin = np.array([model.origins.places[0]] * 200)
    before = news.beliefs().death_risk[origin[0]]
    model.step()  # day 0
    news.hear("died", origin)  # heard on day 1 (the day the model is on now)
    news.hear("made_it", origin)
    for _ in range(10):  # days 1..10: not yet home
        model.step()
    assert news.beliefs().death_risk[origin[0]] == pytest.approx(before, abs=1e-3)
    model.step()  # day 11: home
    risk = news.beliefs().death_risk[origin[0]]
    assert risk > 10 * before
    for _ in range(20):
        model.step()
    assert news.remembered[1, origin[0]] < 0.7 * 200 / model.scale  # fading
