"""sim.analysis.statistics: intervals over seeds, paired differences, route displacement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.statistics import (
    COMPARISON_COLUMNS,
    compare_wide,
    displacement,
    t_interval,
    wide_summary,
)
from sim.errors import UserError


def summary(values: dict[str, list[float]], metric: str = "arrivals") -> pd.DataFrame:
    """A summary table with one value per scenario and seed (seeds 0, 1, ...), route ``all``."""
    rows = [
        (scenario, seed, "all", metric, value)
        for scenario, per_seed in values.items()
        for seed, value in enumerate(per_seed)
    ]
    return pd.DataFrame(rows, columns=["scenario", "seed", "route", "metric", "value"])


def test_t_interval_matches_the_textbook_value():
    mean, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2 df) * sd / sqrt(n)
    assert mean[0] == 2.0
    assert lo[0] == pytest.approx(2.0 - half) and hi[0] == pytest.approx(2.0 + half)


@pytest.mark.parametrize("seeds", [3, 8])
def test_95_percent_intervals_cover_the_true_mean_95_times_in_100(seeds):
    # 4,000 experiments of `seeds` normal draws each: a normal quantile instead of Student's,
    # or the population sd instead of the sample's, would cover far less often with few seeds.
    draws = np.random.default_rng(2024).normal(10.0, 3.0, size=(seeds, 4000))
    _, lo, hi = t_interval(draws)
    coverage = np.mean((lo <= 10.0) & (10.0 <= hi))
    assert coverage == pytest.approx(0.95, abs=0.012)


def test_one_seed_gives_a_zero_width_interval_and_nan_is_left_out():
    mean, lo, hi = t_interval(np.array([[5.0, np.nan, 1.0], [np.nan, np.nan, 3.0]]))
    assert (mean[0], lo[0], hi[0]) == (5.0, 5.0, 5.0)
    assert np.isnan(mean[1]) and np.isnan(lo[1])
    assert mean[2] == 2.0 and lo[2] < 1.0 and hi[2] > 3.0


def test_differences_are_paired_by_seed():
    # Seed-to-seed noise is large, the effect (+1 on every seed) is exact: pairing removes the
    # noise, so the difference interval has zero width while the means' intervals are wide.
    wide = wide_summary(summary({"base": [10, 50, 90], "other": [11, 51, 91]}))
    table = compare_wide(wide, ["base", "other"], "base").set_index("scenario")
    other = table.loc["other"]
    assert list(table.columns) == COMPARISON_COLUMNS[1:]
    assert (other["diff"], other["diff_lo"], other["diff_hi"]) == (1.0, 1.0, 1.0)
    assert other["hi"] - other["lo"] > 100
    assert other["base_mean"] == 50.0 and other["rel_diff"] == pytest.approx(0.02)
    assert table.loc["base", "diff"] == 0.0


def test_only_seeds_both_scenarios_finished_are_paired():
    frame = summary({"base": [10, 50, 90], "other": [11, 51]})
    row = compare_wide(wide_summary(frame), ["base", "other"], "base").iloc[1]
    assert row["mean"] == 31.0 and row["base_mean"] == 30.0 and row["diff"] == 1.0


def test_rel_diff_is_empty_when_the_base_is_zero():
    wide = wide_summary(summary({"base": [0, 0], "other": [1, 3]}))
    row = compare_wide(wide, ["base", "other"], "base").iloc[1]
    assert row["diff"] == 2.0 and np.isnan(row["rel_diff"])


def test_deaths_per_1000_attempts_is_computed_per_seed_then_averaged():
    frame = pd.concat(
        [
            summary({"base": [10, 1]}, "dead_missing"),
            summary({"base": [1000, 1000]}, "attempts"),
            summary({"base": [0]}, "dead_missing").assign(route="atlantic"),
            summary({"base": [0]}, "attempts").assign(route="atlantic"),
        ]
    )
    wide = wide_summary(frame)
    assert wide[("all", "deaths_per_1000_attempts")].tolist() == [10.0, 1.0]
    assert np.isnan(wide[("atlantic", "deaths_per_1000_attempts")].iloc[0])
    table = compare_wide(wide, ["base"], "base")
    rate = table[(table.route == "all") & (table.metric == "deaths_per_1000_attempts")]
    assert rate["mean"].item() == 5.5


def test_a_repeated_summary_row_is_an_error():
    frame = summary({"base": [1, 2]})
    with pytest.raises(UserError, match="repeat"):
        wide_summary(pd.concat([frame, frame]))


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
    frame = pd.DataFrame(rows, columns=["scenario", "seed", "route", "metric", "value"])
    table = displacement(wide_summary(frame), ["base", "other"], "base").iloc[0]
    assert table["squeezed_routes"] == "central_med"
    assert table["arrivals_lost"] == 400 and table["arrivals_gained_elsewhere"] == 300
    assert table["ratio"] == pytest.approx(0.75)
    # Delta method: (gained - 0.75 lost) / 400 per seed is (0, -1.25, +1.25) / 400.
    half = 4.302652729911275 * 1.25 / 400 / np.sqrt(3)
    assert table["ratio_lo"] == pytest.approx(0.75 - half)
    assert table["ratio_hi"] == pytest.approx(0.75 + half)


def test_no_squeezed_route_leaves_the_ratio_empty():
    rows = [
        (scenario, seed, "central_med", "arrivals", 1000 + 10 * seed + (scenario == "other"))
        for scenario in ("base", "other")
        for seed in range(3)
    ]
    frame = pd.DataFrame(rows, columns=["scenario", "seed", "route", "metric", "value"])
    table = displacement(wide_summary(frame), ["base", "other"], "base").iloc[0]
    assert table["squeezed_routes"] == "" and np.isnan(table["ratio"])
