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

__all__ = ["POLICY_TYPES", "PolicyConfig"]
