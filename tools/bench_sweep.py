"""The sweep command's throughput, a measure of ``tools/bench.py`` (``--sweep*`` options).

``python run.py sweep`` is timed from outside, as a user waits for it (start-up, the sweep
file's checks, the runs, runs.parquet, the SALib analysis and the figures): the sweep file with
a reduced number of base samples on 1 worker and on 2 (DESIGN.md: 2 workers at least 1.7 times
as fast), and the whole file on 2 workers (the shipped Sobol' sweep is 1,024 baseline-year runs
at scale 0.1: DESIGN.md asks for 1,000 in under 10 minutes on the 2-core machine).

:func:`measure_warmup_sharing` projects that target's time for a sweep of
:data:`PROJECTED_POINTS` design points x replications, with every replication simulating its
warm-up (``warmup: per_run``) and with one warm-up per design point (``warmup: shared``): the
command is timed on a 2 x 2 grid cut from the policy map, and its runs (``run_times.csv``) are
scaled to the projected number of points while the rest (start-up, checks, analysis, figures)
is counted once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SWEEP = ROOT / "scenarios" / "sweeps" / "behaviour_sobol.yaml"
#: The grid the warm-up measure cuts its 2 x 2 design from (a baseline year at scale 0.1).
WARMUP_SWEEP = ROOT / "scenarios" / "sweeps" / "policy_map.yaml"
#: The projected sweep: runs in all, as design points x the measured replications.
PROJECTED_RUNS = 1000
WORKERS = 2


def timed_sweep(sweep: Path, out: Path, workers: int, options: list[str]) -> dict:
    """Wall seconds of ``python run.py sweep SWEEP --workers W`` as a user waits for it
    (start-up, checks, runs, runs.parquet, analysis and figures), with the sweep's size."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, str(ROOT / "run.py"), "sweep", str(sweep), "--workers",
               str(workers), "--out", str(out), *options]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"sweep benchmark failed: {done.stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        "workers": workers,
        "runs": manifest["runs"],
        "days": manifest["sweep"]["days"],
        "scale": manifest["sweep"]["scale"],
        "seconds": round(seconds, 2),
        "runs_per_minute": manifest["runs"] / seconds * 60,
    }


def measure_sweep(
    sweep: Path, out: Path, samples: int, full: bool, days: int | None, scale: float | None
) -> dict:
    """The sweep command's throughput: with ``samples`` (0: skip) base samples on 1 worker and
    on 2, and, with ``full``, the whole sweep file on 2 workers."""
    options = [
        *(["--days", str(days)] if days else []),
        *(["--scale", str(scale)] if scale else []),
    ]
    result: dict[str, Any] = {"sweep": str(sweep.relative_to(ROOT) if sweep.is_relative_to(ROOT)
                                            else sweep)}  # fmt: skip
    if samples:
        sized = [*options, "--samples", str(samples)]
        one, two = (timed_sweep(sweep, out / f"workers-{w}", w, sized) for w in (1, 2))
        result.update(one_worker=one, two_workers=two, speed_up=one["seconds"] / two["seconds"])
    if full:
        result["full"] = timed_sweep(sweep, out / "full", 2, options)
    return result


def small_grid(sweep: Path, folder: Path, replications: int, warmup: str) -> Path:
    """``sweep`` (a grid) cut to the first two values of its first two factors, with
    ``replications`` and ``warmup``, written to ``folder``; its base scenario is the same."""
    data = yaml.safe_load(sweep.read_text(encoding="utf-8"))
    data["scenario"] = str((sweep.parent / data["scenario"]).resolve())
    factors = dict(list(data["factors"].items())[:2])
    for factor in factors.values():
        factor["values"] = factor["values"][:2]
    data.update(name=f"{data['name']}-{warmup}", factors=factors, replications=replications,
                warmup=warmup)  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def measure_warmup_sharing(out: Path, replications: int, sweep: Path = WARMUP_SWEEP) -> dict:
    """The ``sweep`` command on 2 workers, a 2 x 2 grid x ``replications``, with a warm-up per
    run and with one per design point; each projected to :data:`PROJECTED_RUNS` runs.

    The projection counts the measured command's time outside its runs once (start-up, the
    checks, the analysis and figures: the command's wall time less its busiest worker's run
    time) and the runs' time (their wall seconds over both workers) as many times as the
    projected sweep has runs more than the measured one."""
    shown = sweep.relative_to(ROOT) if sweep.is_relative_to(ROOT) else sweep
    result: dict[str, Any] = {"sweep": str(shown), "workers": WORKERS,
                              "replications": replications}  # fmt: skip
    for warmup in ("per_run", "shared"):
        folder = out / f"warmup-{warmup}"
        shutil.rmtree(folder, ignore_errors=True)
        path = small_grid(sweep, folder, replications, warmup)
        timed = timed_sweep(path, folder / "out", WORKERS, [])
        times = pd.read_csv(folder / "out" / "run_times.csv")
        busiest = float(times.groupby("worker")["wall_seconds"].sum().max())
        outside_runs = max(timed["seconds"] - busiest, 0.0)
        runs_on_workers = float(times["wall_seconds"].sum()) / WORKERS
        projected = outside_runs + runs_on_workers * PROJECTED_RUNS / timed["runs"]
        result[warmup] = {
            **timed,
            "points": timed["runs"] // replications,
            "outside_runs_seconds": round(outside_runs, 2),
            "projected_points": PROJECTED_RUNS // replications,
            "projected_seconds": round(projected, 1),
        }
    return result
