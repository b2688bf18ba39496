"""A warm-up simulated once and continued by copies with other seeds (sim/execution/warmup.py).

The model is brought to its start date, copied, and each copy goes on with its own seed. These
tests pin what that promises: a copy steps itself and leaves the original alone; the copy's
numpy views are views of the copy's arrays as the original's are of the original's; the branch
with the warm-up's own seed is exactly the ordinary run of that seed; branches with other seeds
start from the same people and part after the start date.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
import yaml
from sweep_cases import TINY_BASE

from sim.agents.population import FIELDS
from sim.execution.runner import run_result, simulate
from sim.execution.warmup import branch, copy_model, warm_up
from sim.scenario.loading import load_scenario

DAYS, SCALE = 20, 0.02
SEEDS = (11, 12)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """scenarios/policy_map.yaml (its policies act during the warm-up too), 150 warm-up days."""
    path = tmp_path_factory.mktemp("branches") / "tiny_base.yaml"
    path.write_text(yaml.safe_dump(TINY_BASE, sort_keys=False), encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def warmed(scenario):
    """The model on its start date after the warm-up with the first seed."""
    model = warm_up(scenario, SEEDS[0], days=DAYS, scale=SCALE)
    assert model.day == 0 and model.steps == model.warmup_days == 150
    return model


def arrays_of(root: object) -> list[np.ndarray]:
    """Every numpy array reachable from ``root`` through attributes, dicts, lists and tuples,
    in a fixed order (the same for a model and its copy)."""
    found, seen = [], set()

    def walk(obj: object) -> None:
        if id(obj) in seen or isinstance(obj, str | bytes | int | float | type(None)):
            return
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            found.append(obj)
        elif isinstance(obj, dict):
            for value in obj.values():
                walk(value)
        elif isinstance(obj, list | tuple):
            for item in obj:
                walk(item)
        elif hasattr(obj, "__dict__"):
            for value in vars(obj).values():
                walk(value)

    walk(root)
    return found


def owner(array: np.ndarray) -> np.ndarray:
    """The array whose memory ``array`` views (itself if it owns its memory)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


@pytest.mark.parametrize("copy_of", [copy_model, copy.deepcopy], ids=["copy_model", "deepcopy"])
def test_a_copy_steps_itself_and_leaves_the_original_as_it_was(warmed, copy_of):
    population_before = {name: getattr(warmed.population, name).copy() for name in FIELDS}
    flows_before = warmed.outcomes._flows.copy()
    copied = copy_of(warmed)
    for stage in copied.stages:  # bound methods of the copy or of its parts
        assert stage.run.__self__ is copied or stage.run.__self__.model is copied, stage.name
    for _ in range(3):
        copied.step()
    assert (copied.day, warmed.day, warmed.steps) == (3, 0, 150)
    # _flows: written by the day's stages (a deep copy parts it from its view ``flows``).
    assert copied.outcomes._flows[1:4].sum() > 0 and warmed.outcomes._flows[1:].sum() == 0
    assert np.array_equal(warmed.outcomes._flows, flows_before)
    for name, before in population_before.items():
        assert np.array_equal(getattr(warmed.population, name), before), name
    assert len(copied.population) > len(warmed.population)  # people set out in the copy


def test_a_copys_views_are_views_of_the_copys_arrays(warmed):
    original, copied = arrays_of(warmed), arrays_of(copy_model(warmed))
    assert len(original) == len(copied) > 100
    owners: dict[int, list[int]] = {}
    for k, array in enumerate(original):
        owners.setdefault(id(owner(array)), []).append(k)
        assert not np.may_share_memory(array, copied[k]), "the copy shares no memory"
    shared = [group for group in owners.values() if len(group) > 1]
    assert shared, "the model holds views (the counters' flows of their _flows, at least)"
    for first, *others in shared:
        for k in others:
            assert np.shares_memory(copied[first], copied[k])
    # The counters write through _flows and read through flows: a plain pickle parts them.
    plain = pickle.loads(pickle.dumps(warmed))
    assert not np.shares_memory(plain.outcomes.flows, plain.outcomes._flows)
    kept = copy_model(warmed).outcomes
    assert np.shares_memory(kept.flows, kept._flows)


def test_a_copys_arrays_carry_numpys_own_dtypes(warmed):
    """A plain pickle gives each array a new dtype object, equal to numpy's but not numpy's
    own one, and ufunc.at (np.add.at) then takes its slow path: the copy's run was 7% slower
    than the original's. The copy's arrays carry numpy's own dtype objects."""

    def own(dtype: np.dtype) -> bool:
        return dtype is np.dtype(dtype.str)

    plain = [a.dtype for a in arrays_of(pickle.loads(pickle.dumps(warmed, protocol=5)))]
    assert not any(own(d) for d in plain)  # the trap is real
    copied = [a.dtype for a in arrays_of(copy_model(warmed))]
    assert all(own(d) for d in copied)
    assert {str(d) for d in copied} >= {"int8", "int16", "int32", "int64", "float64", "bool"}


def test_without_breakdowns_a_run_has_the_same_daily_table_and_no_breakdown(scenario, warmed):
    """Sweeps build their models without breakdowns (their outputs come from the daily table):
    the flows are the same to the last person, and nothing is split by category."""
    plain = branch(warm_up(scenario, SEEDS[0], days=DAYS, scale=SCALE, breakdowns=False), SEEDS[1])
    full = branch(warmed, SEEDS[1])
    for model in (plain, full):
        model.run()
    plain_table, full_table = plain.outcomes.daily_table(), full.outcomes.daily_table()
    assert plain_table.keys() == full_table.keys()
    for metric, values in full_table.items():
        assert np.array_equal(plain_table[metric], values, equal_nan=True), metric
    assert full_table["arrivals"].sum() > 0
    assert plain.outcomes.breakdown_frame("t", 0).empty
    assert not full.outcomes.breakdown_frame("t", 0).empty


def test_the_branch_with_the_warm_ups_seed_is_the_ordinary_run_of_that_seed(scenario, warmed):
    ordinary = simulate(scenario, SEEDS[0], days=DAYS, scale=SCALE)
    model = branch(warmed, SEEDS[0])
    model.run()
    branched = run_result(model, scenario.name, 0.0)
    for table in ("timeseries", "summary", "breakdown", "country_stocks"):
        pd.testing.assert_frame_equal(getattr(branched, table), getattr(ordinary, table))
    assert np.array_equal(branched.leg_flows, ordinary.leg_flows)
    assert branched.stats["agent_steps"] == ordinary.stats["agent_steps"]
    assert ordinary.timeseries["value"].sum() > 0


def test_branches_start_from_the_same_people_and_part_after_the_start_date(warmed):
    first, second = branch(warmed, SEEDS[0]), branch(warmed, SEEDS[1])
    assert (first.seed, second.seed) == SEEDS and second.random_streams.seed == SEEDS[1]
    for name in FIELDS:
        assert np.array_equal(getattr(first.population, name), getattr(second.population, name))
    assert np.array_equal(first.population.status_count, second.population.status_count)
    alive = np.arange(len(warmed.population))  # everyone set out during the warm-up
    assert np.array_equal(first.trait("probe", alive), second.trait("probe", alive))
    first.run()
    second.run()
    assert np.array_equal(first.outcomes.warmup_flows, second.outcomes.warmup_flows)
    departures = first.outcomes.timeseries_frame("a", 0).query("metric == 'departures'")
    other = second.outcomes.timeseries_frame("b", 0).query("metric == 'departures'")
    assert not np.array_equal(departures["value"].to_numpy(), other["value"].to_numpy())
    newcomers = np.arange(len(warmed.population), min(len(first.population),
                                                      len(second.population)))  # fmt: skip
    assert len(newcomers) > 100
    assert not np.array_equal(first.population.budget[newcomers],
                              second.population.budget[newcomers])  # fmt: skip
