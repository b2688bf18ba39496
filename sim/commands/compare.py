"""``mixmig compare BASE OTHER...``: run scenarios with the same seeds and compare them.

Every scenario runs with the same replication seeds (common random numbers: seed *k* of every
scenario meets the same luck wherever the policies do not change what happens, so the
difference at seed *k* is the policies' effect). The command plans everything first (every
scenario loaded and checked before anything runs), runs the tasks on a process pool, writes each
scenario's run tables, ``comparison.csv``, ``displacement.csv`` and ``manifest.json`` (the layout
is in :mod:`sim.analysis.comparison`), and ends with the report (:mod:`sim.analysis.report`).
A failed run is reported with its scenario file and seed; the others are kept.
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

from sim.analysis.comparison import runs_folder, write_comparison_tables
from sim.analysis.report import build_report
from sim.execution.files import write_json_atomic
from sim.execution.pool import TaskError, failures, run_tasks
from sim.execution.provenance import environment
from sim.execution.runner import (
    RunResult,
    RunTask,
    check_run_options,
    replication_seeds,
    run_task,
)
from sim.execution.tables import write_run_tables
from sim.scenario.loading import load_scenario


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

    def tasks(self) -> list[RunTask]:
        """One task per (scenario, seed), scenario-major, in the order of the command line."""
        return [
            RunTask(str(s.path), seed, self.days, self.scale, self.check)
            for s in self.scenarios
            for seed in self.seeds
        ]


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
    """Load and check every scenario and option before anything runs (raises UserError).

    Seeds, root seed, days and scale are the command line's, else the base scenario's.
    """
    check_run_options(days=args.days, scale=args.scale, seeds=args.seeds)
    scenarios = [load_scenario(path) for path in [args.base, *args.others]]
    base = scenarios[0]
    n = args.seeds if args.seeds is not None else base.seeds
    root = args.seed if args.seed is not None else base.seed
    days = args.days if args.days is not None else base.days
    scale = args.scale if args.scale is not None else base.scale
    labels = unique_labels([s.name for s in scenarios])
    return ComparisonPlan(
        scenarios=scenarios,
        labels=labels,
        seeds=replication_seeds(int(root), int(n)),
        root_seed=int(root),
        days=int(days),
        scale=float(scale),
        check=bool(args.check),
        out=Path(args.out) if args.out else default_out(labels),
        parquet=bool(args.parquet),
    )


def build_manifest(
    plan: ComparisonPlan, results: Sequence[RunResult | TaskError], wall_seconds: float
) -> dict[str, Any]:
    """The provenance of a comparison: scenarios, seeds, options, versions, per-run stats."""
    runs = []
    for i, (task, result) in enumerate(zip(plan.tasks(), results, strict=True)):
        label = plan.labels[i // len(plan.seeds)]
        if isinstance(result, TaskError):
            runs.append(
                {"scenario": label, "seed": task.seed, "ok": False, "error": result.message}
            )
        else:
            runs.append({"scenario": label, "seed": task.seed, "ok": True, "stats": result.stats})
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


def main(args: argparse.Namespace, task_function: Callable[[RunTask], RunResult] = run_task) -> int:
    """Plan, run every (scenario, seed) with ``task_function`` (a top-level function: workers
    are spawned), write the tables, the manifest and the report; 1 if any run failed."""
    plan = plan_comparison(args)
    started = time.perf_counter()
    results = run_tasks(plan.tasks(), task_function, args.workers, desc="runs")
    wall = time.perf_counter() - started
    n_seeds = len(plan.seeds)
    finished: dict[str, list[RunResult]] = {}
    for k, label in enumerate(plan.labels):
        chunk = results[k * n_seeds : (k + 1) * n_seeds]
        finished[label] = [r for r in chunk if not isinstance(r, TaskError)]
        if finished[label]:
            write_run_tables(runs_folder(plan.out, label), finished[label], label, plan.parquet)
    write_json_atomic(plan.out / "manifest.json", build_manifest(plan, results, wall))
    report = None
    if any(finished.values()):
        write_comparison_tables(plan.out, [lb for lb in plan.labels if finished[lb]], plan.base)
        if finished[plan.base]:
            report = build_report(plan.out)[0]
    print(f"results in {plan.out}")
    if report is not None:
        print(f"report: {report}")
    failed = failures(results)
    for error in failed:
        print(f"run failed: {error}", file=sys.stderr)
    if failed:
        print(
            f"{len(failed)} of {len(results)} runs failed; the others' results are kept.",
            file=sys.stderr,
        )
        return 1
    return 0
