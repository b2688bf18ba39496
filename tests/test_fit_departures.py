"""tools/fit_departures.py: the targets it writes by nationality are the ones validate
measures, its least squares recovers known multipliers, and it writes a scenario that loads."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest
import yaml
from conftest import ROOT

from sim.calibration.measures import measure_run, tables_of
from sim.calibration.targets import load_targets
from sim.execution.runner import replication_seeds, simulate
from sim.network import load_network
from sim.scenario.build import scenario_parameters
from sim.scenario.loading import load_scenario

sys.path.insert(0, str(ROOT / "tools"))
import fit_departures  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario(BASELINE), 11, scale=0.02)


def test_each_target_written_by_nationality_adds_up_to_what_validate_measures(run):
    targets = load_targets()
    nationalities = list(load_network().nationalities)
    rows = fit_departures.linearise(targets, run.breakdown, run.breakdown_monthly, nationalities)
    measured = measure_run(tables_of(run), targets)["terms"]
    names = {r.target.target for r in rows}
    # Routes, landings by country left, interceptions by state and the nationality shares;
    # not deaths, prices, stocks or Croatia's share, which no split by nationality carries.
    assert {"arrivals_central_med", "arrivals_italy_from_libya", "interceptions_tunisia"} <= names
    assert {"share_central_med_GIN", "share_bosnia_MAR", "share_libya_east"} <= names
    assert not names & {"sea_deaths_atlantic", "price_libya_to_italy", "transit_stock_libya"}
    assert "share_western_balkans_croatia" not in names
    for row in rows:
        top, bottom = measured[row.target.target]
        assert row.value(np.ones(len(nationalities))) == pytest.approx(top / bottom), row.target


def test_the_fit_recovers_known_multipliers():
    """Targets made from known multipliers (totals and shares over six origins): the fit,
    with no pull toward 1, finds them again."""
    rng = np.random.default_rng(3)
    truth = np.array([0.5, 1.6, 1.0, 2.2, 0.8, 1.3])
    template = {t.target: t for t in load_targets()}
    rows = []
    for _ in range(5):
        counts = rng.uniform(0, 1000, len(truth))
        target = dataclasses.replace(template["arrivals_atlantic"], observed=counts @ truth)
        rows.append(fit_departures.Linearised(target, counts, None))
    for _ in range(4):
        top, bottom = rng.uniform(0, 100, len(truth)), rng.uniform(100, 1000, len(truth))
        share = (top @ truth) / (bottom @ truth)
        target = dataclasses.replace(template["share_atlantic_MAR"], observed=share)
        rows.append(fit_departures.Linearised(target, top, bottom))
    fitted = fit_departures.fit_multipliers(
        rows, np.full(len(truth), 0.3), np.full(len(truth), 3.0), prior=0.0
    )
    assert fitted == pytest.approx(truth, rel=1e-4)
    # Bounds hold: the second origin capped below its true value stays at the cap.
    capped = fit_departures.fit_multipliers(
        rows, np.full(len(truth), 0.3), np.array([3, 1.2, 3, 3, 3, 3.0]), prior=0.0
    )
    assert capped[1] == pytest.approx(1.2)
    # Equal bounds hold an origin where they say (--limit PLACE=1:1).
    held = fit_departures.fit_multipliers(
        rows, np.array([0.3, 1, 0.3, 0.3, 0.3, 0.3]), np.array([3, 1, 3, 3, 3, 3.0]), prior=0.0
    )
    assert held[1] == pytest.approx(1.0, abs=1e-6)


def test_the_tool_writes_a_scenario_with_the_fitted_rates(tmp_path, capsys):
    out = tmp_path / "fitted.yaml"
    args = [str(BASELINE), "--seeds", "1", "--scale", "0.02", "--limit", "kasserine=:1"]
    assert fit_departures.main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    fitted = load_scenario(out)
    assert fitted.parameters["departure_rate"].keys() == set(load_network().origin_places)
    rates = yaml.safe_load(out.read_text())["parameters"]["departure_rate"]
    line = next(ln for ln in printed.splitlines() if ln.startswith("kasserine "))
    multiplier, rate = float(line.split()[2]), float(line.split()[3].replace(",", ""))
    assert multiplier <= 1.0 and rates["kasserine"] == rate
    network = load_network()
    before = scenario_parameters(load_scenario(BASELINE), network).departure_rate
    kasserine = before[list(network.origin_places).index("kasserine")]
    assert rate == pytest.approx(round(kasserine * multiplier, -2), abs=100)
    # The errors before the fit are validate's on the same seeds.
    seed = replication_seeds(load_scenario(BASELINE).seed, 1)[0]
    run = simulate(load_scenario(BASELINE), seed, scale=0.02)
    top, _ = measure_run(tables_of(run), load_targets())["terms"]["arrivals_central_med"]
    line = next(ln for ln in printed.splitlines() if ln.startswith("arrivals_central_med "))
    assert float(line.split()[1]) == pytest.approx(top / 158026 - 1, abs=5e-4)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--limit", "atlantis=0.5:2"], "PLACE an origin place"),
        (["--limit", "kabul=2:1"], "0 < LO <= HI"),
        (["--limit", "kabul=a:b"], "must be numbers"),
    ],
)
def test_bad_limits_are_refused_with_exit_2(tmp_path, capsys, flags, message):
    out = tmp_path / "fitted.yaml"
    code = fit_departures.main([str(BASELINE), *flags, "--out", str(out)])
    assert code == 2 and message in capsys.readouterr().err
    assert not out.exists()
