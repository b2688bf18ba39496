"""The parts of a sweep: designs, factor paths, outputs and the store of finished runs."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from sim.outputs.counters import ROUTE_LABELS
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.sweep import store as store_module
from sim.sweep.design import DesignSpec, Factor, design_size, sample_design
from sim.sweep.outputs import Output, compute_all
from sim.sweep.paths import PathError, apply, resolve
from sim.sweep.store import SweepStore
from sim.sweep.tasks import Plan, RunRecord


def test_a_grid_is_every_combination_with_the_first_factor_slowest():
    factors = [
        Factor("a", values=("x", "y")),
        Factor("b", low=0.0, high=1.0, levels=3),
    ]
    design = sample_design(factors, DesignSpec("grid"))
    assert design.points == design_size(factors, DesignSpec("grid")) == 6
    assert [tuple(design.values(p).values()) for p in range(6)] == [
        ("x", 0.0), ("x", 0.5), ("x", 1.0), ("y", 0.0), ("y", 0.5), ("y", 1.0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "spec, points",
    [
        (DesignSpec("sobol", 8, seed=3), 8 * (3 + 2)),
        (DesignSpec("sobol", 8, seed=3, second_order=True), 8 * (2 * 3 + 2)),
        (DesignSpec("morris", 5, seed=3), 5 * (3 + 1)),
        (DesignSpec("fast", 70, seed=3), 70 * 3),
        (DesignSpec("lhs", 20, seed=3), 20),
    ],
)
def test_samplers_give_the_announced_size_and_the_same_design_for_the_same_seed(spec, points):
    factors = [
        Factor("a", low=1.0, high=2.0),
        Factor("b", low=0.01, high=1.0, distribution="loguniform"),
        Factor("c", values=(False, True)),
    ]
    design = sample_design(factors, spec)
    assert design.points == design_size(factors, spec) == points
    assert np.array_equal(design.x, sample_design(factors, spec).x)
    values = pd.DataFrame([design.values(p) for p in range(points)])
    assert values["a"].between(1.0, 2.0).all() and values["b"].between(0.01, 1.0).all()
    assert set(values["c"]) == {False, True}
    other = sample_design(factors, DesignSpec(spec.method, spec.samples, seed=spec.seed + 1))
    assert not np.array_equal(design.x, other.x)


def test_a_discrete_factor_takes_each_value_about_equally_often():
    factor = Factor("k", values=(10, 20, 30))
    design = sample_design([factor, Factor("u", low=0.0, high=1.0)], DesignSpec("lhs", 300))
    counts = pd.Series([design.values(p)["k"] for p in range(300)]).value_counts()
    assert set(counts.index) == {10, 20, 30} and counts.min() >= 90


def test_an_integer_range_gives_whole_numbers():
    factor = Factor("days", low=1.0, high=10.0, integer=True)
    design = sample_design([factor, Factor("u", low=0.0, high=1.0)], DesignSpec("lhs", 50))
    values = [design.values(p)["days"] for p in range(50)]
    assert all(isinstance(v, int) for v in values) and min(values) >= 1 and max(values) <= 10


@pytest.fixture(scope="module")
def policy_map(network):
    return load_scenario("scenarios/policy_map.yaml").to_dict()


def test_paths_write_parameters_policy_keys_and_switches(policy_map, network):
    targets = {
        "give_up": resolve("parameters.give_up_base", policy_map, network),
        "dakar": resolve("parameters.departure_rate.dakar", policy_map, network),
        "push": resolve("policies.balkan_pushbacks.probability", policy_map, network),
        "days_lost": resolve("policies.balkan_pushbacks.violence.days_lost", policy_map, network),
        "on": resolve("policies.central_med_prevention.enabled", policy_map, network),
        "risk": resolve("network.legs.zuwara-lampedusa.death_risk", policy_map, network),
    }
    assert targets["days_lost"].kind == "integer" and targets["on"].kind == "boolean"
    modes = dict.fromkeys(targets, "set")
    values = {"give_up": 0.004, "dakar": 1234.0, "push": 0.9, "days_lost": 3, "on": False,
              "risk": 0.05}  # fmt: skip
    data = apply(policy_map, targets, modes, values)
    scenario = scenario_from_dict(data)
    assert scenario.parameters["give_up_base"] == 0.004
    assert scenario.parameters["departure_rate"] == {"dakar": 1234.0}
    # The baseline's 2023 blocks come first; the policy map's own two after them.
    blocks = {block.id: block for block in scenario.policies}
    pushbacks, prevention = blocks["balkan_pushbacks"], blocks["central_med_prevention"]
    assert [b.id for b in scenario.policies][-2:] == ["balkan_pushbacks", "central_med_prevention"]
    assert pushbacks.probability == 0.9 and pushbacks.violence.days_lost == 3
    assert prevention.enabled is False and prevention.interception_rate == 0.5
    assert scenario.network.legs["zuwara-lampedusa"].death_risk == 0.05
    base = {block["id"]: block for block in policy_map["policies"]}
    assert base["balkan_pushbacks"]["probability"] == 0.35, "the base is not changed"


def test_multiply_scales_the_base_value_or_every_key(policy_map, network):
    rate = resolve("parameters.departure_rate", policy_map, network)
    push = resolve("policies.balkan_pushbacks.probability", policy_map, network)
    data = apply(policy_map, {"r": rate, "p": push}, {"r": "multiply", "p": "multiply"},
                 {"r": 0.5, "p": 2.0})  # fmt: skip
    assert data["parameters"]["departure_rate"]["dakar"] == rate.base["dakar"] * 0.5
    assert len(data["parameters"]["departure_rate"]) == len(rate.base) > 10
    changed = next(b for b in data["policies"] if b["id"] == "balkan_pushbacks")
    assert changed["probability"] == pytest.approx(0.7)


def test_a_path_that_leads_nowhere_is_a_path_error(policy_map, network):
    for path in ("parameters", "policies.balkan_pushbacks", "seed", "parameters.x..y"):
        with pytest.raises(PathError):
            resolve(path, policy_map, network)


def daily_table(days: int = 10) -> dict[str, np.ndarray]:
    """A tiny daily table (metric -> days x routes): on the Central Med, arrivals 1..days,
    attempts 2 per day, stranded 100 - day; elsewhere nothing."""
    table = {m: np.zeros((days, len(ROUTE_LABELS)))
             for m in ("arrivals", "attempts", "dead_missing", "stranded")}  # fmt: skip
    route = ROUTE_LABELS.index("central_med")
    table["arrivals"][:, route] = np.arange(days) + 1.0
    table["attempts"][:, route] = 2.0
    table["dead_missing"][:, route] = 0.5
    table["stranded"][:, route] = 100.0 - np.arange(days)
    return table


def test_outputs_are_window_statistics_of_the_daily_series():
    outputs = [
        Output("total", "arrivals", "central_med", 2, 4, "total"),
        Output("peak", "arrivals", "central_med", 0, 9, "max"),
        Output("mean", "arrivals", "central_med", 0, 9, "mean"),
        Output("end", "stranded", "central_med", 0, 4, "end"),
        Output("rate", "deaths_per_1000_attempts", "central_med", 0, 9, "total"),
    ]
    values = compute_all(daily_table(), outputs)
    assert values == {"total": 3 + 4 + 5, "peak": 10, "mean": 5.5, "end": 96, "rate": 250}


def make_plan() -> Plan:
    design = sample_design([Factor("a", values=(1, 2, 3))], DesignSpec("grid"))
    return Plan("store", design, replications=2, seeds=[11, 12], outputs=["y"])


def record(point: int, replication: int, error: str | None = None) -> RunRecord:
    outputs = {} if error else {"y": float(10 * point + replication)}
    return RunRecord(point, replication, 11 + replication, {"a": point + 1}, outputs, error)


def test_the_store_keeps_the_latest_success_and_writes_runs_in_order(tmp_path):
    plan = make_plan()
    store = SweepStore(tmp_path, plan)
    for point, replication in [(2, 1), (0, 0), (1, 1)]:
        store.add(record(point, replication))
    store.add(record(1, 0, error="boom"))
    store.flush()
    store = SweepStore(tmp_path, plan)  # a resumed sweep reads what was written
    store.add(record(1, 0))
    store.add(record(0, 1))
    store.add(record(2, 0))
    store.flush()
    assert len(list((tmp_path / "parts").glob("part-*.parquet"))) == 2
    runs = store.finished()
    assert list(zip(runs.point, runs.replication, strict=True)) == [
        (0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1),
    ]  # fmt: skip
    assert runs["error"].isna().all() and list(runs["y"]) == [0, 1, 10, 11, 20, 21]
    store.write_runs(runs)
    assert not (tmp_path / "parts").exists()
    table = pd.read_parquet(tmp_path / "runs.parquet")
    assert list(table.columns) == ["point", "replication", "seed", "a", "y", "error"]
    assert str(table["a"].dtype) == "int64"
    assert SweepStore(tmp_path, plan).finished()["y"].tolist() == list(runs["y"])


def test_a_finished_run_reaches_the_disk_even_when_no_other_run_finishes(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "PART_SECONDS", 0.2)
    store = SweepStore(tmp_path, make_plan())
    with store.writing():
        store.add(record(0, 0))
        assert not list(tmp_path.glob("parts/*.parquet")), "not at once: runs are batched"
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob("parts/*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(list(tmp_path.glob("parts/*.parquet"))) == 1
        store.add(record(0, 1))
    assert len(list(tmp_path.glob("parts/*.parquet"))) == 2, "what waits is written on leaving"
    assert list(store.finished()["replication"]) == [0, 1]
