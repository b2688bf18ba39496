"""Running a scenario: one seed in this process, many seeds over processes, tidy tables out.

:func:`simulate` is the one way a run happens (the command line, comparisons, sweeps and tests
all go through it). :func:`run_command` is ``python run.py run SCENARIO``: it runs the
scenario's replications and writes ``manifest.json``, ``summary.csv``, ``timeseries.csv`` (or
Parquet) and ``leg_flows.csv`` to the output folder, atomically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.scenario.build import build_model


@dataclass
class RunResult:
    """The outputs of one run (see docs/architecture.md)."""

    scenario: str
    seed: int
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    leg_flows: np.ndarray
    stats: dict[str, Any] = field(default_factory=dict)


def replication_seeds(root_seed: int, n: int) -> list[int]:
    """The seeds of ``n`` replications, spawned from ``root_seed`` with ``SeedSequence``."""
    children = np.random.SeedSequence(int(root_seed)).spawn(int(n))
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def check_run_options(
    days: int | None = None,
    scale: float | None = None,
    seeds: int | None = None,
    workers: int | None = None,
) -> None:
    """Raise a :class:`UserError` for command-line values out of range (None = not given)."""
    if scale is not None and not 0 < scale <= 1:
        raise UserError(f"--scale must be in (0, 1] (agents per person), got {scale}")
    if days is not None and not 1 <= days <= 3650:
        raise UserError(f"--days must be between 1 and 3650, got {days}")
    if seeds is not None and not 1 <= seeds <= 1000:
        raise UserError(f"--seeds must be between 1 and 1000, got {seeds}")


def simulate(
    scenario: Any,
    seed: int,
    days: int | None = None,
    scale: float | None = None,
    check: bool = False,
) -> RunResult:
    """Run one seed of ``scenario`` to the end; return its tables in persons."""
    started = time.perf_counter()
    check_run_options(days=days, scale=scale)
    model = build_model(scenario, seed, days, scale, check)
    model.run()
    wall = time.perf_counter() - started
    return RunResult(
        scenario=scenario.name,
        seed=int(seed),
        timeseries=model.outcomes.timeseries_frame(scenario.name, int(seed)),
        summary=model.outcomes.summary_frame(scenario.name, int(seed)),
        leg_flows=model.leg_flows.copy(),
        stats={
            "wall_seconds": round(wall, 3),
            "people": int(round(len(model.population) / model.scale)),
            "agents": len(model.population),
            "agent_steps": int(model.agent_steps),
            "days": model.days,
            "scale": model.scale,
        },
    )


def default_out_dir(name: str) -> Path:
    """``results/<scenario>/<timestamp>``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / name / stamp


def write_run_tables(out: Path, results: list[RunResult], parquet: bool = False) -> None:
    """Write summary, timeseries and leg flows of ``results`` (in seed order) to ``out``."""
    from sim.execution.pool import write_table_atomic
    from sim.network import load_network

    summary = pd.concat([r.summary for r in results], ignore_index=True)
    timeseries = pd.concat([r.timeseries for r in results], ignore_index=True)
    write_table_atomic(out / "summary.csv", summary)
    write_table_atomic(out / ("timeseries.parquet" if parquet else "timeseries.csv"), timeseries)
    leg_ids = load_network().leg_ids
    flows = pd.DataFrame(
        {
            "leg": np.tile(leg_ids, len(results)),
            "seed": np.repeat([r.seed for r in results], len(leg_ids)),
            "persons": np.concatenate([r.leg_flows for r in results]),
        }
    )
    write_table_atomic(out / "leg_flows.csv", flows)


def format_totals(summary: pd.DataFrame) -> str:
    """A per-route table of the main totals, averaged over seeds, for the terminal."""
    metrics = [
        "arrivals",
        "attempts",
        "interceptions",
        "pushbacks",
        "dead_missing",
        "legal_admissions",
        "returns",
        "smuggler_revenue",
        "stranded",
    ]
    table = (
        summary[summary.metric.isin(metrics)]
        .groupby(["route", "metric"], sort=False)["value"]
        .mean()
        .unstack("metric")
    )
    table = table[metrics]
    lines = ["route            " + " ".join(f"{m[:12]:>13}" for m in metrics)]
    for route, row in table.iterrows():
        lines.append(f"{route:<16} " + " ".join(f"{v:>13,.0f}" for v in row.to_numpy()))
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    """``python run.py run SCENARIO``: run the replications and write the tables."""
    from sim.execution.pool import environment, failures, run_tasks, write_text_atomic
    from sim.scenario.loading import load_scenario

    check_run_options(args.days, args.scale, args.seeds)
    scenario = load_scenario(args.scenario)
    n_seeds = args.seeds or scenario.seeds
    root = scenario.seed if args.seed is None else args.seed
    seeds = replication_seeds(root, n_seeds)
    days = args.days or scenario.days
    scale = args.scale or scenario.scale
    out = Path(args.out) if args.out else default_out_dir(scenario.name)
    tasks = [(str(scenario.path), s, days, scale, bool(args.check)) for s in seeds]
    started = time.perf_counter()
    results = run_tasks(tasks, args.workers, desc=f"{scenario.name}")
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
    write_text_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
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
