"""The sweep command's throughput, a measure of ``tools/bench.py`` (``--sweep*`` options).

``python run.py sweep`` is timed from outside, as a user waits for it (start-up, the sweep
file's checks, the runs, runs.parquet, the SALib analysis and the figures): the sweep file with
a reduced number of base samples on 1 worker and on 2 (DESIGN.md: 2 workers at least 1.7 times
as fast), and the whole file on 2 workers (the shipped Sobol' sweep is 1,024 baseline-year runs
at scale 0.1: DESIGN.md asks for 1,000 in under 10 minutes on the 2-core machine).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SWEEP = ROOT / "scenarios" / "sweeps" / "behaviour_sobol.yaml"


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
