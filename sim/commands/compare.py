"""``mixmig compare BASE OTHER...``: run scenarios with the same seeds and compare them.

Every scenario runs with the same replication seeds (common random numbers: seed *k* of every
scenario meets the same luck wherever the policies do not change what happens, so the
difference at seed *k* is the policies' effect). The command plans everything first (every
scenario loaded and checked before anything runs), runs the tasks on a process pool, writes each
scenario's run tables, ``comparison.csv``, ``displacement.csv`` and ``manifest.json`` (the layout
is in :mod:`sim.analysis.comparison`), and ends with the report (:mod:`sim.analysis.report`).

Nothing finished is ever lost: the output folder is checked before the first run, each run is
kept the moment it finishes (:class:`sim.execution.batch.Batch`), a failed or killed run is
reported with its scenario file and seed while the others go on, and a stop signal (Ctrl-C,
``kill``) stops the workers and prints what is kept and the command that resumes
(``--resume DIR`` runs only what is missing, and gives the same tables as a run that never
stopped).
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

from sim.analysis.comparison import runs_folder, table_checksums, write_comparison_tables
from sim.analysis.report import build_report
from sim.calibration.posterior import (
    PosteriorDraws,
    PosteriorTask,
    check_draws,
    draw_posterior,
    run_posterior_task,
)
from sim.errors import UserError
from sim.execution.batch import Batch, plan_differences, resume_command
from sim.execution.files import write_json_atomic
from sim.execution.folders import prepare_output
from sim.execution.guards import check_enough_agents, estimate_seconds, long_run_note
from sim.execution.interrupt import Interrupted, interruptible
from sim.execution.pool import default_workers, workers_note
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

#: Posterior draws when --posterior is given without --draws.
DEFAULT_DRAWS = 10


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
    seconds: float = 0.0
    posterior: PosteriorDraws | None = None
    seeds_per_draw: int = 0

    @property
    def identity(self) -> dict[str, Any]:
        """What decides the tables; a folder can be resumed only by the same plan."""
        return {
            "command": "compare",
            "scenarios": {lb: s.sha256 for lb, s in zip(self.labels, self.scenarios, strict=True)},
            "seeds": self.seeds,
            "days": self.days,
            "scale": self.scale,
            "check": self.check,
            "timeseries_format": "parquet" if self.parquet else "csv",
            "posterior": None if self.posterior is None else self.posterior.sha256,
        }

    def resume_command(self, workers: int | None) -> str:
        """The command line that finishes this comparison in its folder."""
        seeds = self.seeds_per_draw if self.posterior else len(self.seeds)
        options = ["--seeds", str(seeds), "--seed", str(self.root_seed)]
        if self.posterior is not None:
            options += ["--posterior", str(self.posterior.path)]
            options += ["--draws", str(len(self.posterior.draws))]
        options += ["--days", str(self.days), "--scale", f"{self.scale:g}"]
        options += ["--workers", str(workers)] if workers else []
        options += ["--check"] if self.check else []
        options += ["--parquet"] if self.parquet else []
        paths = [str(s.path) for s in self.scenarios]
        return resume_command("compare", paths, [*options, "--resume", str(self.out)])

    @property
    def base(self) -> str:
        """The base scenario's label."""
        return self.labels[0]

    def tasks(self) -> list[RunTask]:
        """One task per (scenario, seed), scenario-major, in the order of the command line;
        with a posterior, run ``j`` of every scenario has draw ``j // seeds_per_draw``."""
        if self.posterior is not None:
            return [
                PosteriorTask(str(s.path), seed, self.days, self.scale, self.check,
                              draw=j // self.seeds_per_draw,
                              values=self.posterior.draws[j // self.seeds_per_draw])
                for s in self.scenarios
                for j, seed in enumerate(self.seeds)
            ]  # fmt: skip
        return [
            RunTask(str(s.path), seed, self.days, self.scale, self.check)
            for s in self.scenarios
            for seed in self.seeds
        ]


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "scenario"


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

    Seeds, root seed, days and scale are the command line's, else the base scenario's. A
    scale too small for any scenario is refused; the rough wall time is in ``seconds``.
    """
    check_run_options(days=args.days, scale=args.scale, seeds=args.seeds, seed=args.seed)
    if getattr(args, "resume", None) and args.out:
        raise UserError("give either --out or --resume (the folder to finish), not both.")
    if getattr(args, "resume", None) and getattr(args, "force", False):
        raise UserError("--resume keeps what a folder holds and --force clears it: give one.")
    scenarios = [load_scenario(path) for path in [args.base, *args.others]]
    base = scenarios[0]
    n = args.seeds if args.seeds is not None else base.seeds
    root = args.seed if args.seed is not None else base.seed
    days = args.days if args.days is not None else base.days
    scale = args.scale if args.scale is not None else base.scale
    option = "--scale" if args.scale is not None else f"{base.path}: scale:"
    sizes = [check_enough_agents(s, int(days), float(scale), option) for s in scenarios]
    draws = getattr(args, "draws", None)
    workers = default_workers(len(scenarios) * int(n) * (draws or 1), args.workers)
    labels = unique_labels([s.name for s in scenarios])
    out = getattr(args, "resume", None) or args.out
    posterior = None
    if getattr(args, "posterior", None):
        posterior = draw_posterior(
            args.posterior, DEFAULT_DRAWS if draws is None else draws, int(root)
        )
        for scenario in scenarios:
            check_draws(scenario, posterior)
    elif draws is not None:
        raise UserError("--draws goes with --posterior FILE (the posterior to draw from).")
    runs_each = int(n) * (len(posterior.draws) if posterior else 1)
    return ComparisonPlan(
        scenarios=scenarios,
        labels=labels,
        seeds=replication_seeds(int(root), runs_each),
        posterior=posterior,
        seeds_per_draw=int(n),
        root_seed=int(root),
        days=int(days),
        scale=float(scale),
        check=bool(args.check),
        out=Path(out) if out else default_out(labels),
        parquet=bool(args.parquet),
        seconds=estimate_seconds(sizes, float(scale), runs_each, workers),
    )


def build_manifest(
    plan: ComparisonPlan, batch: Batch, wall_seconds: float, status: str
) -> dict[str, Any]:
    """The provenance of a comparison: scenarios, seeds, options, versions, and per run its
    statistics, its error or that it has not run; ``status`` is ``running``, ``complete``,
    ``incomplete`` (some runs failed) or ``interrupted``."""
    runs = []
    for i, (label, task, kept) in enumerate(
        zip(batch.labels, batch.tasks, batch.kept(), strict=True)
    ):
        entry: dict[str, Any] = {"scenario": label, "seed": task.seed}
        if kept:
            entry.update(ok=True, stats=batch.stats(i))
        elif i in batch.errors:
            entry.update(ok=False, error=batch.errors[i].message)
        else:
            entry.update(ok=None, error="not run")
        runs.append(entry)
    return {
        "kind": "comparison",
        "status": status,
        "plan": plan.identity,
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
        "posterior": None
        if plan.posterior is None
        else {**plan.posterior.describe(), "seeds_per_draw": plan.seeds_per_draw},
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


def write_results(plan: ComparisonPlan, batch: Batch, wall: float) -> Path | None:
    """The scenarios' run tables from the kept runs, the comparison tables, the manifest and
    the report; return the report's path (None without any run of the base)."""
    finished = {label: batch.results(label) for label in plan.labels}
    for label, results in finished.items():
        if results:
            write_run_tables(runs_folder(plan.out, label), results, label, plan.parquet)
    status = "incomplete" if batch.missing() else "complete"
    manifest = build_manifest(plan, batch, wall, status)
    manifest["tables"] = table_checksums(plan.out, [lb for lb in plan.labels if finished[lb]])
    write_json_atomic(plan.out / "manifest.json", manifest)
    if not any(finished.values()):
        return None
    write_comparison_tables(plan.out, [lb for lb in plan.labels if finished[lb]], plan.base)
    return build_report(plan.out)[0] if finished[plan.base] else None


def main(args: argparse.Namespace, task_function: Callable[[RunTask], RunResult] = run_task) -> int:
    """Plan, run every (scenario, seed) with ``task_function`` (a top-level function: workers
    are spawned; with ``--posterior``, the posterior's), write the tables, the manifest and the
    report; 1 if any run failed, 128 + the signal's number if stopped by one."""
    plan = plan_comparison(args)
    if plan.posterior is not None and task_function is run_task:
        task_function = run_posterior_task
    resume = bool(getattr(args, "resume", None))
    n_tasks = len(plan.tasks())
    workers = default_workers(n_tasks, args.workers)
    for note in (workers_note(args.workers), long_run_note(plan.seconds, n_tasks, workers)):
        if note:
            print(note, file=sys.stderr)
    prepare_output(
        plan.out,
        resume=resume,
        force=bool(getattr(args, "force", False)),
        differs=lambda saved: plan_differences(saved.get("plan"), plan.identity),
    )
    labels = [label for label in plan.labels for _ in plan.seeds]
    batch = Batch(plan.out, labels, plan.tasks())
    started = time.perf_counter()
    with interruptible():
        try:
            if not resume:
                write_json_atomic(
                    plan.out / "manifest.json", build_manifest(plan, batch, 0, "running")
                )
            batch.run(args.workers, "runs", task_function)
            report = write_results(plan, batch, time.perf_counter() - started)
        except Interrupted as stop:
            return _stopped(plan, batch, stop, args.workers, started)
        except OSError as error:
            raise UserError(
                f"cannot write the results in {plan.out} ({error.strerror or error}). "
                f"Kept: {batch.kept_text()}. Once the problem is fixed, resume with: "
                f"{plan.resume_command(args.workers)}"
            ) from None
    print(f"results in {plan.out}")
    if report is not None:
        print(f"report: {report}")
    for i, error in sorted(batch.errors.items()):
        print(f"run failed: {labels[i]}, {error}", file=sys.stderr)
    if batch.errors:
        print(
            f"{len(batch.errors)} of {len(labels)} runs failed; the others' results are kept. "
            f"To run the failed ones again: {plan.resume_command(args.workers)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _stopped(
    plan: ComparisonPlan, batch: Batch, stop: Interrupted, workers: int | None, started: float
) -> int:
    """After a stop signal: record it in the manifest, say what is kept and how to resume."""
    try:
        manifest = build_manifest(plan, batch, time.perf_counter() - started, "interrupted")
        write_json_atomic(plan.out / "manifest.json", manifest)
    except OSError:
        pass  # the parts are what counts; resume needs only a readable older manifest
    print(
        f"stopped by {stop.name}: {batch.kept_text()} finished and are kept in {plan.out}. "
        f"Resume with:\n  {plan.resume_command(workers)}",
        file=sys.stderr,
    )
    return stop.exit_code
