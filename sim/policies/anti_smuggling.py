"""Anti-smuggling partnerships: police operations against smuggling networks.

Smugglers operating from the given places (or the given states) are arrested at
``arrest_rate`` per month; a network arrested leaves its legs without capacity until a new one
takes over after ``replacement_days``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import Float, Int, PlaceId, StateId


class Config(PolicyConfig):
    """Arrests of smugglers at some places or in some states."""

    type: Literal["anti_smuggling"] = "anti_smuggling"

    places: list[PlaceId] | None = Field(default=None, min_length=1)
    """Places whose smugglers are targeted; or give `states`."""

    states: list[StateId] | None = Field(default=None, min_length=1)
    """States whose smugglers are targeted; or give `places`."""

    arrest_rate: Float = Field(0.1, **UNIT)
    """Probability per month that a smuggling network is arrested."""

    replacement_days: Int = Field(60, ge=0, le=3650)
    """Days until a new network takes over an arrested one's legs."""

    @model_validator(mode="after")
    def _places_or_states(self) -> Config:
        self._require_exactly_one("places", "states")
        return self
