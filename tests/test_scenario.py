"""Scenario files: loading, ``extends`` merging, policy blocks, parameters and error messages.

Every file in ``tests/bad_scenarios/`` is a malformed scenario whose first line records what the
error must name: ``# expect: <key path> | <phrase>`` (``(file)`` when the problem is the file
itself). ``python run.py check FILE`` must exit 2 and print one paragraph naming the file, the
key and the phrase, and no traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from sim.config.specs import (
    parameter_overrides_model,
    parameter_specs,
)
from sim.errors import UserError
from sim.network import load_network
from sim.policies import POLICY_TYPES, PolicyConfig
from sim.policies.pushbacks import Config as Pushbacks
from sim.scenario.loading import Scenario, load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_scenarios"
BAD_FILES = sorted(BAD.glob("*.yaml"))
SCENARIOS_DIR = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS_DIR.glob("*.yaml"))


def _check(*paths: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "run.py", "check", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), (
        f"{path.name}: first line must be '# expect: key | phrase'"
    )
    key, phrase = first.removeprefix("# expect: ").split(" | ", 1)
    return key.strip(), phrase.strip()


def _write(folder: Path, name: str, data: dict | str) -> Path:
    path = folder / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- malformed files


def test_there_are_at_least_25_distinct_bad_scenarios():
    expectations = {_expectation(path) for path in BAD_FILES}
    assert len(BAD_FILES) >= 25
    assert len(expectations) >= 25


@pytest.fixture(scope="module")
def checked_bad_files() -> dict[Path, subprocess.CompletedProcess]:
    """``run.py check`` of every bad file, run a few at a time (each is a fresh interpreter)."""
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        results = pool.map(lambda path: _check(path.relative_to(ROOT)), BAD_FILES)
        return dict(zip(BAD_FILES, results, strict=True))


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_check_rejects_bad_scenario_with_one_clear_paragraph(path: Path, checked_bad_files):
    key, phrase = _expectation(path)
    result = checked_bad_files[path]
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr
    assert "Traceback" not in message
    assert path.name in message
    if key != "(file)":
        assert key in message, message
    assert phrase in message, message
    assert message.count("\n") == 1, "the message should be one paragraph"


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_load_scenario_raises_user_error_for_bad_scenario(path: Path):
    key, phrase = _expectation(path)
    with pytest.raises(UserError) as caught:
        load_scenario(path)
    assert phrase in str(caught.value)


def test_check_reports_a_missing_file_and_a_directory():
    missing = _check("scenarios/no_such_scenario.yaml")
    assert missing.returncode == 2
    assert "no_such_scenario.yaml: scenario file not found" in missing.stderr
    folder = _check("scenarios")
    assert folder.returncode == 2
    assert "is a directory" in folder.stderr
    assert "Traceback" not in missing.stderr + folder.stderr


def test_error_in_inherited_key_names_the_base_file_and_its_line():
    with pytest.raises(UserError) as caught:
        load_scenario(BAD / "error_in_base.yaml")
    message = str(caught.value)
    assert message.startswith(str(BAD / "error_in_base.yaml"))
    assert "bad_base.yaml, line 9" in message
    assert "policies[0].lag_days: -30 is out of range; it must be between 0 and 3650." in message


def test_several_problems_are_reported_in_one_paragraph(tmp_path: Path):
    path = _write(tmp_path, "many.yaml", {"name": "many", "days": 0, "scale": 2, "seeds": 0})
    with pytest.raises(UserError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "days: 0 is out of range" in message
    assert "Other problems: seeds: 0 is out of range" in message
    assert "scale: 2 is out of range; it must be more than 0 and at most 1." in message
    assert "seeds: 0 is out of range; it must be between 1 and 1000" in message
    assert "\n" not in message


# --------------------------------------------------------------------------- shipped scenarios


def test_check_accepts_the_shipped_scenarios():
    result = _check(*(p.relative_to(ROOT) for p in SHIPPED))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("OK  ") == len(SHIPPED)


def test_teaching_inherits_baseline_and_overrides_horizon_scale_and_seeds():
    teaching = load_scenario(ROOT / "scenarios" / "teaching.yaml")
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert teaching.chain == [
        ROOT / "scenarios" / "baseline.yaml",
        ROOT / "scenarios" / "teaching.yaml",
    ]
    assert (teaching.name, teaching.days, teaching.seeds, teaching.scale) == (
        "teaching",
        180,
        3,
        0.01,
    )
    assert teaching.seed == baseline.seed == 2023
    assert teaching.start_date == dt.date(2023, 1, 1)
    assert teaching.end_date == dt.date(2023, 6, 29)
    assert baseline.end_date == dt.date(2023, 12, 31)
    # The baseline's 2023 policy context is inherited block by block.
    assert [b.id for b in teaching.policies] == [b.id for b in baseline.policies]
    assert teaching.summary_line() == (
        "teaching: 2023-01-01 to 2023-06-29 (180 days), 3 seeds from 2023, scale 0.01, "
        "16 policies, 5 of them in force only outside the run"
    )


# --------------------------------------------------------------------------- extends and merging


@pytest.fixture()
def base_and_child(tmp_path: Path) -> tuple[Path, Path]:
    base = _write(
        tmp_path,
        "base.yaml",
        {
            "name": "base",
            "description": "the base",
            "days": 200,
            "seeds": 4,
            "parameters": {"departure_rate": {"dakar": 1000, "kabul": 2000}, "budget_sigma": 0.5},
            "network": {"legs": {"sfax-lampedusa": {"death_risk": 0.02, "days": 2}}},
            "policies": [
                {"type": "border_enforcement", "id": "fence", "states": ["HUN", "HRV"]},
                {"type": "pushbacks", "id": "game", "states": ["HRV"], "probability": 0.5},
                {"type": "search_and_rescue", "routes": ["central_med"], "strength": 0.2},
            ],
        },
    )
    child = _write(
        tmp_path,
        "child.yaml",
        {
            "name": "child",
            "extends": "base.yaml",
            "days": 100,
            "parameters": {"departure_rate": {"dakar": 5000}},
            "network": {"legs": {"sfax-lampedusa": {"death_risk": 0.05}}},
            "policies": [
                {"id": "fence", "states": ["SRB"], "strength": 3},
                {"id": "game", "enabled": False},
                {"type": "search_and_rescue", "routes": ["atlantic"], "capacity": 10},
                {"type": "information_campaign", "id": "campaign", "places": ["dakar"]},
            ],
        },
    )
    return base, child


def test_extends_merges_mappings_deeply_and_replaces_other_values(base_and_child):
    base, child = base_and_child
    scenario = load_scenario(child)
    assert scenario.chain == [base, child]
    assert (scenario.name, scenario.description, scenario.days, scenario.seeds) == (
        "child",
        "the base",
        100,
        4,
    )
    assert scenario.parameters == {
        "departure_rate": {"dakar": 5000, "kabul": 2000},
        "budget_sigma": 0.5,
    }
    assert scenario.network_overrides() == {
        "places": {},
        "legs": {"sfax-lampedusa": {"death_risk": 0.05, "days": 2}},
        "changes": {},
    }


def test_policy_blocks_merge_by_id_and_others_are_appended(base_and_child):
    _, child = base_and_child
    policies = load_scenario(child).policies
    assert [(p.type, p.id) for p in policies] == [
        ("border_enforcement", "fence"),
        ("pushbacks", "game"),
        ("search_and_rescue", None),
        ("search_and_rescue", None),
        ("information_campaign", "campaign"),
    ]
    fence, game = policies[0], policies[1]
    assert fence.states == ["SRB"]  # lists replace
    assert fence.strength == 3
    assert game.enabled is False and game.probability == 0.5  # switched off, keys kept
    assert policies[2].routes == ["central_med"] and policies[3].capacity == 10


def test_enabled_false_switches_a_policy_off_on_every_day(base_and_child):
    _, child = base_and_child
    scenario = load_scenario(child)
    days = [scenario.start_date + dt.timedelta(days=d) for d in range(scenario.days)]
    assert not any(scenario.policies[1].active_on(day) for day in days)
    assert all(scenario.policies[0].active_on(day) for day in days)
    assert scenario.summary_line().endswith("4 policies (+1 disabled)")


def test_an_empty_value_in_a_child_keeps_the_base_value(tmp_path: Path):
    _write(tmp_path, "base.yaml", {"name": "base", "days": 50})
    child = _write(tmp_path, "child.yaml", "name: child\nextends: base.yaml\ndays:\npolicies:\n")
    scenario = load_scenario(child)
    assert scenario.days == 50
    assert scenario.policies == []


def test_error_in_a_merged_policy_points_to_the_block_as_written_in_the_child(tmp_path: Path):
    _write(
        tmp_path,
        "base.yaml",
        {
            "name": "base",
            "policies": [
                {"type": "border_enforcement", "id": "fence", "states": ["HUN"]},
                {"type": "pushbacks", "id": "game", "states": ["HRV"]},
            ],
        },
    )
    child = _write(
        tmp_path,
        "child.yaml",
        "name: child\nextends: base.yaml\npolicies:\n  - id: game\n    probability: 7\n",
    )
    with pytest.raises(UserError) as caught:
        load_scenario(child)
    message = str(caught.value)
    assert "child.yaml, line 5: policies[0].probability: 7 is out of range" in message


def test_extends_chain_of_three_files_resolves_in_order(tmp_path: Path):
    _write(tmp_path, "a.yaml", {"name": "a", "days": 10, "seeds": 2, "seed": 7})
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub", "b.yaml", {"name": "b", "extends": "../a.yaml", "days": 20})
    c = _write(tmp_path, "c.yaml", {"name": "c", "extends": "sub/b.yaml", "seeds": 9})
    scenario = load_scenario(c)
    assert [p.name for p in scenario.chain] == ["a.yaml", "b.yaml", "c.yaml"]
    assert (scenario.name, scenario.days, scenario.seeds, scenario.seed) == ("c", 20, 9, 7)


def test_policy_dates_outside_the_run_load_and_the_summary_says_so(tmp_path: Path):
    # Dated context carries over to other years and horizons (tests/test_policy_windows.py).
    block = {"type": "anti_smuggling", "states": ["SRB"], "start": "2024-06-01"}
    scenario = load_scenario(_write(tmp_path, "on.yaml", {"name": "on", "policies": [block]}))
    assert scenario.policies[0].start.isoformat() == "2024-06-01"
    assert "1 of them in force only outside the run" in scenario.summary_line()
    inside = {**block, "start": "2023-06-01"}
    scenario = load_scenario(_write(tmp_path, "in.yaml", {"name": "in", "policies": [inside]}))
    assert "outside the run" not in scenario.summary_line()


# --------------------------------------------------------------------------- the Scenario object


def test_sha256_depends_on_content_not_on_how_it_is_written(tmp_path: Path):
    explicit = _write(tmp_path, "a.yaml", {"name": "same", "days": 365, "scale": 1.0})
    implicit = _write(tmp_path, "b.yaml", {"name": "same"})
    other = _write(tmp_path, "c.yaml", {"name": "same", "days": 364})
    assert load_scenario(explicit).sha256 == load_scenario(implicit).sha256
    assert load_scenario(explicit).sha256 != load_scenario(other).sha256
    assert len(load_scenario(explicit).sha256) == 64


def test_to_dict_is_json_and_round_trips_to_the_same_scenario(base_and_child):
    _, child = base_and_child
    scenario = load_scenario(child)
    data = json.loads(json.dumps(scenario.to_dict()))
    assert data["policies"][0] == {
        "type": "border_enforcement",
        "id": "fence",
        "enabled": True,
        "source": None,
        "start": None,
        "end": None,
        "states": ["SRB"],
        "legs": None,
        "strength": 3.0,
    }
    assert "extends" not in data
    again = scenario_from_dict(data)
    assert isinstance(again, Scenario)
    assert again.sha256 == scenario.sha256


def test_legal_pathway_from_key_uses_its_yaml_name(tmp_path: Path):
    block = {"type": "legal_pathway", "kind": "labour", "from": ["dakar"], "quota_per_year": 500}
    scenario = load_scenario(_write(tmp_path, "lp.yaml", {"name": "lp", "policies": [block]}))
    assert scenario.policies[0].from_places == ["dakar"]
    assert scenario.to_dict()["policies"][0]["from"] == ["dakar"]


def test_network_overrides_load_into_the_network(base_and_child):
    _, child = base_and_child
    network = load_network(load_scenario(child).network_overrides())
    leg = network.legs[network.leg_index["sfax-lampedusa"]]
    assert (leg["death_risk"], leg["days"]) == (0.05, 2)


def test_active_on_respects_start_and_end_inclusively():
    block = Pushbacks(states=["HRV"], start=dt.date(2023, 3, 1), end=dt.date(2023, 3, 31))
    assert not block.active_on(dt.date(2023, 2, 28))
    assert block.active_on(dt.date(2023, 3, 1))
    assert block.active_on(dt.date(2023, 3, 31))
    assert not block.active_on(dt.date(2023, 4, 1))
    assert Pushbacks(states=["HRV"]).active_on(dt.date(1999, 1, 1))


def test_every_policy_type_is_registered_under_its_type_and_documents_every_key():
    for name, config in POLICY_TYPES.items():
        assert issubclass(config, PolicyConfig)
        assert config.model_fields["type"].default == name
        undocumented = [
            k for k, f in config.model_fields.items() if not f.description and k != "type"
        ]
        assert undocumented == [], f"{name}: fields without a docstring: {undocumented}"


# --------------------------------------------------------------------------- parameters


STARTER_PARAMETERS = """\
rate_by_origin: {description: d, unit: u, by: origin, min: 0, max: 10, value: {dakar: 1}, source: s}
rate_by_place: {description: d, unit: u, by: place, min: 0, max: 10, value: {agadez: 1}, source: s}
rate_by_state: {description: d, unit: u, by: state, min: 0, max: 1, value: {TUN: 0.5}, source: s}
share_by_nationality: {description: d, unit: u, by: nationality, min: 0, max: 1, value: {SYR: 0.9},
  source: s}
weight_by_route: {description: d, unit: u, by: route, min: 0, max: 5, value: {atlantic: 1},
  source: s}
risk_by_leg: {description: d, unit: u, by: leg, min: 0, max: 1, value: {sfax-lampedusa: 0.1},
  source: s}
cost_by_mode: {description: d, unit: u, by: mode, min: 0, max: 3, value: {sea: 1}, source: s}
attempts: {description: d, unit: u, by: none, min: 1, max: 9, integer: true, value: 3, source: s}
"""


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"rate_by_origin": {"agadez": 1}}, "'agadez' is not a valid origin place id (it is a"),
        ({"rate_by_place": {"agadezz": 1}}, "did you mean 'agadez'"),
        ({"rate_by_state": {"TUN": 2}}, "2 is out of range"),
        ({"share_by_nationality": {"XXX": 0.1}}, "'XXX' is not a valid nationality"),
        ({"weight_by_route": {"atlantik": 1}}, "did you mean 'atlantic'"),
        ({"risk_by_leg": {"sfax-malta": 0.1}}, "is not a valid leg id"),
        ({"cost_by_mode": {"boat": 1}}, "valid modes: land, sea, air"),
        ({"attempts": 2.5}, "2.5 is not an integer"),
        ({"atempts": 2}, "did you mean 'attempts'"),
    ],
)
def test_parameter_overrides_are_checked_generically_against_the_file(tmp_path, overrides, problem):
    from pydantic import ValidationError

    from sim.scenario.errors import describe_error

    path = _write(tmp_path, "parameters.yaml", STARTER_PARAMETERS)
    model = parameter_overrides_model(path)
    context = {"network": load_network()}
    model.model_validate(
        {"rate_by_origin": {"dakar": 3}, "cost_by_mode": {"air": 2}, "attempts": 4},
        context=context,
    )
    with pytest.raises(ValidationError) as caught:
        model.model_validate(overrides, context=context)
    texts = [describe_error(e)[1] for e in caught.value.errors()]
    assert any(problem in text for text in texts), texts


def test_parameter_file_entries_are_themselves_validated(tmp_path: Path):
    bad = STARTER_PARAMETERS.replace("value: 3,", "value: 30,")
    path = _write(tmp_path, "parameters.yaml", bad)
    with pytest.raises(UserError, match="attempts.*outside min..max"):
        parameter_specs(path)


# --------------------------------------------------------------------------- hostile files


def test_an_error_never_quotes_a_file_that_is_not_a_scenario():
    for name in ("not_a_scenario.yaml", "extends_text_file.yaml"):
        with pytest.raises(UserError) as caught:
            load_scenario(BAD / name)
        assert "SECRET" not in str(caught.value)


def test_check_reports_every_bad_file_and_exits_2_if_any_is_bad():
    result = _check(
        "scenarios/teaching.yaml",
        BAD / "missing_name.yaml",
        BAD / "days_out_of_range.yaml",
        "scenarios/baseline.yaml",
    )
    assert result.returncode == 2
    assert result.stdout.count("OK  ") == 2
    assert "missing_name.yaml" in result.stderr and "days_out_of_range.yaml" in result.stderr
    assert "2 of 4 files have mistakes" in result.stderr
    assert "Traceback" not in result.stderr


def _check_measured(path: Path | str) -> tuple[subprocess.CompletedProcess, int]:
    """``check PATH`` in a fresh interpreter; its result and peak memory in MB."""
    # VmHWM, the peak of this process's own memory (ru_maxrss would keep the peak of the
    # process that started it, carried across exec on Linux).
    script = (
        "import re, sys\nfrom pathlib import Path\nfrom sim.cli import main\n"
        f"code = main(['check', {str(path)!r}])\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    return done, int(done.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize(
    "kind, phrase",
    [
        ("bomb", "once its aliases are expanded"),
        ("device", "is not a regular file"),
        ("pipe", "is not a regular file"),
        ("oversized", "may be at most 1,000,000 bytes (1 MB)"),
        ("long list", "more than 20,000 values"),
    ],
)
def test_hostile_files_are_refused_quickly_in_bounded_memory(tmp_path, kind, phrase):
    if kind == "bomb":
        path = BAD / "anchor_bomb.yaml"
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "pipe":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)  # opening it would block until someone writes: it must not be opened
    elif kind == "oversized":
        path = tmp_path / "huge.yaml"
        with open(path, "wb") as handle:  # 50 MB without using the disk (a sparse file)
            handle.truncate(50_000_000)
    else:
        path = tmp_path / "list.yaml"
        path.write_text("name: x\nitems:\n" + "  - 1\n" * 150_000, encoding="utf-8")
    if not path.exists():
        pytest.skip(f"{path} does not exist on this system")
    done, megabytes = _check_measured(path)
    assert done.returncode == 2
    assert phrase in done.stderr and "Traceback" not in done.stderr
    assert megabytes < 400  # a bomb or an endless read grows by ~80 MB a second


def test_names_may_use_any_alphabet_and_exponents_are_numbers(tmp_path):
    path = _write(
        tmp_path,
        "unicode.yaml",
        f"name: São_Tomé-Ελλάδα\nextends: {SCENARIOS_DIR / 'teaching.yaml'}\nscale: 2e-2\n"
        "parameters:\n  departure_rate: {dakar: 2.5E+4}\n",
    )
    scenario = load_scenario(path)
    assert scenario.name == "São_Tomé-Ελλάδα"
    assert scenario.scale == 0.02
    assert scenario.parameters["departure_rate"]["dakar"] == 25000.0
    with pytest.raises(UserError, match="not a valid name; use letters"):
        load_scenario(_write(tmp_path, "dash.yaml", "name: -leading_dash\n"))
