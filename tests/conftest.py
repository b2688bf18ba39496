"""Shared fixtures: the real network, and models built the way real runs build them."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.model.model import MigrationModel

# Mesa 3.3's SolaraViz trips Solara's rule-of-hooks check, a harmless warning on import; the
# view's server turns the check off the same way (sim/viz/serve.py).
os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")
from sim.network import MODES, load_network
from sim.policies.base import PolicyBase
from sim.scenario.build import build_model
from sim.scenario.loading import Scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
sys.path.insert(0, str(ROOT / "tools"))
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402, F401  (the browser tests' Chromium)


class Probe(PolicyBase):
    """A test's observer run like a policy (every day, after the scenario's policies) that
    records what it sees and changes nothing."""

    def __init__(self) -> None:
        pass

    def setup(self, context) -> None:
        """Nothing to prepare by default."""

    def active_on(self, day) -> bool:
        return True


def make_scenario(
    overrides: dict | None = None,
    *,
    days: int = 120,
    warmup: int = 0,
    scale: float = 0.01,
    network_overrides: dict | None = None,
    policies: list[dict[str, Any]] | None = None,
) -> Scenario:
    """A scenario given as data, validated like a file: parameter ``overrides`` (keyed ones
    merged into the defaults per key), ``network_overrides`` and policy blocks (mappings as in
    YAML). The warm-up lasts ``warmup`` days (none by default: the model starts empty on its
    first day, so that tests of single rules stay quick; tests that need people already on
    the routes give a warm-up), unless the overrides give ``warmup_days``."""
    data: dict[str, Any] = {"name": "test", "start_date": "2023-01-01", "days": days}
    parameters = {"warmup_days": warmup, **(overrides or {})}
    data.update(scale=scale, parameters=parameters, network=network_overrides or {})
    data["policies"] = policies or []
    return scenario_from_dict(data)


def make_model(
    overrides: dict | None = None,
    *,
    seed: int = 1,
    days: int = 120,
    warmup: int = 0,
    scale: float = 0.01,
    network_overrides: dict | None = None,
    check: bool = True,
    policies: list[dict[str, Any]] | None = None,
    probes: list[Probe] | None = None,
) -> MigrationModel:
    """A model on the real network, built through the scenario loader like a real run;
    ``probes`` watch it each day after the policies (they change nothing)."""
    scenario = make_scenario(
        overrides,
        days=days,
        warmup=warmup,
        scale=scale,
        network_overrides=network_overrides,
        policies=policies,
    )
    model = build_model(scenario, seed, check=check)
    for probe in probes or []:
        probe.setup(model)
        model.policies.append(probe)
    return model


def run_summary(model: MigrationModel) -> dict[tuple[str, str], float]:
    """Run a model to the end; return {(route, metric): value} in persons."""
    model.run()
    frame = model.outcomes.summary_frame("test", model.seed)
    return {(r.route, r.metric): r.value for r in frame.itertuples()}


def coast_legs(network, state: str) -> np.ndarray:
    """Mask of the smuggled sea legs that leave ``state``'s coast."""
    c = network.compiled
    sea = c.leg_smuggled & (c.leg_mode == MODES.index("sea"))
    return sea & (c.place_state[c.leg_source] == network.state_index[state])


@pytest.fixture(scope="session")
def network():
    """The real route network, loaded once."""
    return load_network()


def require_chromium() -> Path:
    """Debian's Chromium, or skip the test, saying why; in CI (``CI`` set) a missing browser
    fails the test instead, so that browser checks cannot silently stop running."""
    if CHROMIUM.is_file():
        return CHROMIUM
    message = f"{CHROMIUM} is missing (make test installs it: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
