"""The policy levers a scenario can switch on, one module per lever.

Each module holds its lever's ``Config`` (the validated YAML block, see
:class:`sim.policies.base.PolicyConfig`) and its ``Policy`` (what it does each day, see
:mod:`sim.policies.runtime`). :data:`POLICY_MODULES` maps each block's ``type`` to its module;
adding a lever is adding a module and a line here.
"""

from __future__ import annotations

from types import ModuleType

from sim.policies import (
    anti_smuggling,
    border_enforcement,
    crackdown,
    departure_prevention,
    information_campaign,
    legal_pathway,
    partnership,
    pushbacks,
    readmission_deal,
    safe_mobility_office,
    search_and_rescue,
    visa_alignment,
    visa_leverage,
    voluntary_return,
)
from sim.policies.config import PolicyConfig

#: The module of every lever, by its ``type`` key, in the order docs/scenarios.md lists them.
POLICY_MODULES: dict[str, ModuleType] = {
    "safe_mobility_office": safe_mobility_office,
    "visa_leverage": visa_leverage,
    "partnership": partnership,
    "visa_alignment": visa_alignment,
    "pushbacks": pushbacks,
    "readmission_deal": readmission_deal,
    "departure_prevention": departure_prevention,
    "border_enforcement": border_enforcement,
    "search_and_rescue": search_and_rescue,
    "anti_smuggling": anti_smuggling,
    "legal_pathway": legal_pathway,
    "information_campaign": information_campaign,
    "voluntary_return": voluntary_return,
    "crackdown": crackdown,
}

#: Every policy type a scenario may use, by its ``type`` key.
POLICY_TYPES: dict[str, type[PolicyConfig]] = {
    name: module.Config for name, module in POLICY_MODULES.items()
}


def build_policies(scenario, network) -> list:
    """The runtime policy objects of a scenario's enabled blocks, in the scenario's order.

    Each lever's module has a ``Policy`` class (see :mod:`sim.policies.runtime`) built from its
    validated ``Config``, the network and the block's index in ``policies`` (which names its
    random stream when the block has no ``id``).
    """
    return [
        POLICY_MODULES[config.type].Policy(config, network, index=k)
        for k, config in enumerate(scenario.policies or [])
        if config.enabled
    ]


__all__ = ["POLICY_MODULES", "POLICY_TYPES", "PolicyConfig", "build_policies"]
