"""Information campaigns on the risks of irregular journeys, in origin places.

People setting out from the given origins while the campaign runs weigh the risks of the
journey more realistically: their risk perception (a multiplier on the death risk they hear of,
below 1 for most) moves toward 1 by ``strength`` times the gap.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sim.config.types import Float, OriginId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import place_indices


class Config(PolicyConfig):
    """A risk-awareness campaign in some origin places."""

    type: Literal["information_campaign"] = "information_campaign"

    places: list[OriginId] = Field(min_length=1)
    """Origin places where the campaign runs."""

    strength: Float = Field(0.3, **UNIT)
    """How far people's perceived risk moves toward the true risk (0: no effect, 1: fully)."""


class Policy(PolicyBase):
    """Sets the information strength of the origins; people setting out there today take it in
    (``add_people`` in ``sim/model_setup.py``). The strongest campaign at a place counts."""

    def prepare(self, model: PolicyContext) -> None:
        self.places = place_indices(self.network, self.config.places)

    def apply(self, model: PolicyContext) -> None:
        mods = model.modifiers
        mods.information_strength[self.places] = np.maximum(
            mods.information_strength[self.places], self.config.strength
        )
