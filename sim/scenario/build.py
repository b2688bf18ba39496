"""From a loaded scenario to a model: the one way a :class:`MigrationModel` is built.

Real runs, comparisons, sweeps, the benchmark and the tests all build models here, so the
network overrides, the typed parameters and the policies are assembled the same way everywhere.
"""

from __future__ import annotations

from sim.config.parameters import Parameters, build_parameters
from sim.model.model import MigrationModel
from sim.network import Network, load_network
from sim.policies import build_policies
from sim.scenario.loading import Scenario


def scenario_parameters(scenario: Scenario, network: Network) -> Parameters:
    """The scenario's parameters (defaults with its overrides), typed, on ``network``'s ids."""
    return build_parameters(network, scenario.parameters)


def build_model(
    scenario: Scenario,
    seed: int,
    days: int | None = None,
    scale: float | None = None,
    check: bool = False,
    breakdowns: bool = True,
) -> MigrationModel:
    """A :class:`MigrationModel` of ``scenario`` with ``seed``; ``days`` and ``scale`` default to
    the scenario's; ``check`` checks conservation every day; without ``breakdowns`` flows are
    not split by category (:class:`MigrationModel`)."""
    network = load_network(scenario.network_overrides() or None)
    return MigrationModel(
        network,
        scenario_parameters(scenario, network),
        seed=int(seed),
        days=int(days or scenario.days),
        scale=float(scale or scenario.scale),
        start_date=scenario.start_date,
        policies=build_policies(scenario, network),
        check=check,
        breakdowns=breakdowns,
    )
