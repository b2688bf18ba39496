"""Border enforcement: more (or less) guarding of some states' borders or of some legs.

``strength`` multiplies the baseline probability of being caught crossing (1: unchanged,
2: twice as likely, 0: no enforcement); smugglers answer with higher prices and riskier crossings.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.config.types import Float, LegId, StateId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import PolicyConfig
from sim.policies.select import leg_mask, state_indices
from sim.rules.rates import Modifiers


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


class Policy(PolicyBase):
    """Multiplies the chance of being caught on the legs concerned.

    With ``states``: apprehension on the EU-entry legs whose EU border state is one of them, and
    pullback (interception) on the border legs whose transit state is one of them. With
    ``legs``: both, on those legs. Blocks on the same leg multiply.
    """

    def prepare(self, model: PolicyContext) -> None:
        c, compiled = self.config, self.network.compiled
        if c.states is not None:
            wanted = state_indices(self.network, c.states)
            apprehend = np.isin(self.network.compiled.leg_eu_state, wanted)
            pull = np.isin(self.network.compiled.leg_transit_state, wanted)
        else:
            apprehend = pull = leg_mask(self.network, c.legs)
        self.apprehension_legs = np.flatnonzero(apprehend & compiled.leg_eu_entry)
        self.pullback_legs = np.flatnonzero(pull & compiled.leg_border)

    def apply(self, model: PolicyContext) -> None:
        model.modifiers.apprehension_multiplier[self.apprehension_legs] *= self.config.strength
        self.police(model.modifiers)

    def police(self, mods: Modifiers) -> None:
        mods.pullback_multiplier[self.pullback_legs] *= self.config.strength
