"""Departure prevention: funding a transit state to stop departures and intercept boats.

People leaving the given places (or crossing any border or coast the given state polices as the
transit state) are intercepted with at least ``interception_rate`` per attempt, taken back to
the leg's start, detained for ``detention_days`` and released to try again.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.config.types import Float, Int, NonEuStateId, PlaceId
from sim.network import MODES
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import legs_out_of, place_indices, route_slots_of_legs
from sim.rules.rates import Modifiers


class Config(PolicyConfig):
    """Interceptions and pullbacks at departure places, funded by the EU."""

    type: Literal["departure_prevention"] = "departure_prevention"

    places: list[PlaceId] | None = Field(default=None, min_length=1)
    """Departure places policed; or give `state`."""

    state: NonEuStateId | None = None
    """A transit state that polices all its departure places; or give `places`."""

    interception_rate: Float = Field(0.3, **UNIT)
    """Probability that a departure attempt is intercepted while the policy acts (a floor: where
    the baseline interception rate is higher, it stays)."""

    payment_eur: Float = Field(0.0, ge=0, le=1e11)
    """What the EU pays for it over the policy's life (counted in the cost to states)."""

    detention_days: Int = Field(30, ge=0, le=3650)
    """Days people intercepted are held before they can try again."""

    @model_validator(mode="after")
    def _places_or_state(self) -> Config:
        self._require_exactly_one("places", "state")
        return self


class Policy(PolicyBase):
    """Raises interception on the legs policed to at least ``interception_rate``.

    With ``places``: every leg out of them that crosses a border (sea crossings into the EU
    included). With ``state``: every land or sea border leg of which the state is the transit
    (non-EU) controller; scheduled flights into the state are not departures.
    """

    def prepare(self, model: PolicyContext) -> None:
        c, compiled = self.config, self.network.compiled
        if c.places is not None:
            policed = legs_out_of(self.network, place_indices(self.network, c.places))
        else:
            state = self.network.state_index[c.state]
            policed = (self.network.compiled.leg_transit_state == state) & (
                compiled.leg_mode != MODES.index("air")
            )
        self.legs = np.flatnonzero(policed & compiled.leg_border)
        self.routes = route_slots_of_legs(self.network, self.legs)

    def apply(self, model: PolicyContext) -> None:
        self.police(model.modifiers)
        model.modifiers.detention_days[self.legs] = self.config.detention_days
        self.record_spending(model, self.config.payment_eur, self.routes)

    def police(self, mods: Modifiers) -> None:
        mods.pullback_floor[self.legs] = np.maximum(
            mods.pullback_floor[self.legs], self.config.interception_rate
        )
