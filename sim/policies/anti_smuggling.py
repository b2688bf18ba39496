"""Anti-smuggling partnerships: police operations against smuggling networks.

Smugglers operating from the given places (or from any place of the given states) are arrested
at ``arrest_rate`` per month on top of the baseline rate; a network arrested leaves its legs
without its seats until a rival takes over after ``replacement_days``, smaller and dearer.
Fewer seats against the same demand raise prices (the market's monthly adaptation).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.config.types import Float, Int, PlaceId, StateId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import place_indices, places_in_states


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


class Policy(PolicyBase):
    """Adds to the monthly arrest rate and sets the rivals' delay at the places targeted.

    Arrests are drawn monthly (``smugglers_adapt`` in ``sim/model.py``) with the rates of that
    day; a network arrested while the policy acts is replaced after ``replacement_days`` if
    the policy still acts then, else after the baseline ``rival_replacement_days``.
    """

    def prepare(self, model: PolicyContext) -> None:
        c = self.config
        if c.places is not None:
            self.places = place_indices(self.network, c.places)
        else:
            self.places = places_in_states(self.network, c.states)

    def apply(self, model: PolicyContext) -> None:
        mods = model.modifiers
        mods.arrest_rate_extra[self.places] += self.config.arrest_rate
        mods.rival_replacement_days[self.places] = np.maximum(
            mods.rival_replacement_days[self.places], self.config.replacement_days
        )
