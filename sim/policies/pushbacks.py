"""Pushbacks: informal expulsions across a border without an individual procedure.

A person apprehended entering the EU over a border of the given states (or on the given legs)
is, with ``probability``, sent back ``places_back`` places along the way they came, often
injured or robbed, and usually tries again (the Balkan "game").
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.config.types import Float, Int, LegId, StateId, StrictModel
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import leg_mask, legs_controlled_by


class Violence(StrictModel):
    """What a pushback does to the person pushed back."""

    injury_probability: Float = Field(0.1, **UNIT)
    """Probability that a person pushed back is injured."""

    money_lost_share: Float = Field(0.2, **UNIT)
    """Share of the person's money taken or destroyed."""

    days_lost: Int = Field(7, ge=0, le=365)
    """Days before the person can move on again."""


class Config(PolicyConfig):
    """Pushbacks at the borders of some states, or on some legs."""

    type: Literal["pushbacks"] = "pushbacks"

    states: list[StateId] | None = Field(default=None, min_length=1)
    """States whose borders see pushbacks (every leg they control); or give `legs`."""

    legs: list[LegId] | None = Field(default=None, min_length=1)
    """Legs on which people are pushed back; or give `states`."""

    probability: Float = Field(0.5, **UNIT)
    """Probability that a person caught crossing is pushed back."""

    places_back: Int = Field(1, ge=1, le=10)
    """How many places back along their way people are sent."""

    violence: Violence = Violence()
    """Harm done during pushbacks."""

    @model_validator(mode="after")
    def _states_or_legs(self) -> Config:
        self._require_exactly_one("states", "legs")
        return self


class Policy(PolicyBase):
    """Sets the pushback probability and its harm on the EU-entry legs concerned.

    A leg counts if any state of ``states`` is among its ``controlled_by`` states (or it is one
    of ``legs``). Only legs entering the EU have apprehensions, so only they see pushbacks.
    When several blocks cover a leg, the later block in the scenario wins.
    """

    def prepare(self, model: PolicyContext) -> None:
        c = self.config
        chosen = (
            legs_controlled_by(self.network, c.states)
            if c.states is not None
            else leg_mask(self.network, c.legs)
        )
        self.legs = np.flatnonzero(chosen & self.network.compiled.leg_eu_entry)

    def apply(self, model: PolicyContext) -> None:
        mods, c = model.modifiers, self.config
        mods.pushback_override[self.legs] = c.probability
        mods.pushback_money_lost[self.legs] = c.violence.money_lost_share
        mods.pushback_days_lost[self.legs] = c.violence.days_lost
        mods.pushback_injury[self.legs] = c.violence.injury_probability
        mods.pushback_places_back[self.legs] = c.places_back
