"""Sweep files are checked before anything runs, with one paragraph naming file, line and key."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from conftest import ROOT
from sweep_cases import TINY, write_sweep

from sim.errors import UserError
from sim.scenario.loading import load_scenario
from sim.sweep.loading import load_sweep


def changed(**factor_changes) -> dict:
    """TINY with the `push` factor's keys replaced."""
    data = copy.deepcopy(TINY)
    data["factors"]["push"] = {**factor_changes}
    return data


def error_of(tmp_path, data) -> str:
    path = write_sweep(tmp_path, data)
    with pytest.raises(UserError) as caught:
        load_sweep(path)
    message = str(caught.value)
    assert "\n" not in message, "one paragraph"
    assert message.startswith(str(path)), message
    return message


def test_a_valid_sweep_gives_its_plan(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path))
    plan = sweep.plan
    assert plan.design.points == 4 and plan.replications == 2 and plan.runs == 8
    assert plan.outputs == [
        "arrivals.central_med",
        "arrivals.western_balkans",
        "dead_missing.central_med",
        "dead_missing.western_balkans",
        "stranded.all.2023-01-10..2023-01-20",
    ]
    assert [plan.design.values(p) for p in range(4)] == [
        {"push": 0.0, "prevention_on": False},
        {"push": 0.0, "prevention_on": True},
        {"push": 0.8, "prevention_on": False},
        {"push": 0.8, "prevention_on": True},
    ]
    assert plan.model.days == 30 and plan.model.scale == 0.01


def test_an_unknown_parameter_is_named_with_the_nearest_ones(tmp_path):
    message = error_of(tmp_path, changed(path="parameters.give_up_bse", range=[0.0, 0.1]))
    assert "line 8: factors.push.path:" in message
    assert "'give_up_bse' is not a model parameter" in message
    assert "'give_up_base'" in message


def test_an_unknown_policy_id_suggests_the_nearest_and_lists_the_base_scenarios_ids(tmp_path):
    # The base (policy_map.yaml on the baseline) has more than 15 blocks, and no command lists
    # a scenario's policy ids (`network --ids` lists the network's): all of them are named.
    message = error_of(tmp_path, changed(path="policies.hrv_pushbacks.probability", values=[0]))
    assert "factors.push.path" in message
    assert "no policy block with id 'hrv_pushbacks'" in message
    assert "did you mean 'hungary_pushbacks' or 'croatia_pushbacks'" in message
    ids = [b["id"] for b in load_scenario(ROOT / "scenarios/policy_map.yaml").to_dict()["policies"]]
    assert len(ids) > 15 and all(f"{i}" in message for i in ids)
    assert "network --ids" not in message


def test_an_unknown_key_of_a_policy_block_suggests_the_valid_keys(tmp_path):
    message = error_of(tmp_path, changed(path="policies.balkan_pushbacks.probabilty", values=[0]))
    assert "'probabilty' is not a key of policies.balkan_pushbacks" in message
    assert "'probability'" in message


def test_a_keyed_parameter_needs_an_id_unless_multiplied(tmp_path):
    message = error_of(tmp_path, changed(path="parameters.departure_rate", range=[0.5, 1.5]))
    assert "one value per id" in message and "mode: multiply" in message
    message = error_of(tmp_path, changed(path="parameters.departure_rate.dakkar", values=[1]))
    assert "'dakkar' is not a key of parameter 'departure_rate'" in message
    assert "'dakar'" in message


def test_a_range_outside_the_parameters_valid_range_names_the_bad_end(tmp_path):
    message = error_of(
        tmp_path, changed(path="parameters.give_up_base", range=[0.5, 1.5], levels=2)
    )
    assert "factors.push.range[1]" in message
    assert "1.5 at parameters.give_up_base does not give a valid scenario" in message
    assert "between 0 and 1" in message


def test_a_value_outside_a_policy_keys_range_is_named(tmp_path):
    message = error_of(tmp_path, changed(path="policies.balkan_pushbacks.probability",
                                         values=[0.5, 2]))  # fmt: skip
    assert "factors.push.values[1]" in message and "between 0 and 1" in message


def test_a_multiplied_range_is_checked_at_its_ends(tmp_path):
    message = error_of(tmp_path, changed(path="parameters.interception_rate", mode="multiply",
                                         range=[0.5, 3.0], levels=3))  # fmt: skip
    assert "factors.push.range[1]" in message
    assert "multiplying parameters.interception_rate by 3" in message


def test_a_reversed_range_and_a_missing_choice_are_errors(tmp_path):
    message = error_of(tmp_path, changed(path="parameters.give_up_base", range=[0.1, 0.01]))
    assert "factors.push" in message and "first number must be below the second" in message
    message = error_of(tmp_path, changed(path="parameters.give_up_base"))
    assert "give exactly one of `range` or `values`; neither is given" in message


def test_a_switch_takes_true_and_false_not_a_range(tmp_path):
    message = error_of(tmp_path, changed(path="policies.balkan_pushbacks.enabled", range=[0, 1]))
    assert "takes a switch (true or false)" in message and "values: [false, true]" in message


def test_a_range_in_a_grid_needs_levels(tmp_path):
    message = error_of(tmp_path, changed(path="parameters.give_up_base", range=[0.001, 0.01]))
    assert "factors.push.range" in message and "needs `levels`" in message


def test_sobol_needs_a_power_of_two(tmp_path):
    data = changed(path="parameters.give_up_base", range=[0.001, 0.01])
    data["factors"]["prevention_on"] = {"path": "parameters.choice_scale", "range": [2, 8]}
    data["design"] = {"method": "sobol", "samples": 100}
    message = error_of(tmp_path, data)
    assert "design.samples: 100 is not a power of 2" in message and "64 or 128" in message


def test_unknown_keys_metrics_routes_and_windows_outside_the_run(tmp_path):
    data = copy.deepcopy(TINY)
    data["replicates"] = 3
    message = error_of(tmp_path, data)
    assert "unknown key 'replicates'" in message and "'replications'" in message
    data = copy.deepcopy(TINY)
    data["outputs"] = [{"metric": "arivals"}]
    assert "'arivals' is not a metric" in error_of(tmp_path, data)
    data["outputs"] = [{"metric": "arrivals", "route": "balkans"}]
    assert "outputs[0].route: 'balkans' is not a route" in error_of(tmp_path, data)
    data["outputs"] = [{"metric": "arrivals", "window": ["2023-01-01", "2023-03-01"]}]
    message = error_of(tmp_path, data)
    assert "outputs[0].window[1]: 2023-03-01 is outside the run" in message
    data["outputs"] = [{"metric": "mean_price", "statistic": "max"}]
    assert "valid statistics: total" in error_of(tmp_path, data)


def test_out_of_range_numbers_name_the_valid_range(tmp_path):
    message = error_of(tmp_path, {**TINY, "replications": 0})
    assert "replications: 0 is out of range; it must be between 1 and 1000" in message


def test_a_missing_base_scenario_is_named(tmp_path):
    message = error_of(tmp_path, {**TINY, "scenario": "nowhere.yaml"})
    assert "scenario: base scenario 'nowhere.yaml' not found" in message


def test_the_command_prints_one_paragraph_and_exits_with_2(tmp_path):
    path = write_sweep(tmp_path, changed(path="parameters.nope", values=[1]))
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "sweep", str(path), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}, line 8: factors.push.path:")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists(), "nothing is written for a bad sweep file"
