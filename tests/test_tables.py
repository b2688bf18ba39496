"""sim.execution.tables: one layout for the tables of runs, whoever writes them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.execution.runner import RunResult
from sim.execution.tables import read_run_table, write_run_tables


def result(seed: int, legs: list[str], flows: list[float]) -> RunResult:
    """A small run result with one summary row and one time-series row."""
    summary = pd.DataFrame(
        {"scenario": ["teaching"], "seed": [seed], "route": ["all"], "metric": ["arrivals"],
         "value": [10.0 * seed]}
    )  # fmt: skip
    series = pd.DataFrame(
        {"scenario": ["teaching"], "seed": [seed], "day": [0], "date": ["2023-01-01"],
         "route": ["all"], "metric": ["arrivals"], "value": [float(seed)]}
    )  # fmt: skip
    return RunResult("teaching", seed, series, summary, np.array(flows), legs)


def test_leg_flows_are_named_by_the_leg_ids_each_result_carries(tmp_path):
    runs = [result(1, ["a-b", "b-c"], [5.0, 0.0]), result(2, ["a-b", "b-c"], [1.0, 2.0])]
    write_run_tables(tmp_path, runs)
    assert (tmp_path / "leg_flows.csv").read_text() == (
        "scenario,seed,leg,persons\n"
        "teaching,1,a-b,5.0\nteaching,1,b-c,0.0\nteaching,2,a-b,1.0\nteaching,2,b-c,2.0\n"
    )


def test_a_label_names_the_scenario_in_every_table(tmp_path):
    write_run_tables(tmp_path, [result(3, ["a-b"], [1.0])], label="teaching-2", parquet=True)
    assert not (tmp_path / "timeseries.csv").exists()
    for name in ("summary", "timeseries", "leg_flows"):
        assert read_run_table(tmp_path, name)["scenario"].tolist() == ["teaching-2"], name
    assert read_run_table(tmp_path, "missing") is None


def test_summary_and_timeseries_are_the_results_tables_in_order(tmp_path):
    runs = [result(2, ["a-b"], [0.0]), result(1, ["a-b"], [0.0])]
    write_run_tables(tmp_path, runs)
    assert (tmp_path / "summary.csv").read_text().splitlines() == [
        "scenario,seed,route,metric,value",
        "teaching,2,all,arrivals,20.0",
        "teaching,1,all,arrivals,10.0",
    ]
    assert read_run_table(tmp_path, "timeseries")["seed"].tolist() == [2, 1]
