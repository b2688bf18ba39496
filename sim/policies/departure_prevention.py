"""Departure prevention: funding a transit state to stop departures and intercept boats.

People about to leave the given places (or any departure place of the given state) are
intercepted with ``interception_rate`` per attempt, detained, and released to try again.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import Float, Int, NonEuStateId, PlaceId


class Config(PolicyConfig):
    """Interceptions and pullbacks at departure places, funded by the EU."""

    type: Literal["departure_prevention"] = "departure_prevention"

    places: list[PlaceId] | None = Field(default=None, min_length=1)
    """Departure places policed; or give `state`."""

    state: NonEuStateId | None = None
    """A transit state that polices all its departure places; or give `places`."""

    interception_rate: Float = Field(0.3, **UNIT)
    """Probability that a departure attempt is intercepted (on top of the baseline rate)."""

    payment_eur: Float = Field(0.0, ge=0, le=1e11)
    """What the EU pays for it over the policy's life (counted in the cost to states)."""

    detention_days: Int = Field(30, ge=0, le=3650)
    """Days people intercepted are held before they can try again."""

    @model_validator(mode="after")
    def _places_or_state(self) -> Config:
        self._require_exactly_one("places", "state")
        return self
