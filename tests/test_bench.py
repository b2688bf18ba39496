"""tools/bench.py: stage timings read from the model's stage list, events counted, and the
whole benchmark run end to end at a tiny size (no timing is asserted, only that it reports)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from conftest import ROOT, SCENARIOS, make_model

sys.path.insert(0, str(ROOT / "tools"))
from bench import FLEE_PYTHON  # noqa: E402
from bench_calibration import calibration_rows, calibration_section  # noqa: E402
from bench_calibration import measure as measure_calibration  # noqa: E402
from bench_child import _instrument  # noqa: E402
from bench_report import (  # noqa: E402
    sweep_rows,
    sweep_section,
    warmup_rows,
    warmup_section,
    with_calibration,
)
from bench_sweep import measure_sweep, measure_warmup_sharing  # noqa: E402
from sweep_cases import write_sweep  # noqa: E402


@dataclass
class Stage:
    """A stage as the model declares it: a name and what to run."""

    name: str
    log: list[str]

    def run(self) -> None:
        self.log.append(self.name)


@dataclass
class StagedModel:
    """The interface the benchmark reads: ``stages`` run in order by ``step()``, and the
    cumulative ``people_events``."""

    log: list[str] = field(default_factory=list)
    people_events: int = 0
    stages: list = field(default_factory=list)

    def step(self) -> None:
        for stage in self.stages:
            stage.run()
        self.people_events += 7


def test_stages_are_timed_from_the_model_s_stage_list_in_order():
    model = StagedModel()
    model.stages = [Stage(name, model.log) for name in ("policies", "movement", "asylum")]
    seconds, events = _instrument(model)
    model.step()
    model.step()
    assert model.log == ["policies", "movement", "asylum"] * 2  # every stage still runs
    assert list(seconds) == ["policies", "movement", "asylum"]
    assert events() == 14


def test_a_real_models_stages_are_timed_and_its_events_are_the_people_due():
    model = make_model(days=15, scale=0.005, check=False)
    names = [stage.name for stage in model.stages]
    due = []
    seconds, events = _instrument(model)
    while model.running:
        model.step()
        due.append(len(model.due))
    assert list(seconds) == names
    assert events() == sum(due) > 0


def test_the_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path):
    flee = FLEE_PYTHON if FLEE_PYTHON.is_file() else tmp_path / "no-flee"
    command = [
        sys.executable, "tools/bench.py", "--scenario", str(SCENARIOS / "teaching.yaml"),
        "--days", "5", "--scale", "0.01", "--reference-days", "3", "--reference-scale", "0.01",
        "--window-days", "0", "--repeats", "1", "--parallel-runs", "2", "--parallel-days", "3",
        "--parallel-scale", "0.01", "--flee-python", str(flee), "--flee-agents", "200",
        "--flee-days", "5", "--busy-work", "1000", "--sweep-samples", "0", "--no-sweep-full",
        "--warmup-replications", "0",
        "--out", str(tmp_path),
        "--doc", str(tmp_path / "performance.md"), "--view-repeats", "1",
        "--no-calibration-evaluation",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "bench.json").read_text())
    baseline = report["runs"]["baseline"]
    assert baseline["process_seconds"] > baseline["run_seconds"]  # start-up is included
    assert baseline["people_events"] is not None and baseline["stage_seconds"]
    assert ("flee" in report) == FLEE_PYTHON.is_file()
    page = (tmp_path / "performance.md").read_text()
    assert "An **agent-step**" in page and "An **event**" in page
    assert report["view"]["served_seconds"] > 0 and "Teaching view" in page


@pytest.mark.slow
def test_the_sweep_measure_times_the_command_on_one_and_two_workers(tmp_path):
    sweep = ROOT / "scenarios" / "sweeps" / "behaviour_sobol.yaml"
    result = measure_sweep(sweep, tmp_path, samples=1, full=False, days=3, scale=0.01)
    one, two = result["one_worker"], result["two_workers"]
    assert (one["workers"], two["workers"]) == (1, 2)
    assert one["runs"] == two["runs"] == 1 * (6 + 2) and one["days"] == 3
    assert (tmp_path / "workers-2" / "runs.parquet").is_file() and "full" not in result
    rows = sweep_rows(result)
    assert len(rows) == 1 and rows[0]["target"] == "≥ 1.7"
    section = "\n".join(sweep_section(result))
    assert "- 1 worker: 8 runs of 3 days" in section and "- 2 workers: 8 runs" in section


@pytest.mark.slow
def test_the_warmup_measure_projects_a_warmup_per_run_and_per_point(tmp_path):
    grid = write_sweep(tmp_path)  # 2 x 2 points, 30 days at scale 0.01 after 150 warm-up days
    result = measure_warmup_sharing(tmp_path / "bench", replications=3, sweep=grid)
    per_run, shared = result["per_run"], result["shared"]
    assert per_run["runs"] == shared["runs"] == 12 and shared["points"] == 4
    assert (tmp_path / "bench" / "warmup-shared" / "out" / "runs.parquet").is_file()
    assert '"warmup": "shared"' in (tmp_path / "bench" / "warmup-shared" / "out" /
                                    "manifest.json").read_text()  # fmt: skip
    for run in (per_run, shared):
        assert run["projected_points"] == 333
        # The runs scaled from 12 to 1,000, the rest once: more than the runs alone measured.
        assert run["projected_seconds"] > run["seconds"] - run["outside_runs_seconds"]
    rows = warmup_rows(result)
    assert [row["target"] for row in rows] == ["", ""]  # 30 days at 0.01: no target
    assert "a warm-up per run: 333 points × 3 replications" in rows[0]["measure"]
    assert "(`warmup: shared`): 333 points × 3 replications" in rows[1]["measure"]
    section = "\n".join(warmup_section(result))
    assert "- a warm-up per run: 12 runs of 30 days at scale 0.01" in section


ROW_KEYS = ("measure", "value", "unit", "target", "met")


def _tiny_calibration(folder) -> object:
    """A calibration file of the baseline with a short warm-up, a few days at a tiny scale."""
    scenario = folder / "tiny.yaml"
    scenario.write_text(
        f"name: tiny\nextends: {SCENARIOS / 'baseline.yaml'}\ndays: 5\n"
        "parameters: {warmup_days: 10}\n",
        encoding="utf-8",
    )
    calibration = folder / "tiny_calibration.yaml"
    calibration.write_text(
        "name: tiny_calibration\nscenario: tiny.yaml\nscale: 0.005\nseeds: 1\nseed: 3\n"
        "parameters:\n  departures: {path: parameters.departure_rate, mode: multiply, "
        "range: [0.5, 2.0]}\n"
        "targets: {arrivals_central_med: 1}\n"
        "budget: {population: 4, generations: 1, evaluations: 5}\n",
        encoding="utf-8",
    )
    return calibration


def test_the_calibration_measure_times_one_evaluation_and_the_whole_calibration(tmp_path):
    path = _tiny_calibration(tmp_path)
    result = measure_calibration(path, full=True, out=tmp_path / "calibration")
    assert (result["evaluation_seeds"], result["workers"], result["file_seeds"]) == (10, 2, 1)
    assert result["scale"] == 0.005 and result["days"] == 5
    # The budget's evaluations and the fitted point's, each of the file's one seed.
    assert result["projected_runs"] == (5 + 1) * 1
    # Both rounded to the millisecond: six runs at the rounded pace are within 4 ms of it.
    assert result["projected_seconds"] == pytest.approx(6 * result["seconds_per_run"], abs=0.004)
    assert result["evaluation_seconds"] > 0 and result["full_seconds"] > 0
    assert (tmp_path / "calibration" / "posterior.parquet").is_file()
    rows = calibration_rows(result, lambda *row: dict(zip(ROW_KEYS, row, strict=False)))
    assert [row.get("target", "") for row in rows] == ["", "< 7,200", "< 7,200"]
    assert rows[1]["met"] == (result["projected_seconds"] < 7200)
    section = "\n".join(calibration_section(result))
    assert "10 seeds of 5 days at scale 0.005" in section and "6 runs" in section
    # What the page says of the projection follows whether the run went past its budget.
    past = calibration_section({**result, "full_evaluations": 7, "full_runs": 7})
    short = calibration_section({**result, "full_evaluations": 3, "full_runs": 3})
    assert "a lower bound" in "\n".join(past) and "an upper bound" in "\n".join(short)
    # --only calibration puts the rows and the section into an existing page, once.
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    once = with_calibration(page, result)
    twice = with_calibration(once, result)
    assert once == twice and once.count("## Calibration") == 1
    assert once.count("| One calibration evaluation:") == 1
    assert once.index("| Whole calibration of") < once.index("## What is counted")
    assert once.index("## Calibration") < once.index("## How to read this")
