"""A sweep's folder loads into EMA Workbench's (experiments, outcomes), and the documented
example (examples/prim_scenario_discovery.py) finds the box PRIM should find."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT
from sweep_cases import box_task

from sim.sweep.design import DesignSpec, Factor, sample_design
from sim.sweep.execute import run_plan
from sim.sweep.manifest import write_manifest
from sim.sweep.store import SweepStore
from sim.sweep.tasks import Plan
from sim.sweep.workbench import experiments_and_outcomes

pytest.importorskip("ema_workbench", reason="the workbench extra is not installed")
EXAMPLE = ROOT / "examples" / "prim_scenario_discovery.py"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A finished sweep of ``y = x1 + flag`` over a Latin hypercube of 400 points."""
    out = tmp_path_factory.mktemp("box")
    factors = [Factor("x1", low=0.0, high=1.0), Factor("flag", values=(False, True)),
               Factor("x2", low=0.0, high=1.0)]  # fmt: skip
    plan = Plan("box", sample_design(factors, DesignSpec("lhs", 400, seed=3)), 1, [0], ["y"])
    write_manifest(out, plan, "running")
    store = SweepStore(out, plan)
    run_plan(plan, store, box_task, workers=1, progress=False)
    store.write_runs(store.finished())
    write_manifest(out, plan, "complete")
    return out


def test_the_runs_load_as_experiments_and_outcomes(folder):
    experiments, outcomes = experiments_and_outcomes(folder)
    assert list(experiments.columns) == ["x1", "flag", "x2"] and len(experiments) == 400
    assert isinstance(experiments["flag"].dtype, pd.CategoricalDtype)
    assert set(outcomes) == {"y"} and outcomes["y"].shape == (400,)
    expected = experiments["x1"] + (experiments["flag"] == "True")
    assert (outcomes["y"] == expected.to_numpy()).all()


def test_the_prim_example_finds_the_box_of_the_runs_of_interest(folder):
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(folder), "--output", "y", "--above", "1.6"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "400 runs, 70 of interest (y)"
    assert lines[1].startswith("box: coverage 1.00") and "density 1.00" in lines[1]
    flag = next(line for line in lines if line.strip().startswith("flag:"))
    assert flag.strip() == "flag: ['True']"
    x1 = next(line for line in lines if line.strip().startswith("x1:"))
    low = float(x1.split(":")[1].split(" to ")[0])
    assert 0.55 <= low <= 0.65, x1
    assert not any(line.strip().startswith("x2:") for line in lines)


def test_an_unfinished_folder_is_refused(tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLE), str(tmp_path), "--output", "y"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and "no finished sweep here" in done.stderr
