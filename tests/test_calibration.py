"""Calibration: targets, validation and ABC-SMC on a small synthetic problem.

The synthetic problem is the model itself: its pooled outputs at known parameter values are the
"observations" (``observed:`` in the calibration file), and ABC-SMC must find those values
again. A calibration interrupted by a real signal and resumed must end with exactly the
posterior of one that never stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibration.evaluation import distance, target_error
from sim.calibration.measures import measure_run, tables_of
from sim.calibration.report import fit_table
from sim.calibration.targets import Target, load_targets, parse_output
from sim.errors import UserError
from sim.execution.runner import simulate
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
RUN = [sys.executable, str(ROOT / "run.py")]
#: Known values, each far from its prior's median (1.25 and 0.45), so finding them is a result.
TRUTH = {"departures": 0.8, "turkiye_interception": 0.65}
TARGETS_HEADER = (
    "target,metric,route,period,observed,tolerance,tolerance_kind,done_when,unit,statistic,"
    "output,source\n"
)


def _target(kind: str, observed: float, tolerance: float) -> Target:
    numerator, _ = parse_output("summary:arrivals")
    return Target("t", "arrivals", "all", "2023", observed, tolerance, kind, True, "persons",
                  "total", numerator, (), "test")  # fmt: skip


def test_tolerances_are_judged_as_declared():
    relative = _target("relative", 100.0, 0.15)
    assert relative.within(114.0) and not relative.within(116.0) and relative.within(86.0)
    absolute = _target("absolute", 0.2, 0.1)
    assert absolute.within(0.29) and not absolute.within(0.31)
    at_least = _target("at_least", 1.0, 0.7)
    assert at_least.within(0.71) and not at_least.within(0.69)
    assert not relative.within(float("nan"))


def test_distance_is_the_weighted_rms_of_errors_in_tolerances():
    a, b = _target("relative", 100.0, 0.1), _target("absolute", 0.5, 0.1)
    targets = {"a": a, "b": b}
    assert target_error(a, 120.0) == pytest.approx(2.0)
    assert target_error(b, 0.45) == pytest.approx(-0.5)
    value = distance({"a": 120.0, "b": 0.45}, targets, {"a": 3.0, "b": 1.0})
    assert value == pytest.approx(np.sqrt((3 * 4 + 1 * 0.25) / 4))


def test_the_shipped_targets_load_and_name_their_comparison():
    targets = load_targets()
    names = {t.target for t in targets}
    assert {"interceptions_libya", "interceptions_tunisia", "transit_stock_libya",
            "sea_deaths_central_med", "monthly_western_balkans"} <= names  # fmt: skip
    libya = next(t for t in targets if t.target == "interceptions_libya")
    assert libya.observed == 17190
    assert libya.output == "breakdown:interceptions:state_segment=LBY_W:sea|LBY_E:sea"
    assert sum(t.done_when for t in targets) >= 20


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a,arrivals,central_med,2023,10,0.1,relative,1,p,total,summry:arrivals,src",
         "table 'summry'"),
        # Over the months of a period only flows add up, and a month is YYYY-MM.
        ("a,stock,central_med,2023-01..2023-03,1,0.1,relative,0,p,total,summary:stranded,src",
         "summary:stranded: over the months of period"),
        ("a,arrivals,central_med,2023-01..2023-13,1,0.1,relative,0,p,total,summary:detections,"
         "src", r"period '2023-01\.\.2023-13' does not fit"),
    ],
)  # fmt: skip
def test_a_bad_targets_file_names_the_file_and_line(tmp_path: Path, row: str, message: str):
    path = tmp_path / "targets.csv"
    path.write_text(TARGETS_HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"targets.csv, line 2: " + message):
        load_targets(path)


def test_a_target_over_part_of_the_year_is_measured_over_those_months_only(tmp_path: Path):
    path = tmp_path / "targets.csv"
    rows = [
        "jan,arrivals,central_med,2023-01..2023-01,1,0.1,relative,0,p,total,summary:detections,s",
        "year,arrivals,central_med,2023,1,0.1,relative,0,p,total,summary:detections,s",
        "civ_jan,share,central_med,2023-01..2023-01,0.1,0.1,absolute,0,share,ratio,"
        "breakdown:detections:nationality=CIV / summary:detections,s",
        "civ_year,share,central_med,2023,0.1,0.1,absolute,0,share,ratio,"
        "breakdown:detections:nationality=CIV / summary:detections,s",
        "summer,arrivals,central_med,2023-06..2023-08,1,0.1,relative,0,p,total,"
        "summary:detections,s",
    ]
    path.write_text(TARGETS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    targets = load_targets(path)
    run = simulate(load_scenario(ROOT / "scenarios" / "baseline.yaml"), 3, days=59, scale=0.02)
    terms = measure_run(tables_of(run), targets)["terms"]
    series = run.timeseries[
        (run.timeseries["route"] == "central_med") & (run.timeseries["metric"] == "detections")
    ]
    january = series[series["date"] < "2023-02-01"]["value"].sum()
    assert terms["jan"] == [pytest.approx(january), 1.0]
    assert terms["year"] == [pytest.approx(series["value"].sum()), 1.0]
    assert 0 < terms["jan"][0] < 0.7 * terms["year"][0]  # January, not January and February
    monthly = run.breakdown_monthly
    civ = monthly[(monthly["route"] == "central_med") & (monthly["metric"] == "detections")
                  & (monthly["category"] == "CIV")].set_index("month")["value"]  # fmt: skip
    assert terms["civ_jan"] == [pytest.approx(civ["2023-01"]), pytest.approx(january)]
    assert terms["civ_year"][0] == pytest.approx(civ.sum())
    # Months the run does not have are not measured (not zero).
    assert np.isnan(terms["summer"][0])


# --------------------------------------------------------------------------- validate


def _validate(tmp_path: Path, scenario: Path, name: str) -> pd.DataFrame:
    out = tmp_path / name
    done = subprocess.run(
        [*RUN, "validate", str(scenario), "--seeds", "2", "--scale", "0.02", "--days", "120",
         "--out", str(out), "--workers", "1"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "acceptance targets" in done.stdout
    for name in ("validation.csv", "validation.html", "validation.md", "figures/monthly.png"):
        assert (out / name).is_file()
    return pd.read_csv(out / "validation.csv").set_index("target")


def test_validate_flags_a_deliberately_wrong_scenario_as_outside(tmp_path: Path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({
        "name": "wrong", "extends": str(ROOT / "scenarios" / "baseline.yaml"),
        "parameters": {"interception_rate": {"TUN": 0.0}},
        # Tunisia stops nobody: without the memorandum's block from 16 July either.
        "policies": [{"id": "eu_tunisia_memorandum", "enabled": False}],
    }), encoding="utf-8")  # fmt: skip
    table = _validate(tmp_path, wrong, "wrong")
    columns = ["route", "period", "observed", "simulated", "lo", "hi", "rel_error",
               "tolerance", "within"]  # fmt: skip
    assert list(table.columns[: len(columns)]) == columns
    tunisia = table.loc["interceptions_tunisia"]
    assert tunisia["simulated"] == 0 and not tunisia["within"]
    assert tunisia["rel_error"] == pytest.approx(-1.0)
    # The same measure on a scenario where Tunisia does intercept is clearly above zero.
    base = _validate(tmp_path, ROOT / "scenarios" / "baseline.yaml", "base")
    assert base.loc["interceptions_tunisia", "simulated"] > 1000


# --------------------------------------------------------------------------- calibrate


#: The synthetic problem's own departure rates (persons a year), fixed here: with the baseline's,
#: every refit of them (tools/fit_departures.py) moved the problem under the test. After one
#: refit sent half as many Turks again through Türkiye, the fit of Türkiye's interception
#: landed at 0.54 and ABC's acceptance fell so far that the test ran ten times as long.
SYNTHETIC_RATES = {
    "abidjan": 49900, "conakry": 36100, "dakar": 9300, "serrekunda": 2800, "kayes": 9200,
    "ouagadougou": 6300, "lagos": 4600, "el_fasher": 11200, "asmara": 4700,
    "addis_ababa": 3400, "cairo": 18500, "algiers": 6000, "kasserine": 27700,
    "beni_mellal": 85600, "dhaka": 16200, "lahore": 24500, "kabul": 76400, "delhi": 5000,
    "damascus": 50200, "ankara": 21600,
}  # fmt: skip

#: The baseline with a short warm-up: the synthetic problem needs the model's response to its
#: parameters, not settled stocks, and every evaluation's runs pay for the warm-up.
SHORT_WARMUP = {
    "extends": str(ROOT / "scenarios" / "baseline.yaml"),
    "parameters": {"warmup_days": 60, "departure_rate": SYNTHETIC_RATES},
}


def _synthetic(
    folder: Path, population: int, generations: int, names=tuple(TRUTH), scale: float = 0.01
) -> Path:
    (folder / "short_warmup.yaml").write_text(
        yaml.safe_dump({"name": "short_warmup", **SHORT_WARMUP}), encoding="utf-8"
    )
    # Departures in all (to 10%: two seeds' departures differ by several per cent); and the
    # share of seats sold on Türkiye's sea legs that end intercepted (the count alone barely
    # moves with the rate, as a higher rate also deters people from trying; Türkiye's legs,
    # busy within weeks of the warm-up's start, have hundreds of agents).
    rows = [
        "departures_all,departures,all,2023,1,0.1,relative,1,persons,total,summary:departures,"
        "synthetic",
        "turkiye_sea,interceptions,eastern_med,2023,1,0.1,relative,1,share,ratio,"
        "breakdown:interceptions:state_segment=TUR:sea / "
        "breakdown:seats_sold:state_segment=TUR:sea,synthetic",
    ]
    (folder / "targets.csv").write_text(TARGETS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    parameters = {
        "departures": {"path": "parameters.departure_rate", "mode": "multiply",
                       "range": [0.5, 2.0]},
        "turkiye_interception": {"path": "parameters.interception_rate.TUR",
                                 "range": [0.1, 0.8]},
    }  # fmt: skip
    config = {
        "name": "synthetic",
        "scenario": "short_warmup.yaml",
        "days": 90,
        "scale": scale,
        "seeds": 2,
        "seed": 5,
        "targets_file": "targets.csv",
        "parameters": {n: parameters[n] for n in names},
        "targets": {"departures_all": 1, "turkiye_sea": 1},
        "budget": {"population": population, "generations": generations},
        "observed": {"values": {n: TRUTH[n] for n in names}},
    }
    path = folder / "synthetic.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _calibrate(config: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*RUN, "calibrate", str(config), "--out", str(out), "--workers", "1", *extra],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip


@pytest.mark.slow
def test_calibrate_without_pyabc_says_how_to_install_it(monkeypatch, capsys):
    for module in ("sim.commands.calibrate", "sim.calibration.inference"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setitem(sys.modules, "pyabc", None)  # as if not installed
    from sim.cli import main

    config = "scenarios/calibration/baseline_2023.yaml"
    assert main(["calibrate", str(Path(__file__).parents[1] / config)]) == 2
    error = capsys.readouterr().err
    assert "calibrate extra" in error and "pip install -e '.[calibrate]'" in error


@pytest.mark.slow  # two minutes: 60 evaluations of the model
def test_calibration_recovers_known_parameters_of_a_synthetic_problem(tmp_path: Path):
    out = tmp_path / "out"
    # At scale 0.01 the news and beliefs of a few hundred agents make two seeds' departures
    # differ by up to 15%, and the observations come from other seeds than the evaluations':
    # the fit landed 19% off the true departures. At 0.02 it lands within 2%.
    done = _calibrate(_synthetic(tmp_path, population=12, generations=5, scale=0.02), out)
    assert done.returncode == 0, done.stderr
    posterior = pd.read_parquet(out / "posterior.parquet")
    fitted = yaml.safe_load((out / "fitted.yaml").read_text())["fitted_point"]
    # Departures of two seeds differ by several per cent (news and beliefs feed back on them):
    # the fit cannot be sharper than that noise allows.
    assert fitted["departures"]["value"] == pytest.approx(TRUTH["departures"], rel=0.15)
    assert fitted["turkiye_interception"]["value"] == pytest.approx(0.65, abs=0.1)
    weights = posterior["weight"].to_numpy()
    spread = np.sqrt(np.cov(posterior["departures"], aweights=weights))
    assert spread < 0.5 * (1.5 / np.sqrt(12))  # well inside the prior's spread
    history = pd.read_csv(out / "history.csv")
    assert history["epsilon"].is_monotonic_decreasing
    assert (out / "figures" / "posterior.png").is_file()
    # The fit table holds the fitted point's own runs: as near the observations as a point
    # within 15% of the truth can be (departures follow the multiplier about one for one; the
    # prior's range spans -50% to +100%).
    fit = pd.read_csv(out / "fit.csv").set_index("target")
    assert abs(fit.loc["departures_all", "rel_error"]) < 0.2
    assert fit.loc["turkiye_sea", "within"]


@pytest.mark.slow
def test_an_interrupted_calibration_resumes_to_the_same_posterior(tmp_path: Path):
    config = _synthetic(tmp_path, population=6, generations=3, names=("departures",))
    straight = tmp_path / "straight"
    assert _calibrate(config, straight).returncode == 0
    runs = len((straight / "evaluations.jsonl").read_text().splitlines())
    out = tmp_path / "stopped"
    process = subprocess.Popen(
        [*RUN, "calibrate", str(config), "--out", str(out), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    kept = out / "evaluations.jsonl"
    while process.poll() is None:
        if kept.exists() and len(kept.read_text().splitlines()) >= runs // 2:
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.05)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert "Resume with" in stderr and not (out / "posterior.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    done = _calibrate(config, out, "--resume")
    assert done.returncode == 0, done.stderr
    resumed = pd.read_parquet(out / "posterior.parquet")
    pd.testing.assert_frame_equal(resumed, pd.read_parquet(straight / "posterior.parquet"))
    # Only what was missing ran again: no run is kept twice.
    keys = [(r["key"], r["seed"]) for r in map(json.loads, kept.read_text().splitlines())]
    assert len(keys) == len(set(keys)) == runs


def test_sigterm_stops_a_calibration_keeping_its_runs_and_no_process(tmp_path: Path):
    config = _synthetic(tmp_path, population=6, generations=3, names=("departures",))
    out = tmp_path / "out"
    mark = f"MIXMIG_TEST_MARK={tmp_path.name}"  # inherited by every process it starts
    process = subprocess.Popen(
        [*RUN, "calibrate", str(config), "--out", str(out), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "MIXMIG_TEST_MARK": tmp_path.name},
    )  # fmt: skip
    kept = out / "evaluations.jsonl"
    while process.poll() is None:
        if kept.exists() and len(kept.read_text().splitlines()) >= 2:
            process.send_signal(signal.SIGTERM)
            break
        time.sleep(0.05)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr and "--resume" in stderr
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert len(kept.read_text().splitlines()) >= 2
    time.sleep(1.0)  # a worker told to stop has a moment to go
    left = [p.name for p in Path("/proc").glob("[0-9]*") if mark in _environment(p)]
    assert left == [], f"processes left behind: {left}"


def _environment(process: Path) -> str:
    try:
        return (process / "environ").read_bytes().replace(b"\0", b"\n").decode(errors="replace")
    except OSError:  # the process ended meanwhile, or is not ours to read
        return ""


# --------------------------------------------------------------------------- compare --posterior


def test_compare_over_posterior_draws_pairs_runs_by_draw_and_seed(tmp_path: Path):
    # A posterior with two very different draws: a fifth or twice the departures.
    pd.DataFrame(
        {"departures": [0.2, 2.0], "weight": [0.5, 0.5], "distance": [1.0, 1.0]}
    ).to_parquet(tmp_path / "posterior.parquet")
    (tmp_path / "fitted.yaml").write_text(yaml.safe_dump({"fitted_point": {"departures": {
        "value": 1.0, "path": "parameters.departure_rate", "mode": "multiply"}}}))  # fmt: skip
    out = tmp_path / "cmp"
    baseline = tmp_path / "short_warmup.yaml"
    baseline.write_text(yaml.safe_dump({"name": "baseline", **SHORT_WARMUP}), encoding="utf-8")
    done = subprocess.run(
        [*RUN, "compare", str(baseline), str(baseline),
         "--posterior", str(tmp_path / "posterior.parquet"), "--draws", "4", "--seeds", "2",
         "--scale", "0.01", "--days", "30", "--out", str(out), "--workers", "1"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    rows = manifest["posterior"]["rows"]
    assert len(rows) == 4 and len(manifest["seeds"]) == 8 and set(rows) == {0, 1}
    summary = pd.read_csv(out / "runs" / "baseline" / "summary.csv")
    departures = summary[(summary.metric == "departures") & (summary.route == "all")]
    by_seed = departures.set_index("seed")["value"].reindex(manifest["seeds"]).to_numpy()
    factor = np.repeat([10.0 if r == 1 else 1.0 for r in rows], 2)
    low, high = by_seed[factor == 1.0], by_seed[factor == 10.0]
    assert high.min() > 4 * low.max()  # each run got its draw's parameters
    # The same scenario twice, paired by draw and seed: every difference is exactly zero.
    comparison = pd.read_csv(out / "comparison.csv")
    assert (comparison["diff"].fillna(0) == 0).all()
    assert (
        "parameter sets drawn from the calibration's posterior" in (out / "report.md").read_text()
    )


def test_the_fit_table_gives_relative_errors_only_for_relative_targets():
    row = {"route": "central_med", "period": "2023", "lo": np.nan, "hi": np.nan, "unit": "persons"}
    table = pd.DataFrame([
        {**row, "target": "arrivals", "observed": 100.0, "simulated": 80.0, "rel_error": -0.2,
         "tolerance": 0.15, "tolerance_kind": "relative", "within": False, "done_when": True},
        {**row, "target": "summer_peak", "observed": 8.0, "simulated": 7.0, "rel_error": -0.125,
         "tolerance": 1.0, "tolerance_kind": "absolute", "within": True, "done_when": True},
        {**row, "target": "monthly", "observed": 1.0, "simulated": 0.53, "rel_error": -0.47,
         "tolerance": 0.7, "tolerance_kind": "at_least", "within": False, "done_when": False},
    ])  # fmt: skip
    errors = [r[fit_table(table).headers.index("error")] for r in fit_table(table).rows]
    assert errors == ["-20%", "-1.00", "-0.47"]
