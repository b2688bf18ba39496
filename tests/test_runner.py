"""sim.execution.runner and `python run.py run`: one run, its tables and manifest, and
reproducibility across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
from conftest import ROOT, SCENARIOS

from sim.execution.runner import replication_seeds, simulate
from sim.network import load_network
from sim.scenario.loading import load_scenario


def _run(out, *extra, hash_seed="0"):
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [
        sys.executable,
        "run.py",
        "run",
        str(SCENARIOS / "teaching.yaml"),
        "--days",
        "40",
        "--scale",
        "0.005",
        "--seeds",
        "2",
        "--workers",
        "1",
        "--check",
        "--out",
        str(out),
        *extra,
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_run_writes_tables_and_manifest(tmp_path):
    done = _run(tmp_path / "a")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "teaching"
    assert len(manifest["scenario"]["sha256"]) == 64
    assert manifest["seeds"] == replication_seeds(manifest["root_seed"], 2)
    assert manifest["days"] == 40 and manifest["scale"] == 0.005
    # The manifest's statistics are those of the runs: the same seed run here gives them.
    first = manifest["runs"][0]
    again = simulate(load_scenario(SCENARIOS / "teaching.yaml"), first["seed"], 40, 0.005)
    assert {k: v for k, v in first.items() if k not in ("seed", "wall_seconds")} == {
        k: v for k, v in again.stats.items() if k != "wall_seconds"
    }
    assert manifest["lock"]["file"] == "requirements.lock"
    assert len(manifest["lock"]["sha256"]) == 64
    header = (tmp_path / "a" / "summary.csv").read_text().splitlines()[0]
    assert header == "scenario,seed,route,metric,value"
    header = (tmp_path / "a" / "timeseries.csv").read_text().splitlines()[0]
    assert header == "scenario,seed,day,date,route,metric,value"
    header = (tmp_path / "a" / "leg_flows.csv").read_text().splitlines()[0]
    assert header == "scenario,seed,leg,persons"
    assert "central_med" in done.stdout and "arrivals" in done.stdout
    # The tables are assembled from the runs kept on disk: the breakdown survives that trip.
    breakdown = pd.read_csv(tmp_path / "a" / "breakdown.csv")
    expected = again.breakdown.assign(scenario="teaching")
    kept = breakdown[breakdown.seed == first["seed"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, expected.reset_index(drop=True), check_dtype=False)


def test_same_seed_is_byte_identical_across_processes_and_hash_seeds(tmp_path):
    first = _run(tmp_path / "a", hash_seed="1")
    second = _run(tmp_path / "b", hash_seed="2")
    other = _run(tmp_path / "c", "--seed", "99", hash_seed="1")
    assert first.returncode == second.returncode == other.returncode == 0
    a = (tmp_path / "a" / "summary.csv").read_bytes()
    assert a == (tmp_path / "b" / "summary.csv").read_bytes()
    assert a != (tmp_path / "c" / "summary.csv").read_bytes()
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() == (
        tmp_path / "b" / "timeseries.csv"
    ).read_bytes()


def test_replication_seeds_are_spawned_not_hashed():
    assert replication_seeds(2023, 3) == replication_seeds(2023, 3)
    assert replication_seeds(2023, 3)[:2] == replication_seeds(2023, 2)
    assert len(set(replication_seeds(2023, 50))) == 50


def test_bad_scale_is_a_clear_error(tmp_path):
    done = _run(tmp_path / "x", "--scale", "2")
    assert done.returncode == 2
    assert "scale" in done.stderr and "Traceback" not in done.stderr


def test_a_run_result_carries_the_leg_ids_of_its_flows():
    scenario = load_scenario(SCENARIOS / "teaching.yaml")
    result = simulate(scenario, 5, days=30, scale=0.005)
    net = load_network()
    assert result.leg_ids == net.leg_ids and len(result.leg_flows) == len(net.leg_ids)
    # Persons over the legs that enter the EU are the run's arrivals: the ids name the flows.
    entry = {leg["id"] for leg in net.legs if leg["crossing"] == "eu_entry"}
    into_eu = sum(
        p for leg, p in zip(result.leg_ids, result.leg_flows, strict=True) if leg in entry
    )
    arrivals = result.summary.query("route == 'all' and metric == 'arrivals'")["value"].item()
    assert arrivals > 1000 and into_eu == arrivals
