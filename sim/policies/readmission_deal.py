"""Readmission deals: a partner state agrees to take back people ordered to leave.

The deal raises the share of return decisions to the partner that are carried out to
``cooperation`` after ``lag_days``, possibly including third-country nationals who transited it
(as in the EU-Türkiye statement), at a cost to the EU.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import Bool, Float, Int, NonEuStateId


class Config(PolicyConfig):
    """A readmission agreement with a (non-EU) partner state."""

    type: Literal["readmission_deal"] = "readmission_deal"

    partner: NonEuStateId
    """The state that readmits people."""

    cooperation: Float = Field(0.5, **UNIT)
    """Share of return decisions to the partner that are carried out once the deal works."""

    third_country_nationals: Bool = False
    """The partner also takes back other nationals who travelled through it."""

    payment_eur: Float = Field(0.0, ge=0, le=1e11)
    """What the EU pays the partner over the deal's life (counted in the cost to states)."""

    lag_days: Int = Field(90, ge=0, le=3650)
    """Days from the deal's start until returns actually rise."""
