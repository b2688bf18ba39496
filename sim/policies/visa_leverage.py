"""Visa leverage: restrictive visa measures to make an origin state cooperate on readmission.

Under EU Visa Code Article 25a, visas for the target's nationals take longer, cost more and are
less often multi-entry; the threat of suspending visa-free travel can add pressure. The target's
readmission cooperation rises by up to ``cooperation_gain`` over ``ramp_days``, less where
remittances weigh heavily in its economy.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import Bool, Float, Int, NonEuStateId


class Config(PolicyConfig):
    """Restrictive visa measures against a state that cooperates poorly on readmission."""

    type: Literal["visa_leverage"] = "visa_leverage"

    target: NonEuStateId
    """The (non-EU) state whose nationals' visas are restricted."""

    strength: Float = Field(0.5, **UNIT)
    """How hard the measures bite (0: none, 1: the strongest Article 25a measures)."""

    cooperation_gain: Float = Field(0.2, **UNIT)
    """The largest rise in the target's readmission cooperation (share of return decisions it
    accepts) that the leverage can bring."""

    ramp_days: Int = Field(180, ge=0, le=3650)
    """Days for the cooperation gain to build up fully."""

    suspend_visa_free: Bool = False
    """Also suspend visa-free travel for the target's nationals (where it exists)."""
