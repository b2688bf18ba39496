"""``mixmig run SCENARIO``: run a scenario's replications and write their tables.

The replications run on a process pool (:func:`sim.execution.pool.run_tasks` with
:func:`sim.execution.runner.run_task`); the tables are written by
:func:`sim.execution.tables.write_run_tables`, with ``manifest.json`` beside them, in the output
folder (default ``results/<scenario>/<timestamp>/``). Per-route totals are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd

from sim.execution.files import write_json_atomic
from sim.execution.pool import failures, run_tasks
from sim.execution.provenance import environment
from sim.execution.runner import (
    RunResult,
    RunTask,
    check_run_options,
    replication_seeds,
    run_task,
)
from sim.execution.tables import write_run_tables
from sim.outputs.metrics import HEADLINE_METRICS
from sim.scenario.loading import load_scenario

#: The totals printed after a run: the registry's headline metrics (every metric is in
#: summary.csv).
TOTALS = HEADLINE_METRICS


def default_out_dir(name: str) -> Path:
    """``results/<scenario>/<timestamp>``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / name / stamp


def format_totals(summary: pd.DataFrame) -> str:
    """A per-route table of the main totals (:data:`TOTALS`), averaged over seeds."""
    table = (
        summary[summary.metric.isin(TOTALS)]
        .groupby(["route", "metric"], sort=False)["value"]
        .mean()
        .unstack("metric")
    )
    table = table[list(TOTALS)]
    lines = ["route            " + " ".join(f"{m[:12]:>13}" for m in TOTALS)]
    for route, row in table.iterrows():
        lines.append(f"{route:<16} " + " ".join(f"{v:>13,.0f}" for v in row.to_numpy()))
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """Run the replications, write the tables and the manifest; 1 if any run failed."""
    check_run_options(args.days, args.scale, args.seeds)
    scenario = load_scenario(args.scenario)
    n_seeds = args.seeds or scenario.seeds
    root = scenario.seed if args.seed is None else args.seed
    seeds = replication_seeds(root, n_seeds)
    days = args.days or scenario.days
    scale = args.scale or scenario.scale
    out = Path(args.out) if args.out else default_out_dir(scenario.name)
    tasks = [RunTask(str(scenario.path), s, days, scale, bool(args.check)) for s in seeds]
    started = time.perf_counter()
    results = run_tasks(tasks, run_task, args.workers, desc=scenario.name)
    done = [r for r in results if isinstance(r, RunResult)]
    if done:
        write_run_tables(out, done, parquet=args.parquet)
    manifest = {
        "command": "run",
        "scenario": {
            "path": str(scenario.path),
            "name": scenario.name,
            "sha256": scenario.sha256,
            "resolved": scenario.to_dict(),
        },
        "root_seed": root,
        "seeds": seeds,
        "days": days,
        "scale": scale,
        "wall_seconds": round(time.perf_counter() - started, 3),
        "runs": [{"seed": r.seed, **r.stats} for r in done],
        "failed": [str(e) for e in failures(results)],
        **environment(),
    }
    write_json_atomic(out / "manifest.json", manifest)
    if done:
        print(
            f"{scenario.name}: {len(done)} run(s), {days} days, scale {scale}; "
            f"persons, totals over the run, mean over seeds:"
        )
        print(format_totals(pd.concat([r.summary for r in done])))
    print(f"results written to {out}")
    for error in failures(results):
        print(f"error: run failed: {error}", file=sys.stderr)
    return 1 if failures(results) else 0
