"""The benchmark: ``python tools/bench.py`` (``make bench``).

Measures the performance targets of ``../shared/DESIGN.md`` and writes them to
``results/bench/bench.json`` and ``docs/performance.md`` (see that page for what each measure
means):

- Flee 3.1 (``../shared/tools/flee_bench.py``, in its own venv ``.flee-venv``) and the baseline
  year at one agent per person, side by side in the same benchmark run, best of ``--repeats``
  each, alternating: Flee's agent-steps per second against the engine's person-days per second
  over the whole process (interpreter start, imports, set-up and run, as a user waits for it);
- people who acted (events) per second beside person-days per second;
- peak memory per person; time per stage of the day, read from the model's stage list;
- the plain per-agent Mesa reference (``tests/reference``) against the engine;
- a sweep of baseline-year runs on 2 local workers against 1 (``sim.execution.pool``);
- the ``sweep`` command end to end (a sweep file: checks, runs, runs.parquet, the SALib
  analysis and figures) on 1 and 2 workers, and the whole shipped Sobol' sweep (1,024
  baseline-year runs at scale 0.1) on 2 workers;
- 1,000 baseline-year runs at scale 0.1 on 2 workers, projected from the ``sweep`` command on a
  2 x 2 grid x ``--warmup-replications``, with a warm-up per run and with one per design point
  (``warmup: shared``), analysis included (``tools/bench_sweep.py``);
- the teaching view's start-up time (``tools/bench_view.py``; ``--view-only`` measures only it);
- the cost of calibrating (``tools/bench_calibration.py``): one evaluation of the shipped
  calibration (10 seeds at its scale on 2 workers, as ``calibrate`` runs it) and the whole
  calibration, projected (or measured with ``--calibration-full``); ``--only calibration``
  measures only that and puts it into ``docs/performance.md`` beside the last full benchmark.

Every model run is measured in a fresh Python process (``python tools/bench_child.py ...``),
timed from outside, so imports, caches and the memory of one measure do not leak into the next.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import bench_calibration
import bench_view
from bench_report import render_markdown, targets_table, with_calibration
from bench_sweep import DEFAULT_SWEEP, measure_sweep, measure_warmup_sharing

from sim.execution.files import write_text_atomic
from sim.execution.pool import failures, run_tasks
from sim.execution.provenance import environment
from sim.execution.runner import RunTask, replication_seeds, run_task
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "baseline.yaml"
FLEE_SCRIPT = ROOT.parent / "shared" / "tools" / "flee_bench.py"
FLEE_PYTHON = ROOT / ".flee-venv" / "bin" / "python"


# --------------------------------------------------------------------------- one measured run
def run_child(kind: str, scenario: Path, seed: int, days: int, scale: float) -> dict:
    """:func:`measure_run` in a fresh Python process, with the whole process's wall time."""
    options = {"--scenario": scenario, "--seed": seed, "--days": days, "--scale": scale}
    command = [sys.executable, str(ROOT / "tools" / "bench_child.py"), kind]
    command += [str(item) for option in options.items() for item in option]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    process_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"benchmark run {kind} failed:\n{done.stderr[-3000:]}")
    run = json.loads(done.stdout.strip().splitlines()[-1])
    run["process_seconds"] = round(process_seconds, 3)
    run["agent_steps_per_second"] = run["agent_steps"] / run["run_seconds"]
    run["agent_steps_per_process_second"] = run["agent_steps"] / process_seconds
    if run["people_events"] is not None:
        run["events_per_second"] = run["people_events"] / run["run_seconds"]
        run["events_per_process_second"] = run["people_events"] / process_seconds
    return run


# --------------------------------------------------------------------------- Flee
def run_flee(python: Path, agents: int, days: int) -> dict:
    """One run of ``flee_bench.py`` in Flee's own venv: its agent-steps per second."""
    # absolute(), not resolve(): the venv's python is a symlink that must stay in the venv.
    command = [str(python.absolute()), str(FLEE_SCRIPT), "--agents", str(agents)]
    command += ["--days", str(days)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=FLEE_SCRIPT.parent)
    process_seconds = time.perf_counter() - started
    found = re.search(r"wall_s=([\d.]+) agent_steps_per_s=(\d+)", done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"flee_bench.py failed:\n{done.stdout[-1000:]}{done.stderr[-2000:]}")
    steps = re.search(r"agent_steps=(\d+)", done.stdout)
    return {
        "agents": agents,
        "days": days,
        "run_seconds": float(found.group(1)),
        "agent_steps": int(steps.group(1)) if steps else None,
        "agent_steps_per_second": float(found.group(2)),
        "process_seconds": round(process_seconds, 3),
        "version": (re.search(r"flee_version=(\S+)", done.stdout) or [None, None])[1],
    }


# --------------------------------------------------------------------------- parallel sweep
def measure_parallel(scenario: Path, root_seed: int, runs: int, days: int, scale: float) -> dict:
    """Wall seconds of ``runs`` runs on 1 worker (in this process) and on 2 workers."""
    tasks = [RunTask(str(scenario), s, days, scale) for s in replication_seeds(root_seed, runs)]
    seconds = {}
    for workers in (1, 2):
        started = time.perf_counter()
        results = run_tasks(tasks, run_task, workers, desc=f"{workers} worker(s)")
        seconds[workers] = time.perf_counter() - started
        if failures(results):
            raise RuntimeError(f"parallel benchmark failed: {failures(results)[0]}")
    return {
        "runs": runs,
        "days": days,
        "scale": scale,
        "seconds_1_worker": round(seconds[1], 2),
        "seconds_2_workers": round(seconds[2], 2),
        "speed_up": seconds[1] / seconds[2],
        "projected_1000_runs_seconds": seconds[2] / runs * 1000,
    }


def _burn(n: int) -> float:
    """Pure-Python busy work (a top-level function, so spawned workers can import it)."""
    total = 0
    for i in range(n):
        total += i * i
    return float(total)


def measure_cpu_capacity(n: int = 10_000_000) -> float:
    """Speed-up of two units of busy work on two processes over one: 2 on two idle cores.

    The best the sweep's speed-up can be on this machine at this moment (other load included).
    """
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_burn, [1000, 1000]))  # start both workers before timing
        started = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        parallel = time.perf_counter() - started
    started = time.perf_counter()
    _burn(n)
    _burn(n)
    return (time.perf_counter() - started) / parallel


# --------------------------------------------------------------------------- machine
def _load_average() -> float | None:
    """The 1-minute load average (processes wanting a core), where the system reports it."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def machine() -> dict[str, Any]:
    """CPU, cores, memory, load, Python and library versions, date."""
    cpu = platform.processor() or platform.machine()
    memory_gib = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if "model name" in line]
        cpu = names[0] if names else cpu
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal"))
        memory_gib = round(kib / 2**20, 1)
    except (OSError, StopIteration):
        pass
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "load_average_1min": _load_average(),
        **environment(),
    }


# --------------------------------------------------------------------------- command line
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The benchmark's options (every measure can be resized or skipped)."""
    parser = argparse.ArgumentParser(
        prog="python tools/bench.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--seed", type=int, help="default: the scenario's seed")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--reference-days", type=int, default=90)
    parser.add_argument("--reference-scale", type=float, default=0.02)
    parser.add_argument(
        "--window-days", type=int, default=10, help="days of the full-scale reference (0: skip)"
    )
    parser.add_argument(
        "--repeats", type=int, default=2, help="runs of each measure; the fastest is kept"
    )
    parser.add_argument("--flee-python", type=Path, default=FLEE_PYTHON, help="Flee's venv")
    parser.add_argument("--flee-agents", type=int, default=10_000)
    parser.add_argument("--flee-days", type=int, default=365)
    parser.add_argument("--parallel-runs", type=int, default=32, help="0 to skip")
    parser.add_argument("--parallel-days", type=int, default=365)
    parser.add_argument("--parallel-scale", type=float, default=0.1)
    parser.add_argument(
        "--busy-work", type=int, default=10_000_000, help="loop size of the machine's limit"
    )
    parser.add_argument("--sweep", type=Path, default=DEFAULT_SWEEP, help="the sweep file")
    parser.add_argument(
        "--sweep-samples", type=int, default=16,
        help="base samples of the sweep on 1 and on 2 workers (0 to skip)",
    )  # fmt: skip
    parser.add_argument(
        "--sweep-full", action=argparse.BooleanOptionalAction, default=False,
        help="also run the whole sweep file on 2 workers (behaviour_sobol.yaml: 1,024 runs, each "
        "with its two-year warm-up, about an hour on 2 cores; without it the time of 1,000 runs "
        "is projected from the 32-run sweep)",
    )  # fmt: skip
    parser.add_argument(
        "--warmup-replications", type=int, default=10,
        help="replications of the 2 x 2 policy-map grid timed with a warm-up per run and one "
        "per design point, each projected to 1,000 runs (0 to skip)",
    )  # fmt: skip
    parser.add_argument("--sweep-days", type=int, help="default: the sweep file's")
    parser.add_argument("--sweep-scale", type=float, help="default: the sweep file's")
    parser.add_argument(
        "--view-repeats", type=int, default=3, help="start-ups of the teaching view (0: skip)"
    )
    parser.add_argument(
        "--view-only", action="store_true", help="measure only the view's start-up; print it"
    )
    parser.add_argument("--view-scenario", type=Path, default=ROOT / "scenarios" / "teaching.yaml")
    parser.add_argument(
        "--calibration", type=Path, default=bench_calibration.DEFAULT_CALIBRATION,
        help="the calibration file whose cost is measured",
    )  # fmt: skip
    parser.add_argument(
        "--calibration-evaluation", action=argparse.BooleanOptionalAction, default=True,
        help="measure one evaluation of the calibration file (10 seeds, 2 workers) and project "
        "the whole calibration from it",
    )  # fmt: skip
    parser.add_argument(
        "--calibration-full", action=argparse.BooleanOptionalAction, default=False,
        help="also run the whole calibration (run.py calibrate, 2 workers) and time it",
    )  # fmt: skip
    parser.add_argument(
        "--only", choices=("calibration",),
        help="measure only this part; put it into the page and bench.json of the last full run",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    return parser.parse_args(argv)


def measure_calibration(args: argparse.Namespace) -> dict:
    """The cost of calibrating (:mod:`bench_calibration`), with when and where it was taken."""
    load_start, date = _load_average(), dt.datetime.now().isoformat(timespec="seconds")
    result = bench_calibration.measure(
        args.calibration, full=args.calibration_full, out=args.out / "calibration"
    )
    commit = (environment().get("git_commit") or "?")[:12]
    return {**result, "date": date, "load_average_start": load_start,
            "load_average_end": _load_average(), "commit": commit}  # fmt: skip


def only_calibration(args: argparse.Namespace) -> int:
    """``--only calibration``: measure the cost of calibrating and put it into the last full
    benchmark's ``bench.json`` and page (the page is patched when there is no ``bench.json``)."""
    print(f"bench: one evaluation of {args.calibration.name} ...", flush=True)
    calibration = measure_calibration(args)
    saved = args.out / "bench.json"
    if saved.is_file():
        report = json.loads(saved.read_text(encoding="utf-8"))
        report["calibration"] = calibration
        report["targets"] = targets_table(report)
        write_text_atomic(saved, json.dumps(report, indent=2) + "\n")
        write_text_atomic(args.doc, render_markdown(report))
    else:
        page = args.doc.read_text(encoding="utf-8")
        write_text_atomic(args.doc, with_calibration(page, calibration))
    print(json.dumps(calibration, indent=2))
    print(f"written: {args.doc}")
    return 0


def _fastest(runs: list[dict], key: str = "run_seconds") -> dict:
    return min(runs, key=lambda run: run[key])


def main(argv: list[str] | None = None) -> int:
    """Run every measure, write ``bench.json`` and ``performance.md``, print the table."""
    args = parse_args(argv)
    if args.view_only:
        view = bench_view.measure(args.view_scenario, max(args.view_repeats, 1))
        print(json.dumps(view, indent=2))
        return 0
    if args.only == "calibration":
        return only_calibration(args)
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    report: dict[str, Any] = {"machine": machine(), "scenario": str(args.scenario),
                              "seed": seed, "repeats": args.repeats, "runs": {}}  # fmt: skip
    flee_ready = args.flee_python.is_file() and FLEE_SCRIPT.is_file()
    print(f"bench: baseline ({args.days} days, scale {args.scale:g})"
          + (" and Flee, alternating ..." if flee_ready else " ..."), flush=True)  # fmt: skip
    baseline, flee = [], []
    for _ in range(args.repeats):
        baseline.append(run_child("engine", args.scenario, seed, args.days, args.scale))
        if flee_ready:
            flee.append(run_flee(args.flee_python, args.flee_agents, args.flee_days))
    report["runs"]["baseline"] = _fastest(baseline, "process_seconds")
    if flee:
        report["flee"] = max(flee, key=lambda run: run["agent_steps_per_second"])
    else:
        report["flee_missing"] = f"no {args.flee_python} or no {FLEE_SCRIPT} (see make bench)"
    plan = [
        ("reference_subsample", "reference", args.reference_days, args.reference_scale),
        ("engine_subsample", "engine_cold", args.reference_days, args.reference_scale),
    ]
    if args.window_days:
        plan += [
            ("reference_window", "reference", args.window_days, args.scale),
            ("engine_window", "engine_cold", args.window_days, args.scale),
        ]
    for name, kind, days, scale in plan:
        print(f"bench: {name} ({kind}, {days} days, scale {scale:g}) ...", flush=True)
        runs = [run_child(kind, args.scenario, seed, days, scale) for _ in range(args.repeats)]
        report["runs"][name] = _fastest(runs)
    if args.parallel_runs:
        print(f"bench: sweep of {args.parallel_runs} runs on 1 and 2 workers ...", flush=True)
        report["parallel"] = measure_parallel(
            args.scenario, seed, args.parallel_runs, args.parallel_days, args.parallel_scale
        )
        report["parallel"]["cpu_capacity_speed_up"] = measure_cpu_capacity(args.busy_work)
    if args.sweep_samples or args.sweep_full:
        print(f"bench: the sweep command ({args.sweep.name}) on 1 and 2 workers ...", flush=True)
        report["sweep"] = measure_sweep(
            args.sweep, args.out / "sweeps", args.sweep_samples, args.sweep_full,
            args.sweep_days, args.sweep_scale,
        )  # fmt: skip
    if args.warmup_replications:
        print(f"bench: the sweep command, 2 x 2 points x {args.warmup_replications} "
              "replications, a warm-up per run and per point ...", flush=True)  # fmt: skip
        report["warmup_sharing"] = measure_warmup_sharing(
            args.out / "sweeps", args.warmup_replications
        )
    if args.view_repeats:
        print(f"bench: the teaching view's start-up, {args.view_repeats} times ...", flush=True)
        report["view"] = bench_view.measure(args.view_scenario, args.view_repeats)
    if args.calibration_evaluation or args.calibration_full:
        print(f"bench: one evaluation of {args.calibration.name} ...", flush=True)
        report["calibration"] = measure_calibration(args)
    report["load_average_end"] = _load_average()
    report["targets"] = targets_table(report)
    write_text_atomic(args.out / "bench.json", json.dumps(report, indent=2) + "\n")
    write_text_atomic(args.doc, render_markdown(report))
    for row in report["targets"]:
        print(f"{row['measure'][:90]:<90} {row['value']:>12.4g} {row['unit']:<14} {row['target']}")
    print(f"written: {args.out / 'bench.json'}, {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
