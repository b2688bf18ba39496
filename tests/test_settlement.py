"""Staying in transit (sim/model/settlement.py): settling, moving on, crackdowns, going home
assisted."""

from __future__ import annotations

import numpy as np
from conftest import make_model, run_summary

from sim.agents.population import NEVER, Status
from sim.network import ROUTES
from sim.outputs.counters import FLOW_INDEX

SETTLING_STATES = ("LBY_W", "LBY_E", "TUN", "DZA", "MAR", "TUR", "MRT", "NER")


def test_people_settle_only_where_settling_is_possible_and_earn_while_settled(network):
    model = make_model(days=200, scale=0.02)
    model.run()
    pop, c = model.population, network.compiled
    settled = pop.status == Status.SETTLED
    assert settled.sum() > 100
    states = {network.state_ids[s] for s in np.unique(c.place_state[pop.place[settled]])}
    assert states <= set(SETTLING_STATES)
    nobody = {s: 0.0 for s in SETTLING_STATES}
    never = make_model({"settle_probability": nobody}, days=200, scale=0.02)
    never.run()
    assert never.population.count(Status.SETTLED) == 0


def _libya(model) -> tuple[np.ndarray, np.ndarray]:
    """Settled and stranded people in Libya (both authorities' territory) each day."""
    stocks = model.country_stocks
    return tuple(
        sum(stocks.persons(metric, part) for part in ("LBY_W", "LBY_E"))
        for metric in ("settled", "stranded")
    )


def test_settled_people_in_libya_respond_to_a_crackdown(network):
    # From day 30, by both of Libya's authorities: a fifth rounded up each month and left in
    # Agadez (Niger), the others earn less and move on three times as fast; or the pressure
    # alone, with no expulsions.
    crackdown = [
        {"type": "crackdown", "state": part, "start": "2023-01-31", "expulsion_rate": 0.2,
         "expelled_to": ["agadez"], "resume_multiplier": 3.0}
        for part in ("LBY_W", "LBY_E")
    ]  # fmt: skip
    pressure = [{**block, "expulsion_rate": 0.0} for block in crackdown]
    runs = {}
    for name, policies in (("base", []), ("crackdown", crackdown), ("pressure", pressure)):
        model = make_model(days=150, warmup=240, scale=0.02, check=False, policies=policies)
        model.run()
        runs[name] = model
    settled = {name: _libya(m)[0] for name, m in runs.items()}
    assert settled["crackdown"][29] == settled["base"][29] > 1000  # the same until it starts
    assert settled["crackdown"][-1] < 0.6 * settled["base"][-1]
    assert settled["pressure"][-1] < 0.9 * settled["base"][-1]
    flows = {name: m.outcomes.flows[30:].sum(axis=0) for name, m in runs.items()}
    resumed, central_med = FLOW_INDEX["resumed"], ROUTES.index("central_med")  # Libya's places
    # Libya holds about half of the route's settled people, the rest in Tunisia and Algeria
    # (it held 70% before the 2023 map's departure rates sent fewer West Africans), so the
    # route's total moves less than Libya's: 1.3 rather than 1.5 (no response would be 1).
    assert flows["pressure"][resumed, central_med] > 1.3 * flows["base"][resumed, central_med]
    expelled = FLOW_INDEX["expelled"]
    assert flows["base"][expelled].sum() == 0 == flows["pressure"][expelled].sum()
    assert flows["crackdown"][expelled].sum() > 0
    hard = runs["crackdown"]
    assert hard.outcomes.flows[:30, expelled].sum() == 0
    # Those expelled were left in Agadez: more people there than without the crackdown.
    agadez = network.place_index["agadez"]
    pop = {name: m.population for name, m in runs.items()}
    assert (pop["crackdown"].place == agadez).sum() > (pop["base"].place == agadez).sum()


def test_a_crackdown_expels_foreigners_and_spares_the_states_own_nationals(network):
    # Tunisia rounds up everyone it may each month and leaves them in Agadez, where no
    # Tunisian goes of their own accord: foreigners are expelled there, Tunisians stay at home.
    crackdown = {"type": "crackdown", "state": "TUN", "start": "2023-01-31",
                 "expulsion_rate": 1.0, "expelled_to": ["agadez"]}  # fmt: skip
    model = make_model(days=90, warmup=240, scale=0.02, check=False, policies=[crackdown])
    model.run()
    pop, c = model.population, network.compiled
    tunisian = pop.nationality == network.nationalities.index("TUN")
    in_tunisia = c.place_state[pop.place] == network.state_index["TUN"]
    agadez = pop.place == network.place_index["agadez"]
    assert (agadez & ~tunisian).sum() > 50  # foreigners taken from Tunisia
    assert (agadez & tunisian).sum() == 0
    assert (in_tunisia & tunisian & np.isin(pop.status, [Status.IN_TRANSIT, Status.WORKING,
            Status.WAITING_FOR_SEAT])).sum() > 10  # fmt: skip


def test_a_voluntary_return_programme_sends_people_home_within_the_places_it_funds():
    programme = {"type": "voluntary_return", "states": ["LBY_W", "LBY_E", "NER"], "take_up": 0.9,
                 "reintegration_support": 0.5, "cost_per_return_eur": 1000.0}  # fmt: skip
    base = run_summary(make_model(days=120, warmup=240, scale=0.02, check=False))
    unlimited = run_summary(
        make_model(days=120, warmup=240, scale=0.02, check=False, policies=[programme])
    )
    capped = {**programme, "places_per_year": 3650}  # 10 a day
    limited = run_summary(
        make_model(days=120, warmup=240, scale=0.02, check=False, policies=[capped])
    )
    returns = {k: s[("all", "voluntary_returns")] for k, s in
               (("base", base), ("unlimited", unlimited), ("limited", limited))}  # fmt: skip
    assert returns["unlimited"] > 3 * returns["base"] > 0
    # The cap binds: at most a month's carry-over above 10 a day (in persons, at this scale).
    assert returns["limited"] - returns["base"] < 10 * 120 + 300 + 4 * 50
    assert returns["limited"] > returns["base"]
    assert unlimited[("all", "settled")] < 0.8 * base[("all", "settled")]


def test_reintegration_support_lowers_the_chance_of_setting_out_again():
    model = make_model(
        {"reintegration_effect": 0.5, "remigration_probability": 0.6}, days=30, scale=0.2
    )
    for _ in range(10):
        model.step()
    ids = np.arange(len(model.population))
    assert len(ids) > 2000
    shares = {}
    for support in (0.0, 0.5, 1.0):
        model.origins.returnees(ids, support, "came_back")
        shares[support] = float((model.population.next_day[ids] != NEVER).mean())
    # 0.6 x (1 - 0.5 x support): 0.6, 0.45, 0.3; each person's own draw, the same each time.
    assert abs(shares[0.0] - 0.6) < 0.03 and abs(shares[1.0] - 0.3) < 0.03
    assert shares[0.0] > shares[0.5] > shares[1.0]


def test_assisted_returns_cost_states_what_they_cost():
    model = make_model(
        {"voluntary_return_cost_eur": 2500.0}, days=150, warmup=240, scale=0.02, check=False
    )
    model.run()
    summary = model.outcomes.summary_values()
    returns, spending = summary["voluntary_returns"][-1], summary["state_spending_eur"][-1]
    assert returns > 0
    assert spending == 2500.0 * returns


def test_the_crackdown_roster_kept_from_day_to_day_is_what_a_look_at_every_row_finds():
    # The people a crackdown can round up are kept from who changed status since the day
    # before (sim/model/roster.py); under check each day's roster is compared with a look at
    # every row, through crackdowns starting and ending (Algeria all along, Tunisia for a
    # month), and a difference is an error.
    policies = [
        {"type": "crackdown", "id": "dza", "state": "DZA", "expulsion_rate": 0.2,
         "expelled_to": ["agadez"]},
        {"type": "crackdown", "id": "tun", "state": "TUN", "expulsion_rate": 0.3,
         "start": "2023-02-01", "end": "2023-03-01"},
    ]  # fmt: skip
    model = make_model(days=90, warmup=300, scale=0.05, check=True, policies=policies)
    sizes = []
    while model.day < model.days:
        model.step()
        if model.day > 0:  # the run's days (after the step, day is the next)
            sizes.append(len(model.settlement.roster.ids))
    assert min(sizes) > 10 and min(sizes[31:59]) > max(sizes[:31]) + 500  # Tunisia's too
    assert max(sizes[60:]) < min(sizes[31:59])  # and no longer
    assert model.outcomes.flows[:, FLOW_INDEX["expelled"]].sum() > 0
