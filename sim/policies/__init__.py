"""The policy levers a scenario can switch on, one module per lever.

Each module holds its lever's ``Config`` (the validated YAML block, see
:class:`sim.policies.base.PolicyConfig`). :data:`POLICY_TYPES` maps each block's ``type`` to
its ``Config``; adding a lever is adding a module and a line here.
"""

from __future__ import annotations

from sim.policies import (
    anti_smuggling,
    border_enforcement,
    departure_prevention,
    information_campaign,
    legal_pathway,
    pushbacks,
    readmission_deal,
    safe_mobility_office,
    search_and_rescue,
    visa_alignment,
    visa_leverage,
)
from sim.policies.base import PolicyConfig

#: Every policy type a scenario may use, by its ``type`` key.
POLICY_TYPES: dict[str, type[PolicyConfig]] = {
    "safe_mobility_office": safe_mobility_office.Config,
    "visa_leverage": visa_leverage.Config,
    "visa_alignment": visa_alignment.Config,
    "pushbacks": pushbacks.Config,
    "readmission_deal": readmission_deal.Config,
    "departure_prevention": departure_prevention.Config,
    "border_enforcement": border_enforcement.Config,
    "search_and_rescue": search_and_rescue.Config,
    "anti_smuggling": anti_smuggling.Config,
    "legal_pathway": legal_pathway.Config,
    "information_campaign": information_campaign.Config,
}



def build_policies(scenario, network) -> list:
    """The runtime policy objects of a scenario's enabled blocks, in the scenario's order.

    Each lever's module has a ``Policy`` class built from its validated ``Config``; one that
    has none yet cannot be run, which is said plainly rather than silently ignored.
    """
    from sim.errors import UserError

    modules = {
        "safe_mobility_office": safe_mobility_office,
        "visa_leverage": visa_leverage,
        "visa_alignment": visa_alignment,
        "pushbacks": pushbacks,
        "readmission_deal": readmission_deal,
        "departure_prevention": departure_prevention,
        "border_enforcement": border_enforcement,
        "search_and_rescue": search_and_rescue,
        "anti_smuggling": anti_smuggling,
        "legal_pathway": legal_pathway,
        "information_campaign": information_campaign,
    }
    built = []
    for k, config in enumerate(scenario.policies or []):
        if not config.enabled:
            continue
        policy_class = getattr(modules[config.type], "Policy", None)
        if policy_class is None:
            raise UserError(
                f"{scenario.path}: policies[{k}] of type {config.type!r} cannot be run yet: "
                "its mechanism is not implemented in this version"
            )
        built.append(policy_class(config, network))
    return built


__all__ = ["POLICY_TYPES", "PolicyConfig", "build_policies"]
