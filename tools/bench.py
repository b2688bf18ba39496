"""The benchmark: ``python tools/bench.py`` (``make bench``).

Measures the performance targets of ``../shared/DESIGN.md`` and writes them to
``results/bench/bench.json`` and ``docs/performance.md``:

- the baseline scenario, one seed, 365 days, one agent per person, in one process: wall
  seconds (setup and run), agent-steps per second (an agent-step is one day of one person not
  yet in a final status), people simulated, and peak memory per person (the growth of the
  process's peak resident memory over the run, divided by the people; and the bytes of the
  population's arrays per person);
- the plain per-agent Mesa reference (``tests/reference``) on the same scenario at a small
  scale and for fewer days, the array engine on that same subsample, and the speed ratios;
- the reference and the engine at full scale over the first days of the year (the same
  population size for both);
- optionally, the speed-up of a sweep of short runs on 2 local workers against 1.

Every model run is measured in a fresh Python process (``python tools/bench.py --child ...``),
so that imports, caches and the memory of one measure do not leak into the next.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "baseline.yaml"
FLEE_AGENT_STEPS_PER_SECOND = 1e5  # Flee on this machine, from the issue (DESIGN.md)

#: The stages of the model's day, timed separately in the baseline run (those that exist).
STAGES = (
    "update_state_stances",
    "apply_policies",
    "set_out_from_origins",
    "people_due_today",
    "screen_safe_mobility_applicants",
    "decide_and_depart",
    "move_along_legs",
    "decide_asylum_and_returns",
    "smugglers_adapt",
    "update_rumours",
    "record_stocks",
)


# --------------------------------------------------------------------------- one measured run
def _current_rss_bytes() -> int:
    """Resident memory of this process now (Linux), else its peak so far."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _peak_rss_bytes()


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)


def _time_stages(model: Any) -> dict[str, float]:
    """Wrap the model's stage methods with timers; return the dict they add seconds to."""
    seconds: dict[str, float] = {}
    for name in STAGES:
        method = getattr(model, name, None)
        if method is None:
            continue

        def timed(*args: Any, _method: Any = method, _name: str = name) -> Any:
            started = time.perf_counter()
            try:
                return _method(*args)
            finally:
                seconds[_name] = seconds.get(_name, 0.0) + time.perf_counter() - started

        setattr(model, name, timed)
    return seconds


def _builder(kind: str, scenario: Any, seed: int, days: int, scale: float) -> Any:
    """A function that builds the model to measure (the reference takes the network and
    parameters of a tiny engine model of the same scenario, built beforehand)."""
    from sim.execution.runner import build_model

    if kind == "engine":
        return lambda: build_model(scenario, seed, days, scale)
    sys.path.insert(0, str(ROOT / "tests"))
    from reference import ReferenceModel

    from sim.policies import build_policies

    inputs = build_model(scenario, seed, days=1, scale=0.001)
    net, params = inputs.net, inputs.params
    return lambda: ReferenceModel(
        net,
        params,
        seed=seed,
        days=days,
        scale=scale,
        start_date=scenario.start_date,
        policies=build_policies(scenario, net),
    )


def measure_run(kind: str, scenario_path: str, seed: int, days: int, scale: float) -> dict:
    """Build and run one model of ``kind`` ("engine" or "reference") in this process."""
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(scenario_path)
    build = _builder(kind, scenario, seed, days, scale)
    gc.collect()
    rss_before = _current_rss_bytes()
    started = time.perf_counter()
    model = build()
    stage_seconds = _time_stages(model) if kind == "engine" else {}
    set_up, cpu_started = time.perf_counter(), time.process_time()
    model.run()
    finished, cpu_seconds = time.perf_counter(), time.process_time() - cpu_started
    peak_growth = _peak_rss_bytes() - rss_before
    agents = len(model.population)
    people = agents / scale
    run_seconds = finished - set_up
    return {
        "kind": kind,
        "scenario": scenario.name,
        "seed": seed,
        "days": days,
        "scale": scale,
        "wall_seconds": round(finished - started, 3),
        "setup_seconds": round(set_up - started, 3),
        "run_seconds": round(run_seconds, 3),
        "run_cpu_seconds": round(cpu_seconds, 3),
        "agents": agents,
        "people": round(people),
        "agent_steps": int(model.agent_steps),
        "agent_steps_per_second": model.agent_steps / run_seconds,
        "peak_rss_growth_bytes": peak_growth,
        "peak_bytes_per_person": peak_growth / agents,
        "population_bytes_per_person": model.population.nbytes / agents,
        "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
    }


def run_child(kind: str, scenario: Path, seed: int, days: int, scale: float) -> dict:
    """:func:`measure_run` in a fresh Python process; its result."""
    options = {"--child": kind, "--scenario": scenario, "--seed": seed, "--days": days,
               "--scale": scale}  # fmt: skip
    command = [sys.executable, str(Path(__file__).resolve())]
    command += [str(item) for option in options.items() for item in option]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark run {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- parallel sweep
def measure_parallel(scenario: Path, root_seed: int, runs: int, days: int, scale: float) -> dict:
    """Wall seconds of ``runs`` short runs on 1 worker (in this process) and on 2 workers."""
    from sim.execution.pool import failures, run_tasks
    from sim.execution.runner import RunTask, replication_seeds, run_task

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
        "ratio": seconds[2] / seconds[1],
    }


def _burn(n: int) -> float:
    """Pure-Python busy work (a top-level function, so spawned workers can import it)."""
    total = 0
    for i in range(n):
        total += i * i
    return float(total)


def measure_cpu_capacity(n: int = 10_000_000) -> float:
    """Wall time of two units of busy work on two processes ÷ on one: 0.5 on two idle cores.

    The best the sweep's ratio can be on this machine at this moment (other load included).
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_burn, [1000, 1000]))  # start both workers before timing
        started = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        parallel = time.perf_counter() - started
    started = time.perf_counter()
    _burn(n)
    _burn(n)
    return parallel / (time.perf_counter() - started)


# --------------------------------------------------------------------------- machine
def _load_average() -> float | None:
    """The 1-minute load average (processes wanting a core), where the system reports it."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def machine() -> dict[str, Any]:
    """CPU, cores, memory, load, Python and library versions, date."""
    from sim.execution.provenance import environment

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


# --------------------------------------------------------------------------- the report
def targets_table(runs: dict[str, dict], parallel: dict | None) -> list[dict]:
    """Each measure against its target from DESIGN.md (``met`` is None where none is set)."""
    full, ref, eng = runs["baseline"], runs["reference_subsample"], runs["engine_subsample"]
    speed, ref_speed = full["agent_steps_per_second"], ref["agent_steps_per_second"]
    flee_target = 100 * FLEE_AGENT_STEPS_PER_SECOND
    ref_run = f"reference, {ref['days']} days at scale {ref['scale']:g}"
    rows = [
        (f"Baseline run ({full['days']} days, scale {full['scale']:g}, one seed, one process), "
         "setup + run", full["wall_seconds"], "s", "< 30", full["wall_seconds"] < 30),
        ("Agent-steps per second, baseline run", speed, "agent-steps/s",
         "≥ 1e7 (100 × Flee's ~1e5)", speed >= flee_target),
        (f"Speed per agent-step: baseline run ÷ per-agent Mesa {ref_run}",
         speed / ref_speed, "×", "≥ 50", speed / ref_speed >= 50),
        ("Peak memory per person (peak RSS growth ÷ people), baseline run",
         full["peak_bytes_per_person"], "bytes", "< 300", full["peak_bytes_per_person"] < 300),
        ("Population arrays per person (allocated capacity included), baseline run",
         full["population_bytes_per_person"], "bytes", "", None),
        (f"Speed per agent-step: engine ÷ {ref_run} (same subsample)",
         eng["agent_steps_per_second"] / ref_speed, "×", "", None),
    ]  # fmt: skip
    if "engine_window" in runs:
        window, ref_window = runs["engine_window"], runs["reference_window"]
        rows.append(
            (f"Speed per agent-step: engine ÷ reference, first {window['days']} days at scale "
             f"{window['scale']:g} (same population)",
             window["agent_steps_per_second"] / ref_window["agent_steps_per_second"],
             "×", "", None)
        )  # fmt: skip
    if parallel:
        rows.append(
            (f"Sweep of {parallel['runs']} short runs: wall time on 2 workers ÷ on 1",
             parallel["ratio"], "", "≤ 0.6", parallel["ratio"] <= 0.6)
        )  # fmt: skip
        if "cpu_capacity_ratio" in parallel:
            rows.append(
                ("Same ratio for pure-Python busy work: the machine's limit at that moment",
                 parallel["cpu_capacity_ratio"], "", "0.5 on two idle cores", None)
            )  # fmt: skip
    keys = ("measure", "value", "unit", "target", "met")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _number(value: float) -> str:
    """A measure for a table: 3 significant figures, thousands separated, large in e-notation."""
    if value >= 1e6:
        return f"{value:.2e}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def render_markdown(report: dict) -> str:
    """``docs/performance.md`` from the benchmark's results."""
    m, runs = report["machine"], report["runs"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (`python tools/bench.py`); the numbers are also in",
        "`results/bench/bench.json`. Targets are those of `../shared/DESIGN.md`.",
        "",
        "## Machine",
        "",
        f"- Date: {m['date']}",
        f"- CPU: {m['cpu']}, {m['cores']} logical cores; memory {m['memory_gib']} GiB",
        f"- Load average (1 min) at the start and end of the benchmark: "
        f"{m['load_average_1min']} and {report.get('load_average_end', '?')} (other processes "
        "sharing the cores slow every measure; compare run s with run CPU s below)",
        f"- {m['platform']}; {versions}",
        f"- Commit: {m['git_commit']}",
        "",
        "## Measures against targets",
        "",
        "| measure | value | target | met |",
        "| --- | ---: | --- | --- |",
    ]
    for row in report["targets"]:
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        value = f"{_number(row['value'])} {row['unit']}".strip()
        lines.append(f"| {row['measure']} | {value} | {row['target']} | {met} |")
    lines += [
        "",
        "## Runs",
        "",
        f"Each run is measured in a fresh Python process, {report.get('repeats', 1)} time(s);",
        "the fastest is kept. An agent-step is one day of one person not yet in a final status",
        "(`model.agent_steps`); speeds are agent-steps per wall second of the days' stepping",
        "(not the setup). Run CPU s is the CPU time of that stepping: when it falls well short",
        "of run s, other processes were using the cores. Peak memory is the growth of the",
        "process's peak resident memory from just before the model is built to the end of the",
        "run, divided by the people.",
        "",
        "| run | model | days | scale | people | agent-steps | setup s | run s | run CPU s "
        "| agent-steps/s | peak bytes/person |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, run in runs.items():
        lines.append(
            f"| {name} | {run['kind']} | {run['days']} | {run['scale']:g} | {run['people']:,} "
            f"| {run['agent_steps']:,} | {run['setup_seconds']:.2f} | {run['run_seconds']:.2f} "
            f"| {run['run_cpu_seconds']:.2f} "
            f"| {_number(run['agent_steps_per_second'])} "
            f"| {_number(run['peak_bytes_per_person'])} |"
        )
    stages = runs["baseline"]["stage_seconds"]
    if stages:
        total = runs["baseline"]["run_seconds"]
        lines += [
            "",
            "## Where the baseline run's time goes",
            "",
            "| stage of the day | s | share |",
            "| --- | ---: | ---: |",
        ]
        for stage, seconds in sorted(stages.items(), key=lambda item: -item[1]):
            lines.append(f"| `{stage}` | {seconds:.2f} | {seconds / total:.0%} |")
    parallel = report.get("parallel")
    if parallel:
        lines += [
            "",
            "## Parallel sweep",
            "",
            f"{parallel['runs']} runs of the baseline ({parallel['days']} days, scale "
            f"{parallel['scale']:g}) through `sim.execution.run_tasks`: "
            f"{parallel['seconds_1_worker']} s on 1 worker (in process), "
            f"{parallel['seconds_2_workers']} s on 2 workers (spawned processes, start-up "
            f"included): ratio {parallel['ratio']:.2f}. For comparison, two units of "
            "pure-Python busy work took "
            f"{parallel.get('cpu_capacity_ratio', float('nan')):.2f} times as long on two "
            "processes as on one, just after (0.5 on two idle cores): the best any sweep could "
            "do on this machine at that moment.",
        ]
    lines += [
        "",
        "## How to read this",
        "",
        "- The reference (`tests/reference/`) is the same model with one `mesa.Agent` per",
        "  migrant stepped by `shuffle_do`, the movement rules written for one person in plain",
        "  Python; `tests/test_reference.py` checks that both give the same distributions.",
        "- The speed target (≥ 50×) is judged on the baseline run against the reference on a",
        "  small subsample. The reference's speed per agent-step falls as its population grows",
        "  (more objects, fewer cache hits), so this understates the engine's advantage; the",
        "  full-scale window compares both on the same population over the first days of the",
        "  year. On the same small subsample the engine's fixed costs per day (a few dozen numpy",
        "  calls whatever the number of people) dominate, so that ratio is the smallest.",
        "- Peak memory includes the population's arrays (allocated in blocks that double, so up",
        "  to twice the rows in use), the daily counters and the day's temporary arrays.",
        "- Flee's figure (~1e5 agent-steps/s on this machine) is quoted from the issue, not",
        "  measured here.",
        "- The parallel sweep is only meaningful on an otherwise idle machine with at least two",
        "  free cores: spawned workers pay Python's start-up and imports once each, and any",
        "  other load on the cores is shared with them.",
        "",
    ]
    return "\n".join(lines)


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
        "--window-days",
        type=int,
        default=10,
        help="days of the full-scale reference run (0 to skip)",
    )
    parser.add_argument(
        "--repeats", type=int, default=2, help="runs of each measure; the fastest is kept"
    )
    parser.add_argument("--parallel-runs", type=int, default=64, help="0 to skip")
    parser.add_argument("--parallel-days", type=int, default=180)
    parser.add_argument("--parallel-scale", type=float, default=0.02)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--child", choices=("engine", "reference"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every measure, write ``bench.json`` and ``performance.md``, print the table."""
    args = parse_args(argv)
    if args.child:
        result = measure_run(args.child, str(args.scenario), args.seed, args.days, args.scale)
        print(json.dumps(result))
        return 0
    from sim.execution.files import write_text_atomic
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    report: dict[str, Any] = {
        "machine": machine(),
        "scenario": str(args.scenario),
        "seed": seed,
        "repeats": args.repeats,
        "runs": {},
    }
    plan = [
        ("baseline", "engine", args.days, args.scale),
        ("reference_subsample", "reference", args.reference_days, args.reference_scale),
        ("engine_subsample", "engine", args.reference_days, args.reference_scale),
    ]
    if args.window_days:
        plan += [
            ("reference_window", "reference", args.window_days, args.scale),
            ("engine_window", "engine", args.window_days, args.scale),
        ]
    for name, kind, days, scale in plan:
        print(f"bench: {name} ({kind}, {days} days, scale {scale:g}) ...", flush=True)
        repeats = [run_child(kind, args.scenario, seed, days, scale) for _ in range(args.repeats)]
        report["runs"][name] = min(repeats, key=lambda run: run["run_seconds"])
    if args.parallel_runs:
        print(f"bench: sweep of {args.parallel_runs} runs on 1 and 2 workers ...", flush=True)
        report["parallel"] = measure_parallel(
            args.scenario, seed, args.parallel_runs, args.parallel_days, args.parallel_scale
        )
        report["parallel"]["cpu_capacity_ratio"] = measure_cpu_capacity()
    report["load_average_end"] = _load_average()
    report["targets"] = targets_table(report["runs"], report.get("parallel"))
    write_text_atomic(args.out / "bench.json", json.dumps(report, indent=2) + "\n")
    write_text_atomic(args.doc, render_markdown(report))
    for row in report["targets"]:
        print(f"{row['measure']:<78} {_number(row['value']):>10} {row['unit']:<14} {row['target']}")
    print(f"written: {args.out / 'bench.json'}, {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
