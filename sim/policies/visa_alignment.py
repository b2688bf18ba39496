"""Visa-policy alignment: a transit state aligns its visa list with the EU's.

When a transit state (e.g. Serbia) stops admitting some nationalities visa-free, the
air-then-land route through it closes for them: from ``start`` they can no longer take
scheduled flights into it. Flights with visas bought from brokers (smuggled air legs) and land
and sea legs stay open.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sim.config.types import Nationality, StateId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import PolicyConfig
from sim.policies.select import nationality_mask, scheduled_air_legs_into


class Config(PolicyConfig):
    """A transit state ends visa-free entry for some nationalities."""

    type: Literal["visa_alignment"] = "visa_alignment"

    state: StateId
    """The transit state that aligns its visa policy (e.g. SRB)."""

    nationalities: list[Nationality] = Field(min_length=1)
    """Nationalities (ISO3) that lose visa-free entry."""


class Policy(PolicyBase):
    """Bars the nationalities from the scheduled flights into the state."""

    def prepare(self, model: PolicyContext) -> None:
        nationalities = np.flatnonzero(nationality_mask(self.network, self.config.nationalities))
        legs = np.flatnonzero(scheduled_air_legs_into(self.network, self.config.state))
        self.cells = np.ix_(nationalities, legs)

    def apply(self, model: PolicyContext) -> None:
        model.modifiers.leg_barred[self.cells] = True
