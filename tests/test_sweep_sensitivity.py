"""Sensitivity indices pushed through the sweep pipeline match known values.

The Ishigami function and a linear function go through the same plan, execution, store,
runs.parquet and analysis as a model sweep (only the task function differs), and the indices
read back from sensitivity.csv are compared with their analytical values.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sweep_cases import ISHIGAMI_A, ISHIGAMI_B, ishigami_task, linear_task

from sim.sweep.design import DesignSpec, Factor, sample_design
from sim.sweep.execute import run_plan
from sim.sweep.store import SweepStore, read_runs
from sim.sweep.summary import write_analysis
from sim.sweep.tasks import Plan


def ishigami_indices() -> dict[str, dict[str, float]]:
    """Analytical first-order and total indices of the Ishigami function on [-pi, pi]^3."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * pi**8 / 225
    total = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / total, "x2": v2 / total, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / total, "x2": v2 / total, "x3": v13 / total},
    }


def swept(tmp_path, spec: DesignSpec, task_function, low=-math.pi, high=math.pi) -> pd.DataFrame:
    """Run a 3-factor design through the pipeline; return sensitivity.csv as read back."""
    factors = [Factor(name, low=low, high=high) for name in ("x1", "x2", "x3")]
    plan = Plan("indices", sample_design(factors, spec), replications=1, seeds=[0],
                outputs=["y"])  # fmt: skip
    store = SweepStore(tmp_path, plan)
    progress = run_plan(plan, store, task_function, workers=1, progress=False)
    assert progress.ran == plan.runs and progress.failed == 0
    store.write_runs(store.finished())
    runs = read_runs(tmp_path)
    assert len(runs) == plan.runs
    assert write_analysis(tmp_path, plan, runs) == []
    assert (tmp_path / "figures" / "indices-y.png").is_file()
    return pd.read_csv(tmp_path / "sensitivity.csv").set_index(["index", "factor"])


@pytest.mark.parametrize(
    "spec, tolerance",
    [(DesignSpec("sobol", 1024, seed=7), 0.03), (DesignSpec("fast", 1000, seed=7), 0.03)],
    ids=["sobol", "fast"],
)
def test_ishigami_indices_match_their_known_values(tmp_path, spec, tolerance):
    indices = swept(tmp_path, spec, ishigami_task)
    known = ishigami_indices()
    for index in ("S1", "ST"):
        for factor, value in known[index].items():
            row = indices.loc[(index, factor)]
            assert row["value"] == pytest.approx(value, abs=tolerance), (index, factor)
            if spec.method == "sobol":  # FAST's bootstrap intervals are indicative only
                assert row["lo"] <= value <= row["hi"], (index, factor)


def test_morris_gives_the_elementary_effects_of_a_linear_function(tmp_path):
    indices = swept(tmp_path, DesignSpec("morris", 20, seed=7), linear_task, low=0.0, high=1.0)
    for factor, effect in {"x1": 3.0, "x2": 1.0, "x3": 0.0}.items():
        assert indices.loc[("mu_star", factor), "value"] == pytest.approx(effect, abs=1e-9)
        assert indices.loc[("sigma", factor), "value"] == pytest.approx(0.0, abs=1e-9)


def test_latin_hypercube_with_rbd_fast_splits_a_linear_functions_variance(tmp_path):
    indices = swept(tmp_path, DesignSpec("lhs", 2000, seed=7), linear_task, low=0.0, high=1.0)
    for factor, share in {"x1": 0.9, "x2": 0.1, "x3": 0.0}.items():
        assert indices.loc[("S1", factor), "value"] == pytest.approx(share, abs=0.05)
