"""The tables of a set of runs, written in one layout by ``run`` and ``compare`` alike.

One folder holds the runs of one scenario, all seeds together, in seed order:

- ``summary.csv``: ``scenario, seed, route, metric, value``;
- ``timeseries.csv`` (or ``timeseries.parquet``): ``scenario, seed, day, date, route, metric,
  value``;
- ``leg_flows.csv``: ``scenario, seed, leg, persons`` (persons who crossed each leg);
- ``breakdown.csv``: ``scenario, seed, route, metric, by, category, value``: the flows split by
  mode, segment, state, nationality, pathway or place (totals over the run; categories absent
  on a route are 0);
- ``breakdown_monthly.csv``: ``scenario, seed, route, metric, by, category, month, value``: the
  same per calendar month of the run (``YYYY-MM``), for figures reported over part of a year;
- ``country_stocks.csv``: ``scenario, seed, day, date, country, metric, value`` (people
  stranded and settled in each transit country, per day).

``scenario`` is the scenario's name, or the label ``compare`` gives it (a scenario compared with
itself is labelled ``<name>-2``). :func:`read_run_table` reads them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.execution.files import write_table_atomic
from sim.execution.runner import RunResult

SUMMARY = "summary"
TIMESERIES = "timeseries"
LEG_FLOWS = "leg_flows"
BREAKDOWN = "breakdown"
BREAKDOWN_MONTHLY = "breakdown_monthly"
COUNTRY_STOCKS = "country_stocks"
LEG_FLOW_COLUMNS = ["scenario", "seed", "leg", "persons"]


def leg_flows_frame(results: Sequence[RunResult], label: str | None = None) -> pd.DataFrame:
    """Persons per leg and seed (``LEG_FLOW_COLUMNS``), from the leg ids each run carries."""
    frames = [
        pd.DataFrame(
            {
                "scenario": label or r.scenario,
                "seed": r.seed,
                "leg": r.leg_ids,
                "persons": r.leg_flows,
            }
        )
        for r in results
    ]
    return pd.concat(frames, ignore_index=True)[LEG_FLOW_COLUMNS]


def write_run_tables(
    folder: str | Path,
    results: Sequence[RunResult],
    label: str | None = None,
    parquet: bool = False,
) -> list[Path]:
    """Write the summary, time series, leg flows, breakdowns and country stocks of ``results``
    (one scenario, in seed order) to ``folder``, atomically; return the paths written.

    ``label`` replaces the scenario's name in the ``scenario`` column; ``parquet`` writes the
    time series as Parquet instead of CSV.
    """
    folder = Path(folder)
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    series = pd.concat([r.timeseries for r in results], ignore_index=True)
    breakdown = pd.concat([r.breakdown for r in results], ignore_index=True)
    monthly = pd.concat([r.breakdown_monthly for r in results], ignore_index=True)
    countries = pd.concat([r.country_stocks for r in results], ignore_index=True)
    if label is not None:
        summary = summary.assign(scenario=label)
        series = series.assign(scenario=label)
        breakdown = breakdown.assign(scenario=label)
        monthly = monthly.assign(scenario=label)
        countries = countries.assign(scenario=label)
    series_name = f"{TIMESERIES}.parquet" if parquet else f"{TIMESERIES}.csv"
    return [
        write_table_atomic(folder / f"{SUMMARY}.csv", summary),
        write_table_atomic(folder / series_name, series),
        write_table_atomic(folder / f"{LEG_FLOWS}.csv", leg_flows_frame(results, label)),
        write_table_atomic(folder / f"{BREAKDOWN}.csv", breakdown),
        write_table_atomic(folder / f"{BREAKDOWN_MONTHLY}.csv", monthly),
        write_table_atomic(folder / f"{COUNTRY_STOCKS}.csv", countries),
    ]


def read_run_table(folder: str | Path, name: str) -> pd.DataFrame | None:
    """``folder/<name>.parquet`` or ``folder/<name>.csv`` as written by
    :func:`write_run_tables`, or None if neither exists."""
    for suffix in (".parquet", ".csv"):
        path = Path(folder) / f"{name}{suffix}"
        if path.is_file():
            return pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    return None
