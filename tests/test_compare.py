"""Tests for sim.compare: paired comparisons with intervals, and the compare command end to end.

The end-to-end tests run small scenarios (written to tmp_path, extending the repository's
teaching scenario with a short horizon and few agents) through the real model and processes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.comparison import (
    COMPARISON_COLUMNS,
    compare_wide,
    displacement,
    run_comparison,
    t_interval,
    unique_labels,
    wide_summary,
)
from sim.errors import UserError
from sim.execution.pool import simulate_task

REPO = Path(__file__).resolve().parent.parent
TEACHING = REPO / "scenarios" / "teaching.yaml"


def small_scenario(folder: Path, name: str, extra: str = "", days: int = 40) -> Path:
    """A fast scenario: the teaching scenario for ``days`` days with one agent per 250 persons."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nextends: {TEACHING}\ndescription: test scenario {name}\n"
        f"days: {days}\nscale: 0.004\nseeds: 3\n{extra}",
        encoding="utf-8",
    )
    return path


def compare_args(base: Path, *others: Path, out: Path, **options) -> argparse.Namespace:
    """The namespace the command line would build for ``compare``."""
    defaults = dict(seeds=None, seed=None, days=None, scale=None, workers=1, check=False)
    defaults.update(options)
    return argparse.Namespace(
        base=str(base), others=[str(o) for o in others], out=str(out), parquet=False, **defaults
    )


def fail_for_second_seed_of_other(task: tuple) -> object:
    """Runs the real model, except that the 'other' scenario's second seed breaks."""
    from sim.execution.runner import replication_seeds

    if Path(task[0]).stem == "other" and task[1] == replication_seeds(7, 3)[1]:
        raise RuntimeError("simulated crash in a worker")
    return simulate_task(task)


def _summary(values: dict[str, list[float]], metric: str = "arrivals") -> pd.DataFrame:
    rows = [
        (scenario, seed, route, metric, value)
        for scenario, per_seed in values.items()
        for seed, value in enumerate(per_seed)
        for route in ("all",)
    ]
    return pd.DataFrame(rows, columns=["scenario", "seed", "route", "metric", "value"])


# --------------------------------------------------------------------------- statistics


def test_t_interval_matches_the_textbook_value():
    mean, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2 df) * sd / sqrt(n)
    assert mean[0] == 2.0
    assert lo[0] == pytest.approx(2.0 - half) and hi[0] == pytest.approx(2.0 + half)


def test_one_seed_gives_a_zero_width_interval_and_nan_is_left_out():
    mean, lo, hi = t_interval(np.array([[5.0, np.nan], [np.nan, np.nan]]))
    assert (mean[0], lo[0], hi[0]) == (5.0, 5.0, 5.0)
    assert np.isnan(mean[1]) and np.isnan(lo[1])


def test_differences_are_paired_by_seed():
    # Seed-to-seed noise is large, the effect (+1 on every seed) is exact: pairing removes the
    # noise, so the difference interval has zero width while the means' intervals are wide.
    wide = wide_summary(_summary({"base": [10, 50, 90], "other": [11, 51, 91]}))
    table = compare_wide(wide, ["base", "other"], "base").set_index("scenario")
    other = table.loc["other"]
    assert list(table.columns) == COMPARISON_COLUMNS[1:]
    assert (other["diff"], other["diff_lo"], other["diff_hi"]) == (1.0, 1.0, 1.0)
    assert other["hi"] - other["lo"] > 100
    assert other["base_mean"] == 50.0 and other["rel_diff"] == pytest.approx(0.02)
    assert table.loc["base", "diff"] == 0.0


def test_rel_diff_is_empty_when_the_base_is_zero():
    wide = wide_summary(_summary({"base": [0, 0], "other": [1, 3]}))
    row = compare_wide(wide, ["base", "other"], "base").iloc[1]
    assert row["diff"] == 2.0 and np.isnan(row["rel_diff"])


def test_deaths_per_1000_attempts_is_computed_per_seed_then_averaged():
    summary = pd.concat(
        [
            _summary({"base": [10, 1]}, "dead_missing"),
            _summary({"base": [1000, 1000]}, "attempts"),
            _summary({"base": [0]}, "dead_missing").assign(route="atlantic"),
            _summary({"base": [0]}, "attempts").assign(route="atlantic"),
        ]
    )
    wide = wide_summary(summary)
    assert wide[("all", "deaths_per_1000_attempts")].tolist() == [10.0, 1.0]
    assert np.isnan(wide[("atlantic", "deaths_per_1000_attempts")].iloc[0])
    table = compare_wide(wide, ["base"], "base")
    rate = table[(table.route == "all") & (table.metric == "deaths_per_1000_attempts")]
    assert rate["mean"].item() == 5.5


def test_displacement_ratio_counts_arrivals_that_reappear_on_other_routes():
    rows = []
    for seed, noise in enumerate([0.0, 5.0, -5.0]):
        for route, base, other in (
            ("central_med", 1000, 600 + noise),  # squeezed: -400
            ("atlantic", 500, 800 - noise),  # +300
            ("western_balkans", 700, 700),
        ):
            rows += [("base", seed, route, "arrivals", base)]
            rows += [("other", seed, route, "arrivals", other)]
    summary = pd.DataFrame(rows, columns=["scenario", "seed", "route", "metric", "value"])
    table = displacement(wide_summary(summary), ["base", "other"], "base").iloc[0]
    assert table["squeezed_routes"] == "central_med"
    assert table["arrivals_lost"] == 400 and table["arrivals_gained_elsewhere"] == 300
    assert table["ratio"] == pytest.approx(0.75)
    assert table["ratio_lo"] < 0.75 < table["ratio_hi"]


def test_labels_are_file_safe_and_unique():
    assert unique_labels(["baseline", "baseline", "smo niger"]) == [
        "baseline",
        "baseline-2",
        "smo_niger",
    ]


# --------------------------------------------------------------------------- end to end


def test_a_bad_scenario_is_rejected_before_anything_runs(tmp_path):
    base = small_scenario(tmp_path, "base")
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\nextends: {TEACHING}\nscale: 7\n", encoding="utf-8")
    with pytest.raises(UserError):
        run_comparison(compare_args(base, bad, out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_a_scenario_compared_with_itself_has_every_difference_exactly_zero(tmp_path):
    base = small_scenario(tmp_path, "base")
    out = tmp_path / "out"
    assert run_comparison(compare_args(base, base, out=out, seeds=3)) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"base", "base-2"}
    defined = table.dropna(subset=["mean"])
    assert (defined["diff"] == 0).all()
    assert (defined["diff_lo"] == 0).all() and (defined["diff_hi"] == 0).all()
    assert table.loc[table.metric == "arrivals", "mean"].max() > 0


def test_intervals_shrink_as_seeds_grow(tmp_path):
    base = small_scenario(tmp_path, "base", days=30)
    widths = {}
    for n in (3, 8):
        out = tmp_path / f"out{n}"
        assert run_comparison(compare_args(base, out=out, seeds=n, workers=1)) == 0
        table = pd.read_csv(out / "comparison.csv")
        rows = table[(table.scenario == "base") & (table.metric == "arrivals")]
        widths[n] = (rows["hi"] - rows["lo"]).sum()
    assert 0 < widths[8] < widths[3]


@pytest.mark.slow
def test_workers_do_not_change_a_single_byte_of_the_tables(tmp_path):
    base = small_scenario(tmp_path, "base", days=30)
    other = small_scenario(
        tmp_path, "other", days=30, extra="parameters:\n  interception_rate: {TUN: 0.8}\n"
    )
    folders = {}
    for workers in (1, 2):
        folders[workers] = tmp_path / f"w{workers}"
        args = compare_args(base, other, out=folders[workers], seeds=3, workers=workers)
        assert run_comparison(args) == 0
    names = ["comparison.csv", "displacement.csv"]
    names += [f"runs/{s}/{t}" for s in ("base", "other") for t in ("summary.csv", "leg_flows.csv")]
    names += ["runs/base/timeseries.csv"]
    for name in names:
        assert (folders[1] / name).read_bytes() == (folders[2] / name).read_bytes(), name


def test_a_failed_run_is_named_and_the_other_runs_are_kept(tmp_path, capsys):
    base = small_scenario(tmp_path, "base", days=20)
    other = small_scenario(tmp_path, "other", days=20)
    out = tmp_path / "out"
    args = compare_args(base, other, out=out, seeds=3, seed=7, workers=2)
    args.parquet = True
    assert run_comparison(args, func=fail_for_second_seed_of_other) != 0
    from sim.execution.runner import replication_seeds

    bad_seed = replication_seeds(7, 3)[1]
    err = capsys.readouterr().err
    assert f"{other} (seed {bad_seed})" in err and "simulated crash" in err
    kept = pd.read_csv(out / "runs" / "other" / "summary.csv")
    assert sorted(set(kept["seed"])) == sorted(set(replication_seeds(7, 3)) - {bad_seed})
    assert len(set(pd.read_csv(out / "runs" / "base" / "summary.csv")["seed"])) == 3
    assert (out / "comparison.csv").is_file() and (out / "report.html").is_file()
    assert (out / "runs" / "other" / "timeseries.parquet").is_file()
    assert f"seed {bad_seed}" in (out / "report.html").read_text(encoding="utf-8")
