"""Dated policy blocks in scenarios of other years: a block that began before the run acts from
the run's first day, and a block in force only outside the run loads and never acts.

The baseline keeps the 2023 policy context in dated blocks so that a later year is a scenario,
not a code change: a scenario that ``extends`` the baseline with a later ``start_date`` must load
and run with the blocks that were already in force.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from sim.execution.runner import simulate
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (11, 12)


def _scenario(folder: Path, name: str, start: str | None, **top) -> Path:
    block = {
        "type": "departure_prevention",
        "id": "tunisia_prevention",
        "state": "TUN",
        "interception_rate": 0.9,
    }
    if start is not None:
        block["start"] = start
    data = {
        "name": name,
        "extends": str(ROOT / "scenarios" / "baseline.yaml"),
        "start_date": "2024-01-01",
        "days": 40,
        "scale": 0.02,
        "policies": [block],
        **top,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _tunisia_interception_shares(path: Path) -> list[float]:
    """Per seed, the people intercepted at sea by Tunisia per seat sold on its sea legs (the
    share stopped, whatever the number who set out: with the warm-up, a measure in force
    for longer also deters people from trying)."""
    scenario = load_scenario(path)
    values = []
    for seed in SEEDS:
        split = simulate(scenario, seed).breakdown
        split = split[(split.by == "state_segment") & (split.category == "TUN:sea")]
        intercepted = split.loc[split.metric == "interceptions", "value"].sum()
        values.append(float(intercepted / split.loc[split.metric == "seats_sold", "value"].sum()))
    return values


def test_a_later_year_extending_the_baseline_loads_with_blocks_that_began_before(tmp_path):
    path = _scenario(tmp_path, "year_2024", "2023-07-16")
    scenario = load_scenario(path)
    assert scenario.start_date.isoformat() == "2024-01-01"
    block = next(b for b in scenario.policies if b.id == "tunisia_prevention")
    assert block.start.isoformat() == "2023-07-16"
    assert block.active_on(scenario.start_date)


def test_a_block_that_began_before_the_run_acts_from_its_first_day(tmp_path):
    before = _tunisia_interception_shares(_scenario(tmp_path, "before", "2023-07-16"))
    from_first_day = _tunisia_interception_shares(_scenario(tmp_path, "first_day", None))
    later = _tunisia_interception_shares(_scenario(tmp_path, "later", "2024-02-05"))
    # In force before the run is the same as in force from its first day, seed by seed...
    assert before == from_first_day
    # ...and it does act: starting five weeks into the run stops a clearly smaller share.
    assert max(later) < 0.8 * min(before)


def test_a_block_in_force_only_outside_the_run_loads_and_check_says_so(tmp_path):
    data = {
        "name": "ended",
        "start_date": "2024-01-01",
        "policies": [
            {"type": "information_campaign", "places": ["dakar"], "start": "2016-03-18",
             "end": "2020-03-15"},
        ],
    }  # fmt: skip
    path = tmp_path / "ended.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "check", str(path)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 of them in force only outside the run" in done.stdout
