"""A sweep stopped half-way by a real signal keeps its finished runs, and ``--resume`` runs
only what is missing, ending with the same runs.parquet as a sweep run straight through.

The sweep runs as a real ``python run.py sweep`` process in a process group of its own, with
two pool workers; the test waits until some runs are on disk and then signals the whole group,
as a terminal does for Ctrl-C (SIGINT) or as a machine going down kills everything (SIGKILL).
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from sweep_cases import TINY, start_cluster, stop, sweep_args, write_sweep

from sim.commands import sweep as sweep_command

pytestmark = pytest.mark.slow

#: 5 x 2 points x 8 replications = 80 short runs: long enough to stop half-way (finished runs
#: reach the disk within 2 seconds).
LONGER = copy.deepcopy(TINY)
LONGER["factors"]["push"]["values"] = [0.0, 0.2, 0.4, 0.6, 0.8]
LONGER["replications"] = 8
RUNS = 80


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """The sweep run straight through (in this process, one worker)."""
    folder = tmp_path_factory.mktemp("straight")
    path = write_sweep(folder, LONGER)
    assert sweep_command.main(sweep_args(path, folder / "out", workers=1)) == 0
    return path, (folder / "out" / "runs.parquet").read_bytes()


def recorded(out) -> int:
    parts = list((out / "parts").glob("part-*.parquet")) if (out / "parts").is_dir() else []
    return sum(pq.read_metadata(p).num_rows for p in parts)


@pytest.mark.parametrize("signal_sent", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_sweep_stopped_half_way_and_resumed_equals_one_run_straight_through(
    straight, tmp_path, signal_sent
):
    path, reference = straight
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "run.py"), "sweep", str(path), "--workers", "2",
               "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 240
    while recorded(out) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before it could be stopped"
    os.killpg(process.pid, signal_sent)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode != 0
    kept = recorded(out)
    assert 0 < kept < RUNS, f"stopped half-way: {kept} of {RUNS} runs on disk"
    assert not (out / "runs.parquet").exists(), "runs.parquet only when every run is done"
    manifest = json.loads((out / "manifest.json").read_text())
    if signal_sent == signal.SIGINT:
        assert manifest["status"] == "interrupted" and "--resume" in stderr
        assert "Traceback" not in stderr
    time.sleep(1)  # let the killed group's last processes go

    assert sweep_command.main(sweep_args(path, out, resume=True, workers=1)) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["counts"]["kept"] == kept and manifest["counts"]["run_now"] == RUNS - kept
    assert len(manifest["sessions"]) == 2
    assert (out / "runs.parquet").read_bytes() == reference


def _cluster_sweep_stopped_half_way(path, out, log, stop_it) -> tuple[int, str]:
    """Run the sweep on a local cluster as a real process, call ``stop_it(process,
    cluster_processes)`` once a run is on disk, and return its exit code and standard error."""
    address, processes = start_cluster(log)
    try:
        command = [sys.executable, str(ROOT / "run.py"), "sweep", str(path), "--scheduler",
                   address, "--out", str(out)]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)  # fmt: skip
        deadline = time.monotonic() + 240
        while recorded(out) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the sweep ended before it could be stopped"
        stop_it(process, processes)
        _, stderr = process.communicate(timeout=180)
    finally:
        stop(processes)
    return process.returncode, stderr


def _resumes_locally_to_the_same_runs(path, out, reference) -> None:
    kept = recorded(out)
    assert 0 < kept < RUNS
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert sweep_command.main(sweep_args(path, out, resume=True, workers=1)) == 0
    assert (out / "runs.parquet").read_bytes() == reference


def test_a_lost_cluster_keeps_the_finished_runs_and_the_sweep_resumes_locally(straight, tmp_path):
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    path, reference = straight
    out = tmp_path / "out"

    def lose_the_scheduler(_process, cluster) -> None:
        cluster[0].kill()

    code, stderr = _cluster_sweep_stopped_half_way(
        path, out, tmp_path / "cluster.log", lose_the_scheduler
    )
    assert code == 2, stderr[-3000:]
    assert "error: lost the Dask cluster after" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    _resumes_locally_to_the_same_runs(path, out, reference)


def test_a_cluster_sweep_stopped_by_sigterm_keeps_its_runs_and_resumes(straight, tmp_path):
    """On a Dask cluster too a stop signal is taken between two looks at what completed
    (sim.sweep.cluster): the sweep ends at once, keeping every finished run."""
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    path, reference = straight
    out = tmp_path / "out"

    def terminate(process, _cluster) -> None:
        process.send_signal(signal.SIGTERM)

    code, stderr = _cluster_sweep_stopped_half_way(path, out, tmp_path / "cluster.log", terminate)
    assert code != 0 and "Traceback" not in stderr, stderr[-3000:]
    assert "sweep stopped:" in stderr and "--resume" in stderr
    _resumes_locally_to_the_same_runs(path, out, reference)


def pool_workers(pid: int) -> list[int]:
    """The process ids of the pool workers spawned by process ``pid`` (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_killed_worker_fails_only_runs_that_resume_runs_again(straight, tmp_path):
    path, reference = straight
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "run.py"), "sweep", str(path), "--workers", "2",
               "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    deadline = time.monotonic() + 240
    while recorded(out) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before a worker could be killed"
    os.kill(pool_workers(process.pid)[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 1, stderr[-3000:]
    assert "error: run failed: design point" in stderr and "Traceback" not in stderr
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    failed = int(runs["error"].notna().sum())
    assert len(runs) == RUNS and 0 < failed < RUNS
    assert sweep_command.main(sweep_args(path, out, resume=True, workers=1)) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["run_now"] == failed and manifest["counts"]["failed"] == 0
    assert (out / "runs.parquet").read_bytes() == reference


def test_resuming_with_another_sweep_file_is_refused(straight, tmp_path):
    path, _ = straight
    out = tmp_path / "out"
    other = write_sweep(tmp_path, LONGER, replications=3)
    assert sweep_command.main(sweep_args(other, out, workers=1, replications=1)) == 0
    with pytest.raises(Exception, match="started from a different sweep"):
        sweep_command.main(sweep_args(path, out, resume=True, workers=2))
    with pytest.raises(Exception, match="already holds a sweep"):
        sweep_command.main(sweep_args(other, out, workers=1, replications=1))
