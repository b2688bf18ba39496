"""Search and rescue at sea on some routes.

Rescue averts a share ``strength`` of the deaths still occurring on the routes' sea legs (of
the people in distress whom the baseline rescue does not reach, that share is saved), and no
more than ``capacity`` people a day (rescues the block's ships can make), whichever bound is
reached first.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from sim.agents.population import Status
from sim.config.types import Float, RouteId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import sea_legs_of_routes
from sim.rules.movement import distress_probability


class Config(PolicyConfig):
    """Search-and-rescue capacity on the sea legs of some routes."""

    type: Literal["search_and_rescue"] = "search_and_rescue"

    routes: list[RouteId] = Field(min_length=1)
    """Routes whose sea legs are covered."""

    strength: Float | None = Field(default=None, **UNIT)
    """Share of the remaining deaths at sea averted (of those in distress whom the baseline
    rescue does not reach); give this and/or `capacity`. With only `capacity`: 1."""

    capacity: Float | None = Field(default=None, ge=0, le=100_000)
    """Most people the block can rescue per day (persons); give this and/or `strength`."""

    @model_validator(mode="after")
    def _strength_or_capacity(self) -> Config:
        if self.strength is None and self.capacity is None:
            raise PydanticCustomError(
                "strength_or_capacity",
                "give `strength`, `capacity` or both for a search_and_rescue block",
                {},
            )
        return self


class Policy(PolicyBase):
    """Raises the rescue share on the covered sea legs, within the daily capacity.

    The capacity binds in expectation: from the people whose crossing of a covered leg ends
    today, the block computes how many it would rescue at full ``strength`` and scales its
    strength down when that exceeds ``capacity``. Blocks on the same legs combine as
    independent chances of rescue.
    """

    def prepare(self, model: PolicyContext) -> None:
        self.legs = np.flatnonzero(sea_legs_of_routes(self.network, self.config.routes))
        self.strength = 1.0 if self.config.strength is None else self.config.strength
        self.last_strength = self.strength  # what it achieved on its last active day

    def apply(self, model: PolicyContext) -> None:
        strength = self.strength
        if self.config.capacity is not None and strength > 0:
            expected = self.expected_rescues_at_full_strength(model)
            limit = self.config.capacity * model.scale
            if expected * strength > limit:
                strength = limit / expected
        self.last_strength = strength
        mods = model.modifiers
        mods.rescue_strength[self.legs] = 1.0 - (1.0 - mods.rescue_strength[self.legs]) * (
            1.0 - strength
        )

    def expected_rescues_at_full_strength(self, model: PolicyContext) -> float:
        """Agents in distress today on the covered legs whom the baseline rescue misses."""
        pop = model.population
        finishing = np.flatnonzero((pop.next_day == model.day) & (pop.status == Status.ON_LEG))
        on_legs = np.bincount(pop.leg[finishing], minlength=self.network.compiled.n_legs)
        legs = self.legs
        base = model.leg_baseline_rescue[legs]
        distress = distress_probability(
            self.network.compiled.leg_death_risk,
            model.rates.death_multiplier,
            model.leg_baseline_rescue,
        )[legs]
        not_stopped = 1.0 - model.rates.pullback[legs]  # yesterday's rates: an estimate
        return float((on_legs[legs] * not_stopped * distress * (1.0 - base)).sum())
