"""The warm-up: the model builds its own stocks before start_date, and the baseline then holds
still (sim/model/model.py, sim/outputs/counters.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import make_model

from sim.network import ROUTES, load_network
from sim.outputs.counters import FLOW_INDEX
from sim.scenario.build import build_model
from sim.scenario.loading import load_scenario

#: IOM DTM Libya, round 49 (Jul-Sep 2023): migrants in Libya (../shared/data/targets_2023.csv).
IOM_LIBYA = 697_532
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


#: Seeds pooled by the stationarity tests: a claim about the baseline's level, which the luck
#: of two seeds moves by about the tolerance (one network's arrest on a busy leg is enough).
#: The Western Balkans' second year is 0.71 to 1.34 of its first seed by seed (scale 0.05,
#: 1 December 2026), a spread of about 0.19: pooled over eight seeds 0.89, over the sixteen
#: 0.94 (and the third year 0.97 over eight): the mean's own spread over eight seeds was most
#: of the tolerance.
STILL_SEEDS = range(1, 17)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> list:
    """The baseline (scenarios/baseline.yaml, its default warm-up included) run for two years
    on sixteen seeds, without what changes during them: the policy blocks that begin after its
    start (the EU-Tunisia memorandum, Serbia's operation) and the dated changes of the network
    (Niger's repeal, the war in Sudan), which rightly move the second year away from the
    first."""
    baseline = load_scenario(BASELINE)
    later = [b for b in baseline.policies if b.start and b.start > baseline.start_date]
    assert later, "the baseline's dated blocks are the ones switched off here"
    still = tmp_path_factory.mktemp("still") / "baseline_still.yaml"
    still.write_text(
        yaml.safe_dump(
            {
                "name": "baseline_still",
                "extends": str(BASELINE),
                "days": 730,
                "scale": 0.05,
                "network": {
                    "changes": {c["id"]: {"enabled": False} for c in load_network().changes}
                },
                "policies": [{"id": b.id, "enabled": False} for b in later],
            }
        )
    )
    scenario = load_scenario(still)
    runs = []
    for seed in STILL_SEEDS:
        model = build_model(scenario, seed, check=False)
        model.run()
        runs.append(model.outcomes.daily_table())
    return runs


def _years(runs: list, metric: str, route: int, stock: bool) -> tuple[float, float]:
    def year(table, first: int) -> float:
        values = table[metric][first : first + 365, route]
        return values.mean() if stock else values.sum()

    return sum(year(t, 0) for t in runs), sum(year(t, 365) for t in runs)


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES)
def test_with_no_policy_change_each_routes_arrivals_hold_still_from_year_one_to_two(
    two_years, route
):
    first, second = _years(two_years, "arrivals", ROUTES.index(route), stock=False)
    assert first > 10_000
    assert abs(second / first - 1) < 0.10, (route, first, second)


@pytest.mark.slow
@pytest.mark.parametrize("stock", ["stranded", "settled"])
def test_with_no_policy_change_the_stocks_in_transit_hold_still(two_years, stock):
    first, second = _years(two_years, stock, len(ROUTES), stock=True)  # all routes
    assert first > 50_000
    assert abs(second / first - 1) < 0.10, (stock, first, second)


def test_outputs_count_from_the_start_date_and_the_warm_ups_flows_are_kept_apart():
    model = make_model(days=30, warmup=200, scale=0.02)
    model.run()  # conservation (which reads the warm-up's flows too) is checked every day
    out, pop = model.outcomes, model.population
    departures = FLOW_INDEX["departures"]
    before = int(round(out.warmup_flows[departures].sum()))
    during = int(round(out.flows[:, departures].sum()))
    assert before == int((pop.set_out_day < 0).sum()) > during == int((pop.set_out_day >= 0).sum())
    assert out.stocks.shape[0] == 30 and out.stocks[0].sum() > 0  # a filled network on day 0
    frame = out.timeseries_frame("t", 1)
    assert frame["date"].min() == "2023-01-01" and frame["day"].min() == 0


def test_policies_in_force_on_the_start_date_act_through_the_warm_up_and_later_ones_do_not():
    at_start = {"type": "safe_mobility_office", "places": ["agadez"], "awareness": 1.0,
                "capacity_per_month": 100000, "processing_days": 10}  # fmt: skip
    later = {**at_start, "start": "2023-01-20"}
    applied = {}
    for name, block in (("at_start", at_start), ("later", later)):
        model = make_model(days=30, warmup=120, scale=0.02, policies=[block])
        while model.day < 0:
            model.step()
        applied[name] = model.policies[0].counts["applied"]
    assert applied["at_start"] > 0 == applied["later"]


def test_the_people_in_libya_at_the_start_are_a_part_of_iom_s_count():
    # IOM counts every migrant in Libya, most not heading to Europe; the model's are those on
    # their way there, stranded or settled (a check against IOM's figure, not an input). With
    # the 2023 map's departure rates (fewer West Africans set out) they are about 9% of it, so
    # the lower bound is 5% (it was 10% when the model held about 18%).
    model = make_model({"warmup_days": 730}, days=1, scale=0.05, check=False)
    model.run()
    stocks = model.country_stocks
    settled, stranded = (
        sum(stocks.persons(metric, part)[0] for part in ("LBY_W", "LBY_E"))
        for metric in ("settled", "stranded")
    )
    assert 0.05 * IOM_LIBYA < settled + stranded < IOM_LIBYA
    assert settled > stranded
