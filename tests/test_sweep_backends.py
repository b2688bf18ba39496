"""A sweep gives the same runs.parquet in this process, on the process pool and on Dask.

Real processes throughout: the pool spawns workers, ``distributed.LocalCluster`` starts a
scheduler and worker processes, and the last test starts them with the very commands
docs/sweeps.md gives for a cluster of machines (`dask scheduler`, `dask worker`), on this
machine's loopback address.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
from conftest import ROOT
from sweep_cases import (
    failing_at_point_one,
    free_port,
    start_cluster,
    stop,
    sweep_args,
    sweep_on_local_cluster,
    write_sweep,
)

from sim.commands import sweep as sweep_command
from sim.errors import UserError
from sim.sweep import cluster
from sim.sweep.design import DesignSpec, Factor, sample_design
from sim.sweep.execute import run_plan
from sim.sweep.store import SweepStore
from sim.sweep.tasks import Plan

distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The tiny sweep run in this process (one worker): the reference table."""
    folder = tmp_path_factory.mktemp("serial")
    path = write_sweep(folder)
    assert sweep_command.main(sweep_args(path, folder / "out", workers=1, csv=True)) == 0
    return path, folder / "out"


def test_the_serial_sweep_writes_every_run_and_its_analysis(serial):
    _, out = serial
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 8 and runs["error"].isna().all()
    assert list(runs.columns[:5]) == ["point", "replication", "seed", "push", "prevention_on"]
    assert runs.groupby("replication")["seed"].nunique().eq(1).all(), "paired seeds"
    assert runs["seed"].nunique() == 2
    # The levers do something: prevention lowers Central Mediterranean arrivals, over the four
    # pairs of runs with the same seed and push (a run lands a few dozen agents there, so one
    # pair alone can go either way: 3,900 against 3,500 in one on 3 Dec 2026).
    wide = runs.pivot_table(index=["push", "replication"], columns="prevention_on",
                            values="arrivals.central_med")  # fmt: skip
    assert wide[True].sum() < 0.9 * wide[False].sum()
    points = pd.read_csv(out / "points.csv")
    assert set(points["output"]) == set(runs.columns[5:-1]) and len(points) == 4 * 5
    assert (out / "runs.csv").is_file() and (out / "design.csv").is_file()
    assert sorted(p.name for p in (out / "figures").glob("map-*.png"))[0].startswith("map-arr")
    assert not (out / "parts").exists(), "parts are merged into runs.parquet"


def test_the_process_pool_gives_the_same_table(serial, tmp_path):
    path, reference = serial
    assert sweep_command.main(sweep_args(path, tmp_path / "pool", workers=2)) == 0
    same = (tmp_path / "pool" / "runs.parquet").read_bytes()
    assert same == (reference / "runs.parquet").read_bytes()
    assert pd.read_csv(tmp_path / "pool" / "run_times.csv")["worker"].nunique() == 2


def test_a_local_dask_cluster_gives_the_same_table(serial, tmp_path):
    path, reference = serial
    same = sweep_on_local_cluster(path, tmp_path / "dask")
    assert same == (reference / "runs.parquet").read_bytes()


def small_plan() -> Plan:
    design = sample_design([Factor("a", values=(1, 2, 3))], DesignSpec("grid"))
    return Plan("failing", design, replications=2, seeds=[5, 6], outputs=["y"])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_run_is_recorded_with_its_error_and_the_others_go_on(tmp_path, workers):
    plan = small_plan()
    store = SweepStore(tmp_path, plan)
    progress = run_plan(plan, store, failing_at_point_one, workers=workers, progress=False)
    runs = store.finished()
    assert progress.ran == 6 and progress.failed == 2
    failed = runs[runs["error"].notna()]
    assert list(failed["point"]) == [1, 1] and failed["y"].isna().all()
    assert failed["error"].str.contains("deliberate failure at design point 1").all()
    assert list(runs.loc[runs["error"].isna(), "y"]) == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.slow
def test_a_cluster_started_as_the_docs_say_runs_the_sweep(serial, tmp_path):
    """`dask scheduler` and `dask worker` as separate processes (here on 127.0.0.1)."""
    path, reference = serial
    address, processes = start_cluster(tmp_path / "cluster.log")
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "run.py"), "sweep", str(path), "--scheduler", address,
             "--out", str(tmp_path / "cli")],
            capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    finally:
        stop(processes)
    same = (tmp_path / "cli" / "runs.parquet").read_bytes()
    assert same == (reference / "runs.parquet").read_bytes()


def test_no_scheduler_there_is_a_clear_error():
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(UserError) as caught:
        cluster.connect(address, timeout=2)
    assert f"--scheduler {address}: cannot reach a Dask scheduler there" in str(caught.value)
    assert "dask scheduler" in str(caught.value)


@pytest.mark.slow
def test_results_that_can_no_longer_be_taken_say_the_cluster_was_lost(tmp_path):
    """The scheduler killed after the tasks finished, before the client noticed: the futures
    still say "finished" but fetching a result fails. Taking it is a lost cluster, never a
    traceback (CI on 2 Dec 2026 saw this end a sweep with a CommClosedError); so is taking
    the others once the client has noticed and cancelled them."""
    address, processes = start_cluster(tmp_path / "cluster.log")
    try:
        with cluster.session(address) as client:
            futures = client.map(abs, [-1, -2, -3, -4], pure=False)  # importable on workers
            assert [cluster.take(client, f, i, 4) for i, f in enumerate(futures)] == [1, 2, 3, 4]
            more = client.map(abs, [-5, -6, -7, -8], pure=False)
            deadline = time.monotonic() + 60
            while any(f.status != "finished" for f in more) and time.monotonic() < deadline:
                time.sleep(0.01)
            # The client's event loop is kept busy while the scheduler dies, so that it cannot
            # yet see the connection close.
            busy = threading.Event()
            client.loop.add_callback(lambda: busy.set() or time.sleep(2))
            busy.wait(10)
            processes[0].kill()
            processes[0].wait()
            assert [f.status for f in more] == ["finished"] * 4
            for future in more:
                with pytest.raises(UserError, match="lost the Dask cluster after 4 of 8 runs"):
                    cluster.take(client, future, 4, 8)
    finally:
        stop(processes)
