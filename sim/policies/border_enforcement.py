"""Border enforcement: more (or less) guarding of some states' borders or of some legs.

``strength`` multiplies the baseline probability of being caught crossing (1: unchanged,
2: twice as likely, 0: no enforcement); smugglers answer with higher prices and riskier crossings.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.policies.base import PolicyConfig
from sim.scenario_types import Float, LegId, StateId


class Config(PolicyConfig):
    """A change in the enforcement of some borders."""

    type: Literal["border_enforcement"] = "border_enforcement"

    states: list[StateId] | None = Field(default=None, min_length=1)
    """States whose borders (every leg they control) are enforced; or give `legs`."""

    legs: list[LegId] | None = Field(default=None, min_length=1)
    """Legs enforced; or give `states`."""

    strength: Float = Field(1.5, ge=0, le=10)
    """Multiplier on the baseline probability of being caught (1: unchanged)."""

    @model_validator(mode="after")
    def _states_or_legs(self) -> Config:
        self._require_exactly_one("states", "legs")
        return self
