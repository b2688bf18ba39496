"""``mixmig sweep SWEEP.yaml``: run a parameter sweep and analyse its sensitivity.

The sweep file is loaded and every factor, value and design point checked before anything
runs (:func:`sim.sweep.loading.load_sweep`). The runs go to the local process pool (or, with
``--scheduler``, to a Dask cluster) and each finished run is written at once
(:mod:`sim.sweep.execute`, :mod:`sim.sweep.store`). When all runs are recorded the command
writes ``runs.parquet`` and the analysis (:mod:`sim.sweep.summary`); an interrupted sweep keeps
what finished, and ``--resume`` runs only what is missing. The folder's layout is in
docs/sweeps.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import UserError
from sim.execution.files import write_table_atomic
from sim.sweep.execute import Progress, TaskFunction, run_plan
from sim.sweep.loading import Sweep, load_sweep
from sim.sweep.manifest import open_folder, write_manifest
from sim.sweep.store import SweepStore
from sim.sweep.summary import write_analysis, write_design
from sim.sweep.tasks import run_model_task


def default_out_dir(name: str) -> Path:
    """``results/sweeps/<name>/<timestamp>``."""
    return Path("results") / "sweeps" / name / dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _backend(args: argparse.Namespace) -> dict[str, Any]:
    if args.scheduler:
        return {"scheduler": args.scheduler}
    return {"workers": args.workers or "all cores"}


def failure_lines(runs: pd.DataFrame) -> list[str]:
    """``design point P, replication R (seed S): error`` for every failed run."""
    failed = runs[runs["error"].notna()]
    return [
        f"design point {r.point}, replication {r.replication} (seed {r.seed}): {r.error}"
        for r in failed.itertuples()
    ]


def main(args: argparse.Namespace, task_function: TaskFunction = run_model_task) -> int:
    """Run the sweep, write its table and analysis; 1 if a run failed, 0 otherwise."""
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers must be at least 1, got {args.workers}.")
    sweep = load_sweep(
        args.sweep,
        days=args.days,
        scale=args.scale,
        replications=args.replications,
        samples=args.samples,
    )
    plan = sweep.plan
    out = Path(args.out) if args.out else default_out_dir(plan.name)
    if args.resume and not args.out:
        raise UserError("--resume needs --out DIR: the folder of the sweep to finish.")
    previous = open_folder(out, plan, args.resume)
    started = time.time()
    record = {"sweep": sweep.describe(), "backend": _backend(args), "previous": previous}
    write_manifest(out, plan, "running", started=started, **record)
    write_design(out, plan.design)
    store = SweepStore(out, plan)
    print(_announce(sweep, out), flush=True)
    try:
        progress = run_plan(plan, store, task_function, args.workers, args.scheduler)
    except BaseException:  # Ctrl-C, SIGTERM, a lost cluster, a bug: keep what finished
        finished = store.finished()
        counts = {"recorded": len(finished), "failed": int(finished["error"].notna().sum())}
        write_manifest(out, plan, "interrupted", counts=counts, started=started, **record)
        print(
            f"sweep stopped: {len(finished)} of {plan.runs} runs are recorded in {out}; run "
            "the same command with --resume to finish it.",
            file=sys.stderr,
        )
        raise
    for warning in progress.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    runs = store.finished()
    store.write_runs(runs)
    if args.csv:
        write_table_atomic(out / "runs.csv", runs.drop(columns=["wall_seconds", "worker"]))
    notes = write_analysis(out, plan, runs)
    failed = failure_lines(runs)
    counts = {"recorded": len(runs), "failed": len(failed), "run_now": progress.ran,
              "kept": progress.kept}  # fmt: skip
    write_manifest(out, plan, "complete", counts=counts, failed=failed, notes=notes,
                   started=started, **record)  # fmt: skip
    print(_closing(plan.runs, progress, failed, out))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for line in failed[:10]:  # the first line of each; runs.parquet has the whole text
        print(f"error: run failed: {line.splitlines()[0]}", file=sys.stderr)
    if len(failed) > 10:
        print(f"error: ... and {len(failed) - 10} more failed runs (see runs.parquet)",
              file=sys.stderr)  # fmt: skip
    return 1 if failed else 0


def _announce(sweep: Sweep, out: Path) -> str:
    plan = sweep.plan
    spec = plan.model
    return (
        f"{plan.name}: {plan.design.spec.method} design, {plan.design.points} points x "
        f"{plan.replications} replication(s) = {plan.runs} runs of {sweep.scenario.name} "
        f"({spec.days} days, scale {spec.scale:g}); writing to {out}"
    )


def _closing(total: int, progress: Progress, failed: list[str], out: Path) -> str:
    kept = f" ({progress.kept} kept from before)" if progress.kept else ""
    written = ["runs.parquet", "points.csv", "sensitivity.csv", "runs.csv"]
    written = [name for name in written if (out / name).is_file()]
    return (
        f"{total} runs recorded{kept}, {len(failed)} failed; {', '.join(written)} and "
        f"figures written to {out}"
    )
