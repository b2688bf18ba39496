"""The report's composition section (sim/analysis/composition.py), from breakdown tables."""

from __future__ import annotations

import pandas as pd

from sim.analysis.composition import TOP, composition_table


def frame(label: str, seeds: dict[int, dict[str, float]], route: str = "atlantic") -> pd.DataFrame:
    rows = [
        (label, seed, route, "arrivals", "nationality", category, value)
        for seed, values in seeds.items()
        for category, value in values.items()
    ]
    columns = ["scenario", "seed", "route", "metric", "by", "category", "value"]
    return pd.DataFrame(rows, columns=columns)


def test_shares_are_of_the_routes_total_with_means_over_seeds_and_absent_as_zero():
    base = frame("base", {1: {"MAR": 300.0, "SEN": 100.0}, 2: {"MAR": 100.0}})
    other = frame("other", {1: {"SEN": 400.0}, 2: {"SEN": 200.0, "GIN": 200.0}})
    table = composition_table({"base": base, "other": other}, "base", "arrivals", "nationality")
    rows = {row[1]: row[2:] for row in table.rows}
    assert list(rows) == ["MAR", "SEN", "GIN"]  # the base's order, then the others' categories
    assert rows["MAR"] == ["200 (80%)", "0 (0%)"]
    assert rows["SEN"] == ["50 (20%)", "300 (75%)"]
    assert rows["GIN"] == ["0 (0%)", "100 (25%)"]
    assert table.headers == ["Route", "Nationality", "base", "other"]


def test_small_categories_are_summed_as_others():
    values = {f"N{k:02d}": float(100 - k) for k in range(TOP + 3)}
    table = composition_table({"base": frame("base", {1: values})}, "base", "arrivals",
                              "nationality")  # fmt: skip
    assert [row[1] for row in table.rows][-1] == "others"
    assert len(table.rows) == TOP + 1
    hidden = sum(sorted(values.values())[:3])
    assert table.rows[-1][2].startswith(f"{hidden:.0f} (")
