"""sim.commands.compare: the comparison plan, the runs on real processes, the saved tables.

The end-to-end tests run small scenarios (written to tmp_path, extending the repository's
teaching scenario with a short horizon and few agents) through the real model and processes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import build_parser
from sim.commands.compare import main as compare
from sim.commands.compare import plan_comparison, unique_labels
from sim.errors import UserError
from sim.execution.runner import RunResult, RunTask, replication_seeds, run_task

REPO = Path(__file__).resolve().parent.parent
TEACHING = REPO / "scenarios" / "teaching.yaml"
SQUEEZE = "parameters:\n  interception_rate: {TUN: 0.85, LBY_W: 0.6}\n"


def small_scenario(folder: Path, name: str, extra: str = "", days: int = 40) -> Path:
    """A fast scenario: the teaching scenario for ``days`` days from June (boats leave Libya and
    Tunisia in summer) with one agent per 250 persons."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nextends: {TEACHING}\ndescription: test scenario {name}\n"
        f"start_date: 2023-06-01\ndays: {days}\nscale: 0.004\nseeds: 3\n{extra}",
        encoding="utf-8",
    )
    return path


def compare_args(base: Path, *others: Path, out: Path, **options) -> argparse.Namespace:
    """The namespace the command line builds for ``compare``."""
    argv = ["compare", str(base), *map(str, others), "--out", str(out)]
    for key, value in options.items():
        argv += [f"--{key}"] if value is True else [f"--{key}", str(value)]
    return build_parser().parse_args(argv)


def fail_for_second_seed_of_other(task: RunTask) -> RunResult:
    """Runs the real model, except that the 'other' scenario's second seed breaks."""
    if Path(task.scenario_path).stem == "other" and task.seed == replication_seeds(7, 3)[1]:
        raise RuntimeError("simulated crash in a worker")
    return run_task(task)


def test_labels_are_file_safe_and_unique():
    assert unique_labels(["baseline", "baseline", "smo niger"]) == [
        "baseline",
        "baseline-2",
        "smo_niger",
    ]


def test_the_plan_takes_the_base_s_settings_unless_the_command_line_gives_them(tmp_path):
    base = small_scenario(tmp_path, "base", days=40)
    other = small_scenario(tmp_path, "other", days=90)
    plan = plan_comparison(compare_args(base, other, base, out=tmp_path / "o", scale=0.01))
    assert plan.labels == ["base", "other", "base-2"]
    assert (plan.days, plan.scale, plan.seeds) == (40, 0.01, replication_seeds(2023, 3))
    tasks = plan.tasks()
    assert [t.scenario_path for t in tasks[::3]] == [str(base), str(other), str(base)]
    assert [t.seed for t in tasks[:3]] == plan.seeds == [t.seed for t in tasks[3:6]]


def test_compare_help_names_its_own_default_folder():
    (compare_parser,) = [
        action.choices["compare"]
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    assert "results/compare-<base>-vs-<others>/<timestamp>" in compare_parser.format_help()


def test_a_bad_scenario_is_rejected_before_anything_runs(tmp_path):
    base = small_scenario(tmp_path, "base")
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\nextends: {TEACHING}\nscale: 7\n", encoding="utf-8")
    with pytest.raises(UserError):
        compare(compare_args(base, bad, out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_the_comparison_is_the_seed_by_seed_difference_of_the_saved_runs(tmp_path):
    base = small_scenario(tmp_path, "base")
    squeeze = small_scenario(tmp_path, "squeeze", SQUEEZE)
    out = tmp_path / "out"
    assert compare(compare_args(base, squeeze, out=out, workers=1)) == 0
    runs = {
        label: pd.read_csv(out / "runs" / label / "summary.csv").set_index(
            ["seed", "route", "metric"]
        )["value"]
        for label in ("base", "squeeze")
    }
    by_seed = (runs["squeeze"] - runs["base"]).unstack("seed")
    table = pd.read_csv(out / "comparison.csv").set_index(["scenario", "route", "metric"])
    row = table.loc[("squeeze", "central_med", "arrivals")]
    assert row["diff"] == pytest.approx(by_seed.loc[("central_med", "arrivals")].mean())
    assert row["diff_hi"] < 0  # more pullbacks off Tunisia and Libya: fewer arrivals in Italy
    header = (out / "runs" / "base" / "leg_flows.csv").read_text().splitlines()[0]
    assert header == "scenario,seed,leg,persons"  # the layout `run` writes


@pytest.mark.slow
def test_workers_do_not_change_a_single_byte_of_the_tables(tmp_path):
    base = small_scenario(tmp_path, "base", days=30)
    other = small_scenario(tmp_path, "other", SQUEEZE, days=30)
    folders = {}
    for workers in (1, 2):
        folders[workers] = tmp_path / f"w{workers}"
        assert compare(compare_args(base, other, out=folders[workers], workers=workers)) == 0
    names = ["comparison.csv", "displacement.csv"]
    names += [f"runs/{s}/{t}" for s in ("base", "other") for t in ("summary.csv", "leg_flows.csv")]
    names += ["runs/base/timeseries.csv"]
    for name in names:
        assert (folders[1] / name).read_bytes() == (folders[2] / name).read_bytes(), name


def test_a_failed_run_is_named_and_the_other_runs_are_kept(tmp_path, capsys):
    base = small_scenario(tmp_path, "base", days=20)
    other = small_scenario(tmp_path, "other", days=20)
    out = tmp_path / "out"
    args = compare_args(base, other, out=out, seed=7, workers=2, parquet=True)
    assert compare(args, task_function=fail_for_second_seed_of_other) == 1
    bad_seed = replication_seeds(7, 3)[1]
    err = capsys.readouterr().err
    assert f"{other} (seed {bad_seed})" in err and "simulated crash" in err
    kept = pd.read_csv(out / "runs" / "other" / "summary.csv")
    assert sorted(set(kept["seed"])) == sorted(set(replication_seeds(7, 3)) - {bad_seed})
    assert len(set(pd.read_csv(out / "runs" / "base" / "summary.csv")["seed"])) == 3
    assert (out / "comparison.csv").is_file() and (out / "report.html").is_file()
    assert (out / "runs" / "other" / "timeseries.parquet").is_file()
    assert f"seed {bad_seed}" in (out / "report.html").read_text(encoding="utf-8")
