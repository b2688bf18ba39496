"""Comparing scenarios: the same seeds for every scenario, paired differences, 95% intervals.

``python run.py compare BASE OTHER...`` runs every scenario with the same replication seeds
(common random numbers: seed *k* of every scenario draws from the same random streams, so the
difference between two scenarios at seed *k* is due to the policies, not to luck). It writes to
one folder:

- ``runs/<scenario>/summary.csv``, ``timeseries.csv`` (or ``.parquet``) and ``leg_flows.csv``
  (persons who crossed each leg, per seed): the tables of every run, all seeds together;
- ``comparison.csv``: per scenario, route and metric, the mean over seeds with its 95%
  t-interval (``mean, lo, hi``), the base's mean over the same seeds (``base_mean``) and the
  mean paired difference to the base with its 95% t-interval (``diff, diff_lo, diff_hi``)
  and ``rel_diff = diff / base_mean`` (empty when ``base_mean`` is 0). With one seed there is
  no spread to measure: ``lo = hi = mean`` and ``diff_lo = diff_hi = diff``;
- ``displacement.csv``: how much of the arrivals lost on squeezed routes reappear on others;
- ``manifest.json``: the scenarios (path, hash, resolved content), seeds, versions, timings;
- ``report.html`` and ``report.md`` (see :mod:`sim.report`).

The statistics are pure functions of the saved ``summary`` tables, so ``python run.py report
DIR`` rebuilds everything downstream without rerunning.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.execution.pool import (
    Task,
    TaskError,
    environment,
    failures,
    run_tasks,
    simulate_task,
    write_json_atomic,
    write_table_atomic,
)
from sim.network import ROUTES

#: Route ids in the order of report tables: ``all`` first, then the five routes.
ROUTE_ORDER: tuple[str, ...] = ("all", *ROUTES)
COMPARISON_COLUMNS = [
    "scenario", "route", "metric", "mean", "lo", "hi",
    "base_mean", "diff", "diff_lo", "diff_hi", "rel_diff",
]  # fmt: skip
DISPLACEMENT_COLUMNS = [
    "scenario", "squeezed_routes", "arrivals_lost", "arrivals_gained_elsewhere",
    "ratio", "ratio_lo", "ratio_hi", "seeds",
]  # fmt: skip
#: Derived per-seed metrics: name -> (numerator, denominator, multiplier).
DERIVED_METRICS: dict[str, tuple[str, str, float]] = {
    "deaths_per_1000_attempts": ("dead_missing", "attempts", 1000.0),
}
ARRIVALS = "arrivals"


@dataclass
class ComparisonPlan:
    """Everything decided before the first run: scenarios, their labels, seeds, days, scale."""

    scenarios: list[Any]
    labels: list[str]
    seeds: list[int]
    root_seed: int
    days: int | None
    scale: float | None
    check: bool
    out: Path
    parquet: bool = False
    argv: list[str] = field(default_factory=lambda: list(sys.argv))

    @property
    def base(self) -> str:
        """The base scenario's label."""
        return self.labels[0]

    def tasks(self) -> list[Task]:
        """One task per (scenario, seed), scenario-major, in the order of the command line."""
        return [
            (str(s.path), seed, self.days, self.scale, self.check)
            for s in self.scenarios
            for seed in self.seeds
        ]


# --------------------------------------------------------------------------- statistics


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, ...]:
    """Column-wise mean and two-sided t-interval of ``values`` (rows = seeds; NaN ignored).

    Returns ``(mean, lo, hi)``. With one finite value the interval is the value itself; with
    none, NaN. Exactly equal values give a zero-width interval.
    """
    from scipy.stats import t as student_t

    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    finite = np.isfinite(values)
    n = finite.sum(axis=0)
    filled = np.where(finite, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        squares = np.where(finite, (values - mean) ** 2, 0.0).sum(axis=0)
        sd = np.sqrt(squares / np.maximum(n - 1, 1))
        # One quantile per distinct number of seeds (scipy's ppf is slow element by element).
        counts, where = np.unique(n, return_inverse=True)
        quantile = student_t.ppf(0.5 + level / 2, np.maximum(counts - 1, 1))[where.ravel()]
        half = np.where(n > 1, quantile * sd / np.sqrt(n), 0.0)
    return mean, mean - half, mean + half


def _route_key(route: str) -> tuple[int, str]:
    return (ROUTE_ORDER.index(route), "") if route in ROUTE_ORDER else (len(ROUTE_ORDER), route)


def wide_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Summary rows as a table: one row per (scenario, seed), one column per (route, metric).

    Values a run left undefined (a ratio with nothing to divide by) or did not report are NaN
    and are left out of means and intervals. Derived metrics (see ``DERIVED_METRICS``) are
    computed per seed, NaN where the denominator is 0. Columns are ordered by route (``all``
    first) and by each metric's first appearance in ``summary``.
    """
    metrics = list(dict.fromkeys(summary["metric"]))
    routes = sorted(dict.fromkeys(summary["route"]), key=_route_key)
    wide = summary.set_index(["scenario", "seed", "route", "metric"])["value"].astype(float)
    if wide.index.duplicated().any():
        raise UserError("summary tables repeat a (scenario, seed, route, metric) row.")
    wide = wide.unstack(["route", "metric"])
    for name, (numerator, denominator, factor) in DERIVED_METRICS.items():
        if numerator not in metrics or denominator not in metrics or name in metrics:
            continue
        metrics.append(name)
        for route in routes:
            top = wide.get((route, numerator))
            bottom = wide.get((route, denominator))
            if top is None or bottom is None:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                wide[(route, name)] = np.where(bottom > 0, factor * top / bottom, np.nan)
    columns = pd.MultiIndex.from_tuples(
        [(r, m) for r in routes for m in metrics if (r, m) in wide.columns],
        names=["route", "metric"],
    )
    return wide.reindex(columns=columns).sort_index(
        level=["scenario", "seed"], sort_remaining=False
    )


def compare_wide(wide: pd.DataFrame, labels: Sequence[str], base: str) -> pd.DataFrame:
    """The comparison table (``COMPARISON_COLUMNS``) from a :func:`wide_summary`.

    Differences are paired by seed: only seeds where both the scenario and the base finished
    (and the value is defined) enter ``base_mean``, ``diff`` and its interval.
    """
    base_rows = wide.loc[base] if base in wide.index.get_level_values(0) else None
    frames = []
    for label in labels:
        if label not in wide.index.get_level_values(0):
            continue
        rows = wide.loc[label]
        mean, lo, hi = t_interval(rows.to_numpy())
        if base_rows is not None:
            seeds = rows.index.intersection(base_rows.index)
            other = rows.loc[seeds].to_numpy()
            reference = base_rows.loc[seeds].to_numpy()
            paired = np.isfinite(other) & np.isfinite(reference)
            reference = np.where(paired, reference, np.nan)
            base_mean = t_interval(reference)[0]
            diff, diff_lo, diff_hi = t_interval(np.where(paired, other - reference, np.nan))
        else:
            base_mean = diff = diff_lo = diff_hi = np.full(len(mean), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel_diff = np.where(base_mean != 0, diff / base_mean, np.nan)
        frame = pd.DataFrame(
            {
                "scenario": label,
                "route": rows.columns.get_level_values(0),
                "metric": rows.columns.get_level_values(1),
                "mean": mean,
                "lo": lo,
                "hi": hi,
                "base_mean": base_mean,
                "diff": diff,
                "diff_lo": diff_lo,
                "diff_hi": diff_hi,
                "rel_diff": rel_diff,
            }
        )
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    return pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]


def displacement(wide: pd.DataFrame, labels: Sequence[str], base: str) -> pd.DataFrame:
    """Route displacement of arrivals for each non-base scenario (``DISPLACEMENT_COLUMNS``).

    The *squeezed* routes are those where the scenario clearly lowers arrivals: the 95%
    interval of the paired difference lies below zero (with one seed: the difference is
    negative). Per seed, ``lost`` is the arrivals lost on them and ``gained`` the net change on
    all other routes; the ratio is ``mean(gained) / mean(lost)`` (1 = every lost arrival
    reappears elsewhere, 0 = none does, negative = arrivals fell elsewhere too), with a 95%
    t-interval by the delta method over seeds. With no squeezed route the ratio is empty.
    """
    rows = []
    base_present = base in wide.index.get_level_values(0)
    columns = [(r, ARRIVALS) for r in ROUTES if (r, ARRIVALS) in wide.columns]
    for label in labels:
        if label == base or not base_present or not columns:
            continue
        if label not in wide.index.get_level_values(0):
            continue
        seeds = wide.loc[label].index.intersection(wide.loc[base].index)
        if len(seeds) == 0:
            continue
        diffs = (
            wide.loc[label].loc[seeds, columns].to_numpy()
            - wide.loc[base].loc[seeds, columns].to_numpy()
        )
        squeezed = t_interval(diffs)[2] < 0
        lost = -diffs[:, squeezed].sum(axis=1)
        gained = diffs[:, ~squeezed].sum(axis=1)
        ratio = ratio_lo = ratio_hi = np.nan
        if squeezed.any() and lost.mean() > 0:
            ratio = gained.mean() / lost.mean()
            _, lo, hi = t_interval((gained - ratio * lost) / lost.mean())
            ratio_lo, ratio_hi = ratio + lo[0], ratio + hi[0]
        rows.append(
            {
                "scenario": label,
                "squeezed_routes": ";".join(
                    r for (r, _), s in zip(columns, squeezed, strict=True) if s
                ),
                "arrivals_lost": lost.mean(),
                "arrivals_gained_elsewhere": gained.mean(),
                "ratio": ratio,
                "ratio_lo": ratio_lo,
                "ratio_hi": ratio_hi,
                "seeds": len(seeds),
            }
        )
    return pd.DataFrame(rows, columns=DISPLACEMENT_COLUMNS)


# --------------------------------------------------------------------------- planning


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "scenario"


def unique_labels(names: Sequence[str]) -> list[str]:
    """File-safe labels for scenario names; repeats get ``-2``, ``-3``... (a scenario compared
    with itself is allowed)."""
    labels: list[str] = []
    for name in names:
        label, k = _safe(name), 2
        while label in labels:
            label = f"{_safe(name)}-{k}"
            k += 1
        labels.append(label)
    return labels


def default_out(labels: Sequence[str], root: Path = Path("results")) -> Path:
    """``results/compare-<base>-vs-<others>/<timestamp>`` (a fresh folder)."""
    others = "+".join(labels[1:])
    if len(others) > 80:
        others = f"{others[:70]}+{len(labels) - 1}-scenarios"
    parent = root / f"compare-{labels[0]}-vs-{others}"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out, k = parent / stamp, 2
    while out.exists():
        out, k = parent / f"{stamp}-{k}", k + 1
    return out


def plan_comparison(args: argparse.Namespace) -> ComparisonPlan:
    """Load and check every scenario and option before anything runs (raises UserError)."""
    from sim.execution.runner import check_run_options, replication_seeds
    from sim.scenario.loading import load_scenario

    n = getattr(args, "seeds", None)
    days = getattr(args, "days", None)
    scale = getattr(args, "scale", None)
    check_run_options(days=days, scale=scale, seeds=n)
    scenarios = [load_scenario(path) for path in [args.base, *args.others]]
    base = scenarios[0]
    n = n if n is not None else base.seeds
    root = args.seed if getattr(args, "seed", None) is not None else base.seed
    days = days if days is not None else base.days
    scale = scale if scale is not None else base.scale
    labels = unique_labels([s.name for s in scenarios])
    out = Path(args.out) if getattr(args, "out", None) else default_out(labels)
    return ComparisonPlan(
        scenarios=scenarios,
        labels=labels,
        seeds=[int(s) for s in replication_seeds(int(root), int(n))],
        root_seed=int(root),
        days=None if days is None else int(days),
        scale=None if scale is None else float(scale),
        check=bool(getattr(args, "check", False)),
        out=out,
        parquet=bool(getattr(args, "parquet", False)),
    )


# --------------------------------------------------------------------------- writing


def write_run_tables(folder: Path, label: str, runs: Sequence[Any], parquet: bool) -> None:
    """Write one scenario's runs (all seeds, in seed order) under ``folder/runs/<label>/``."""
    where = folder / "runs" / label
    summary = pd.concat([r.summary for r in runs], ignore_index=True).assign(scenario=label)
    series = pd.concat([r.timeseries for r in runs], ignore_index=True).assign(scenario=label)
    write_table_atomic(where / "summary.csv", summary)
    write_table_atomic(where / ("timeseries.parquet" if parquet else "timeseries.csv"), series)
    from sim.network import load_network

    legs = load_network().leg_ids  # overrides change legs' attributes, never their ids
    flows = pd.concat(
        [
            pd.DataFrame(
                {"scenario": label, "seed": r.seed, "leg": legs, "persons": np.asarray(r.leg_flows)}
            )
            for r in runs
        ],
        ignore_index=True,
    )
    write_table_atomic(where / "leg_flows.csv", flows)


def read_summaries(folder: Path, labels: Sequence[str]) -> pd.DataFrame:
    """The saved ``runs/<label>/summary.csv`` tables of ``folder`` as one (missing skipped)."""
    frames = [
        pd.read_csv(folder / "runs" / label / "summary.csv")
        for label in labels
        if (folder / "runs" / label / "summary.csv").is_file()
    ]
    if not frames:
        raise UserError(f"{folder}: no runs/<scenario>/summary.csv to compare.")
    return pd.concat(frames, ignore_index=True)


def write_comparison_tables(folder: Path, labels: Sequence[str], base: str) -> pd.DataFrame:
    """Compute ``comparison.csv`` and ``displacement.csv`` from the saved summaries."""
    wide = wide_summary(read_summaries(folder, labels))
    table = compare_wide(wide, labels, base)
    write_table_atomic(folder / "comparison.csv", table)
    write_table_atomic(folder / "displacement.csv", displacement(wide, labels, base))
    return table


def build_manifest(
    plan: ComparisonPlan, tasks: Sequence[Task], results: Sequence[Any], wall_seconds: float
) -> dict[str, Any]:
    """The provenance of a comparison: scenarios, seeds, options, versions, per-run stats."""
    runs = []
    for i, (task, result) in enumerate(zip(tasks, results, strict=True)):
        label = plan.labels[i // len(plan.seeds)]
        if isinstance(result, TaskError):
            runs.append({"scenario": label, "seed": task[1], "ok": False, "error": result.message})
        else:
            runs.append({"scenario": label, "seed": task[1], "ok": True, "stats": result.stats})
    return {
        "kind": "comparison",
        "base": plan.base,
        "scenarios": [
            {
                "label": label,
                "name": s.name,
                "path": str(s.path),
                "sha256": s.sha256,
                "description": getattr(s, "description", ""),
                "resolved": s.to_dict(),
            }
            for label, s in zip(plan.labels, plan.scenarios, strict=True)
        ],
        "root_seed": plan.root_seed,
        "seeds": plan.seeds,
        "days": plan.days,
        "scale": plan.scale,
        "check": plan.check,
        "timeseries_format": "parquet" if plan.parquet else "csv",
        "command": plan.argv,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        **environment(),
        "runs": runs,
    }


def run_comparison(args: argparse.Namespace, func: Callable[[Task], Any] = simulate_task) -> int:
    """``compare_command`` with the per-task function exposed (for tests)."""
    from sim.analysis.report import build_report

    plan = plan_comparison(args)
    tasks = plan.tasks()
    started = time.perf_counter()
    results = run_tasks(tasks, getattr(args, "workers", None), desc="runs", func=func)
    wall = time.perf_counter() - started
    n_seeds = len(plan.seeds)
    finished: dict[str, list[Any]] = {}
    for k, label in enumerate(plan.labels):
        chunk = results[k * n_seeds : (k + 1) * n_seeds]
        runs = [r for r in chunk if not isinstance(r, TaskError)]
        finished[label] = runs
        if runs:
            write_run_tables(plan.out, label, runs, plan.parquet)
    write_json_atomic(plan.out / "manifest.json", build_manifest(plan, tasks, results, wall))
    failed = failures(results)
    report = None
    if any(finished.values()):
        write_comparison_tables(plan.out, [lb for lb in plan.labels if finished[lb]], plan.base)
        if finished[plan.base]:
            report = build_report(plan.out)[0]
    print(f"results in {plan.out}")
    if report is not None:
        print(f"report: {report}")
    for error in failed:
        print(f"run failed: {error}", file=sys.stderr)
    if failed:
        print(
            f"{len(failed)} of {len(tasks)} runs failed; the others' results are kept.",
            file=sys.stderr,
        )
        return 1
    return 0


def compare_command(args: argparse.Namespace) -> int:
    """``python run.py compare BASE OTHER...``: run, write tables and the report; exit code."""
    return run_comparison(args)
