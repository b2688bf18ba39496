"""Shared fixtures: the real network and default parameters, and a small-model factory."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from sim.config.parameters import default_parameter_values as default_values
from sim.model.model import MigrationModel
from sim.network import load_network

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def make_model(
    overrides: dict | None = None,
    *,
    seed: int = 1,
    days: int = 120,
    scale: float = 0.01,
    network_overrides: dict | None = None,
    check: bool = True,
    policies: list | None = None,
) -> MigrationModel:
    """A model on the real network with default parameters, some of them overridden.

    Keyed overrides are merged into the defaults (keys not given keep their value).
    """
    params = copy.deepcopy(default_values())
    for name, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(params[name], dict):
            params[name] = {**params[name], **value}
        else:
            params[name] = value
    return MigrationModel(
        load_network(network_overrides),
        params,
        seed=seed,
        days=days,
        scale=scale,
        start_date=dt.date(2023, 1, 1),
        policies=policies,
        check=check,
    )


def run_summary(model: MigrationModel) -> dict[tuple[str, str], float]:
    """Run a model to the end; return {(route, metric): value} in persons."""
    model.run()
    frame = model.outcomes.summary_frame("test", model.seed)
    return {(r.route, r.metric): r.value for r in frame.itertuples()}


@pytest.fixture(scope="session")
def network():
    """The real route network, loaded once."""
    return load_network()
