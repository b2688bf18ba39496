"""Information campaigns on the risks of irregular journeys, in origin places.

People at the given origins who hear the campaign weigh the risks of the journey more: their
perceived death risk and cost rise by ``strength`` times the gap to the true values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import Float, OriginId


class Config(PolicyConfig):
    """A risk-awareness campaign in some origin places."""

    type: Literal["information_campaign"] = "information_campaign"

    places: list[OriginId] = Field(min_length=1)
    """Origin places where the campaign runs."""

    strength: Float = Field(0.3, **UNIT)
    """How far people's perceived risk moves toward the true risk (0: no effect, 1: fully)."""
