"""Sweep files and task functions the sweep tests share.

The task functions are top-level here so that spawned pool workers can import them (the tests
folder is on the path of the processes the pool spawns).
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

import yaml
from conftest import SCENARIOS

from sim.commands import sweep as sweep_command
from sim.sweep.tasks import RunRecord, SweepTask

#: The scenario the small sweep varies: scenarios/policy_map.yaml with a 150-day warm-up
#: instead of two years (a sweep test needs runs, not a settled baseline), written beside
#: every sweep file by :func:`write_sweep`.
TINY_BASE: dict[str, Any] = {
    "name": "tiny_base",
    "extends": str(SCENARIOS / "policy_map.yaml"),
    "description": "policy_map.yaml with a short warm-up, for the sweep tests",
    "parameters": {"warmup_days": 150},
}

#: A small sweep of the model: 2 x 2 grid (a policy's strength, a policy switched on or off),
#: 2 replications, 30 days at one agent per 100 people.
TINY: dict[str, Any] = {
    "name": "tiny",
    "scenario": "tiny_base.yaml",
    "days": 30,
    "scale": 0.01,
    "replications": 2,
    "factors": {
        "push": {"path": "policies.balkan_pushbacks.probability", "values": [0.0, 0.8]},
        "prevention_on": {
            "path": "policies.central_med_prevention.enabled",
            "values": [False, True],
        },
    },  # fmt: skip
    "design": {"method": "grid"},
    "outputs": [
        {"metric": ["arrivals", "dead_missing"], "route": ["central_med", "western_balkans"]},
        {"metric": "stranded", "window": ["2023-01-10", "2023-01-20"], "statistic": "max"},
    ],
}


def write_sweep(folder: Path, data: dict[str, Any] | None = None, **changes: Any) -> Path:
    """Write a sweep file (``TINY`` with top-level ``changes``) to ``folder``; return it."""
    content = {**(data or TINY), **changes}
    base = folder / "tiny_base.yaml"
    base.write_text(yaml.safe_dump(TINY_BASE, sort_keys=False), encoding="utf-8")
    path = folder / f"{content['name']}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def sweep_args(path: Path, out: Path, **options: Any) -> Namespace:
    """The ``sweep`` command's arguments for sweep file ``path`` into ``out``: its defaults,
    changed by ``options``."""
    defaults = dict(workers=None, scheduler=None, resume=False, days=None, scale=None,
                    replications=None, samples=None, csv=False)  # fmt: skip
    return Namespace(sweep=str(path), out=str(out), **{**defaults, **options})


def sweep_on_local_cluster(path: Path, out: Path) -> bytes:
    """Run sweep file ``path`` into ``out`` on a real two-worker ``distributed.LocalCluster``;
    the bytes of its runs.parquet."""
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:  # fmt: skip
        args = sweep_args(path, out, scheduler=cluster.scheduler_address)
        assert sweep_command.main(args) == 0
    return (out / "runs.parquet").read_bytes()


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x1: float, x2: float, x3: float) -> float:
    """The Ishigami function (a = 7, b = 0.1), a standard test of sensitivity analysis."""
    return math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)


def ishigami_task(task: SweepTask) -> RunRecord:
    """A sweep task evaluating the Ishigami function at the point's factors x1, x2, x3."""
    y = ishigami(task.values["x1"], task.values["x2"], task.values["x3"])
    return RunRecord(task.point, task.replication, task.seed, dict(task.values), {"y": y})


def failing_at_point_one(task: SweepTask) -> RunRecord:
    """Design point 1 raises (as a bug would); the others return the point's number."""
    if task.point == 1:
        raise RuntimeError("deliberate failure at design point 1")
    outputs = {"y": float(task.point + task.replication)}
    return RunRecord(task.point, task.replication, task.seed, dict(task.values), outputs)


def linear_task(task: SweepTask) -> RunRecord:
    """``y = 3 x1 + x2`` (x3 has no effect): elementary effects 3, 1 and 0 exactly."""
    y = 3.0 * task.values["x1"] + task.values["x2"] + 0.0 * task.values["x3"]
    return RunRecord(task.point, task.replication, task.seed, dict(task.values), {"y": y})


def box_task(task: SweepTask) -> RunRecord:
    """``y = x1 + flag`` (x2 has no effect): y >= 1.6 exactly when flag and x1 >= 0.6."""
    y = task.values["x1"] + (1.0 if task.values["flag"] else 0.0) + 0.0 * task.values["x2"]
    return RunRecord(task.point, task.replication, task.seed, dict(task.values), {"y": y})


def free_port() -> int:
    """A TCP port free on the loopback address now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(log: Path) -> tuple[str, list[subprocess.Popen]]:
    """A Dask scheduler and two worker processes, started with the commands docs/sweeps.md
    gives (`dask scheduler`, `dask worker`) on 127.0.0.1; their output goes to ``log``."""
    dask = shutil.which("dask", path=os.path.dirname(sys.executable))
    assert dask, "the cluster extra installs the `dask` command"
    port = free_port()
    with open(log, "w") as out:
        scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=out, stderr=out,
        )  # fmt: skip
        worker = subprocess.Popen(
            [dask, "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "2", "--nthreads", "1",
             "--no-dashboard"], stdout=out, stderr=out,
        )  # fmt: skip
    return f"tcp://127.0.0.1:{port}", [scheduler, worker]


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate processes (kill those that do not stop within 30 s)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
