"""``mixmig run SCENARIO``: run a scenario's replications and write their tables.

The replications run on a process pool (:func:`sim.execution.pool.run_tasks` with
:func:`sim.execution.runner.run_task`), each kept the moment it finishes
(:class:`sim.execution.batch.Batch`); the tables are then assembled from the kept runs by
:func:`sim.execution.tables.write_run_tables`, with ``manifest.json`` beside them, in the output
folder (default ``results/<scenario>/<timestamp>/``), checked before the first run. Per-route
totals are printed. A stop signal stops the workers and prints what is kept and the command
that resumes (``--resume DIR``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import UserError
from sim.execution.batch import Batch, plan_differences, resume_command
from sim.execution.files import write_json_atomic
from sim.execution.folders import prepare_output
from sim.execution.guards import check_enough_agents, estimate_seconds, long_run_note
from sim.execution.interrupt import Interrupted, interruptible
from sim.execution.pool import default_workers, workers_note
from sim.execution.provenance import environment
from sim.execution.runner import RunResult, RunTask, check_run_options, replication_seeds
from sim.execution.tables import write_run_tables
from sim.outputs.metrics import HEADLINE_METRICS
from sim.scenario.loading import Scenario, load_scenario

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


def _identity(scenario: Scenario, seeds: list[int], days: int, scale: float, args) -> dict:
    return {
        "command": "run",
        "scenarios": {scenario.name: scenario.sha256},
        "seeds": seeds,
        "days": days,
        "scale": scale,
        "check": bool(args.check),
        "timeseries_format": "parquet" if args.parquet else "csv",
    }


def _manifest(
    scenario: Scenario, batch: Batch, plan: dict, root: int, status: str, wall: float
) -> dict[str, Any]:
    kept = batch.kept()
    return {
        "command": plan["command"],
        "status": status,
        "plan": plan,
        "scenario": {
            "path": str(scenario.path),
            "name": scenario.name,
            "sha256": scenario.sha256,
            "resolved": scenario.to_dict(),
        },
        "root_seed": root,
        "seeds": plan["seeds"],
        "days": plan["days"],
        "scale": plan["scale"],
        "wall_seconds": round(wall, 3),
        "runs": [
            {"seed": t.seed, **batch.stats(i)}
            for i, (t, done) in enumerate(zip(batch.tasks, kept, strict=True))
            if done
        ],
        "failed": [str(e) for _, e in sorted(batch.errors.items())],
        **environment(),
    }


@dataclass
class Executed:
    """What :func:`execute` did: the scenario, its kept runs, the output folder, the command
    that resumes, and the exit code when it was stopped by a signal (else None)."""

    scenario: Scenario
    batch: Batch
    out: Path
    done: list[RunResult]
    again: str
    days: int
    scale: float
    stopped: int | None = None


def main(args: argparse.Namespace) -> int:
    """Run the replications, write the tables and the manifest; 1 if any run failed, 128 +
    the signal's number if stopped by one."""
    executed = execute(args, "run")
    if executed.stopped is not None:
        return executed.stopped
    done, scenario = executed.done, executed.scenario
    if done:
        print(
            f"{scenario.name}: {len(done)} run(s), {executed.days} days, scale {executed.scale}; "
            f"persons, totals over the run, mean over seeds:"
        )
        print(format_totals(pd.concat([r.summary for r in done])))
    print(f"results written to {executed.out}")
    return report_failures(executed)


def report_failures(executed: Executed) -> int:
    """Print the failed runs and the command that runs them again; 1 if any failed."""
    for _, error in sorted(executed.batch.errors.items()):
        print(f"error: run failed: {error}", file=sys.stderr)
    if executed.batch.errors:
        print(f"To run the failed ones again: {executed.again}", file=sys.stderr)
    return 1 if executed.batch.errors else 0


def execute(
    args: argparse.Namespace, command: str, after: Callable[[Executed], None] | None = None
) -> Executed:
    """Plan, check the folder, run the replications (kept as they finish) and write the run
    tables and the manifest of ``command`` (``run`` or a command built on it, e.g.
    ``validate``); ``after(executed)`` writes what that command adds, inside the same guard
    against stop signals and write errors."""
    check_run_options(args.days, args.scale, args.seeds, args.seed)
    resume_dir = getattr(args, "resume", None)
    if resume_dir and args.out:
        raise UserError("give either --out or --resume (the folder to finish), not both.")
    if resume_dir and getattr(args, "force", False):
        raise UserError("--resume keeps what a folder holds and --force clears it: give one.")
    scenario = load_scenario(args.scenario)
    n_seeds = args.seeds or scenario.seeds
    root = scenario.seed if args.seed is None else args.seed
    seeds = replication_seeds(root, n_seeds)
    days = args.days or scenario.days
    scale = args.scale or scenario.scale
    option = "--scale" if args.scale is not None else f"{scenario.path}: scale:"
    size = check_enough_agents(scenario, days, scale, option)
    out = Path(resume_dir or args.out or default_out_dir(scenario.name))
    plan = {**_identity(scenario, seeds, days, scale, args), "command": command}
    workers = default_workers(len(seeds), args.workers)
    seconds = estimate_seconds([size], scale, len(seeds), workers)
    for note in (workers_note(args.workers), long_run_note(seconds, len(seeds), workers)):
        if note:
            print(note, file=sys.stderr)
    prepare_output(
        out,
        resume=bool(resume_dir),
        force=bool(getattr(args, "force", False)),
        differs=lambda saved: plan_differences(saved.get("plan"), plan),
    )
    tasks = [RunTask(str(scenario.path), s, days, scale, bool(args.check)) for s in seeds]
    batch = Batch(out, [scenario.name] * len(tasks), tasks)
    options = ["--seeds", str(n_seeds), "--seed", str(root), "--days", str(days)]
    options += ["--scale", f"{scale:g}"] + (
        ["--workers", str(args.workers)] if args.workers else []
    )
    options += (["--check"] if args.check else []) + (["--parquet"] if args.parquet else [])
    again = resume_command(command, [str(scenario.path)], [*options, "--resume", str(out)])
    executed = Executed(scenario, batch, out, [], again, days, scale)
    started = time.perf_counter()
    with interruptible():
        try:
            if not resume_dir:
                write_json_atomic(
                    out / "manifest.json", _manifest(scenario, batch, plan, root, "running", 0)
                )
            batch.run(args.workers, scenario.name)
            executed.done = batch.results(scenario.name)
            if executed.done:
                write_run_tables(out, executed.done, parquet=args.parquet)
            if after is not None and executed.done:
                after(executed)
            status = "incomplete" if batch.missing() else "complete"
            wall = time.perf_counter() - started
            write_json_atomic(
                out / "manifest.json", _manifest(scenario, batch, plan, root, status, wall)
            )
        except Interrupted as stop:
            wall = time.perf_counter() - started
            try:
                manifest = _manifest(scenario, batch, plan, root, "interrupted", wall)
                write_json_atomic(out / "manifest.json", manifest)
            except OSError:
                pass  # the kept runs are what counts
            print(
                f"stopped by {stop.name}: {batch.kept_text()} finished and are kept in {out}. "
                f"Resume with:\n  {again}",
                file=sys.stderr,
            )
            executed.stopped = stop.exit_code
        except OSError as error:
            raise UserError(
                f"cannot write the results in {out} ({error.strerror or error}). Kept: "
                f"{batch.kept_text()}. Once the problem is fixed, resume with: {again}"
            ) from None
    return executed
