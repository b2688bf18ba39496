"""``warmup: shared`` in a sweep file: one warm-up per design point, continued by each
replication with its own seed, on every backend, resumable, and checked like every other key.

Real sweep files, real processes: the serial path runs in this process, the pool spawns two
workers, ``distributed.LocalCluster`` starts a scheduler and two worker processes.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT
from sweep_cases import TINY, sweep_args, sweep_on_local_cluster, write_sweep

from sim.commands import sweep as sweep_command
from sim.sweep.loading import load_sweep
from sim.sweep.store import part_schema

#: The tiny sweep (4 design points, 30 days at scale 0.01 after a 150-day warm-up) with three
#: replications and a shared warm-up.
SHARED = {**copy.deepcopy(TINY), "replications": 3, "warmup": "shared"}
OUTPUTS = ["arrivals.central_med", "arrivals.western_balkans", "dead_missing.central_med",
           "dead_missing.western_balkans", "stranded.all.2023-01-10..2023-01-20"]  # fmt: skip


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The shared-warm-up sweep run in this process: the reference table."""
    folder = tmp_path_factory.mktemp("shared")
    path = write_sweep(folder, SHARED)
    assert sweep_command.main(sweep_args(path, folder / "out", workers=1)) == 0
    return path, folder / "out"


def test_the_plan_groups_replications_by_point_and_records_the_choice(serial, tmp_path):
    path, out = serial
    plan = load_sweep(path).plan
    units = plan.units(plan.tasks())
    assert [[t.key for t in unit.tasks] for unit in units] == [
        [(point, r) for r in range(3)] for point in range(4)
    ]
    assert {unit.warmup_seed for unit in units} == {plan.seeds[0]}
    per_run = load_sweep(write_sweep(tmp_path, SHARED, warmup="per_run")).plan
    assert per_run.units(per_run.tasks()) == per_run.tasks()
    assert per_run.fingerprint() != plan.fingerprint()  # a resume cannot mix the two
    assert '"warmup": "shared"' in (out / "manifest.json").read_text()


def test_the_process_pool_gives_the_same_table(serial, tmp_path):
    path, reference = serial
    assert sweep_command.main(sweep_args(path, tmp_path / "pool", workers=2)) == 0
    same = (tmp_path / "pool" / "runs.parquet").read_bytes()
    assert same == (reference / "runs.parquet").read_bytes()
    times = pd.read_csv(tmp_path / "pool" / "run_times.csv")
    assert times["worker"].nunique() == 2
    assert times.groupby("point")["worker"].nunique().eq(1).all(), "a point stays in its worker"


def test_a_local_dask_cluster_gives_the_same_table(serial, tmp_path):
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    path, reference = serial
    same = sweep_on_local_cluster(path, tmp_path / "dask")
    assert same == (reference / "runs.parquet").read_bytes()


def test_replication_0_is_the_per_run_sweeps_and_the_others_differ_from_it(serial, tmp_path):
    _, reference = serial
    shared = pd.read_parquet(reference / "runs.parquet")
    path = write_sweep(tmp_path, SHARED, warmup="per_run")
    assert sweep_command.main(sweep_args(path, tmp_path / "per_run", workers=2)) == 0
    per_run = pd.read_parquet(tmp_path / "per_run" / "runs.parquet")
    assert list(shared["seed"]) == list(per_run["seed"])
    first = shared["replication"] == 0
    pd.testing.assert_frame_equal(shared[first], per_run[first])
    assert shared[first]["arrivals.central_med"].sum() > 0
    # Later replications go on from replication 0's warm-up, not their own: other numbers.
    assert not shared.loc[~first, OUTPUTS].equals(per_run.loc[~first, OUTPUTS])
    # Replications of a point part after the start date.
    spread = shared.groupby("point")["arrivals.central_med"].nunique()
    assert (spread > 1).all()


def test_a_resumed_sweep_with_points_partly_done_gives_the_same_table(serial, tmp_path, capsys):
    """Point 1 lacks replication 1, point 3 lacks all three: resuming runs point 1's warm-up
    again for its one missing replication, with replication 0's seed."""
    _, reference = serial
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    runs = pd.read_parquet(out / "runs.parquet").merge(pd.read_csv(out / "run_times.csv"))
    missing = ((runs["point"] == 1) & (runs["replication"] == 1)) | (runs["point"] == 3)
    kept = runs[~missing].astype({"error": "object"})
    (out / "parts").mkdir()
    plan = load_sweep(serial[0]).plan
    kept.to_parquet(out / "parts" / "part-000001.parquet", schema=part_schema(plan), index=False)
    for name in ("runs.parquet", "run_times.csv", "points.csv"):
        (out / name).unlink()
    capsys.readouterr()
    assert sweep_command.main(sweep_args(serial[0], out, resume=True, workers=1)) == 0
    assert "12 runs recorded (8 kept from before)" in capsys.readouterr().out
    assert (out / "runs.parquet").read_bytes() == (reference / "runs.parquet").read_bytes()


def test_a_bad_warmup_value_is_one_paragraph_naming_file_and_key_and_exits_with_2(tmp_path):
    path = write_sweep(tmp_path, SHARED, warmup="once")
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "sweep", str(path), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if text.startswith("warmup:"))  # fmt: skip
    assert done.stderr == (
        f"error: {path}, line {line}: warmup: 'once' is not allowed here; valid values: "
        "'per_run' or 'shared'.\n"
    )
    assert not (tmp_path / "o").exists(), "nothing is written for a bad sweep file"
