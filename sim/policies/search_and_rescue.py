"""Search and rescue at sea on some routes.

Rescue averts a share of the deaths on the routes' sea legs (``strength``), or saves up to
``capacity`` people a day from boats in distress, or both (whichever bound is reached first).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import Float, RouteId


class Config(PolicyConfig):
    """Search-and-rescue capacity on the sea legs of some routes."""

    type: Literal["search_and_rescue"] = "search_and_rescue"

    routes: list[RouteId] = Field(min_length=1)
    """Routes whose sea legs are covered."""

    strength: Float | None = Field(default=None, **UNIT)
    """Share of deaths at sea averted; give this and/or `capacity`."""

    capacity: Float | None = Field(default=None, ge=0, le=100_000)
    """People who can be rescued per day; give this and/or `strength`."""

    @model_validator(mode="after")
    def _strength_or_capacity(self) -> Config:
        if self.strength is None and self.capacity is None:
            raise PydanticCustomError(
                "strength_or_capacity",
                "give `strength`, `capacity` or both for a search_and_rescue block",
                {},
            )
        return self
