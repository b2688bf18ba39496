"""Crackdowns on migrants in a transit state: round-ups, expulsions, lost work.

A transit state cracks down on the irregular migrants on its territory: it rounds up a share of
them each month (people settled there, in transit, working or waiting for a boat; not those it
holds, those registered with a Safe Mobility Office or its own nationals) and expels them,
leaving them at the places given, for instance across a desert border, as Tunisia did in July
2023 (people from Sfax left at the Libyan and Algerian borders), having lost days and much of
their money. Those who stay earn less (lost work, evictions) and settled people move on sooner.
People driven out may also put to sea whatever the weather, as from Sfax after Tunisia's
campaign of February 2023 (``weather_hold``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.config.types import Float, Int, NonEuStateId, PlaceId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import place_indices


class Config(PolicyConfig):
    """A crackdown on irregular migrants in one transit state."""

    type: Literal["crackdown"] = "crackdown"

    state: NonEuStateId
    """The transit state cracking down."""

    expulsion_rate: Float = Field(0.05, **UNIT)
    """Share of the irregular migrants at the state's places (settled, in transit, working or
    waiting for a seat; never the state's own nationals) rounded up and expelled per month (a
    thirtieth of it each day)."""

    expelled_to: list[PlaceId] = []
    """Places where those expelled are left (one at random each); empty: one place back along
    the usual way in."""

    days_lost: Int = Field(14, ge=0, le=365)
    """Days before those expelled can move on again."""

    money_lost_share: Float = Field(0.5, **UNIT)
    """Share of their money those expelled lose (taken, or left behind)."""

    resume_multiplier: Float = Field(2.0, ge=0, le=100)
    """Multiplier on settled people's hazard of moving on while the crackdown lasts."""

    wage_multiplier: Float = Field(0.5, ge=0, le=1)
    """Multiplier on what people earn in the state while the crackdown lasts."""

    weather_hold: Float = Field(1.0, **UNIT)
    """How much of the season's hold on the boats leaving the state's coast remains while the
    crackdown lasts: 1, the weather holds boats back as in any year; 0, they leave in any
    weather, as many as in the calm season (people driven out put to sea whatever the
    conditions). On a day when the season lets a share w of the calm season's boats leave,
    a share 1 - weather_hold x (1 - w) leave."""


class Policy(PolicyBase):
    """Sets the state's expulsion rate, where people are left, and the multipliers on moving
    on and earning. Several crackdowns on one state: the highest rate and the last places
    given count; the multipliers and the weather's holds multiply."""

    def prepare(self, model: PolicyContext) -> None:
        self.state = self.network.state_index[self.config.state]
        self.to = place_indices(self.network, self.config.expelled_to)

    def apply(self, model: PolicyContext) -> None:
        mods, c, s = model.modifiers, self.config, self.state
        mods.expulsion_rate[s] = max(mods.expulsion_rate[s], c.expulsion_rate / 30.0)
        if len(self.to):
            mods.expelled_to[s] = self.to
        mods.expulsion_days_lost[s] = c.days_lost
        mods.expulsion_money_lost[s] = c.money_lost_share
        mods.resume_multiplier[s] *= c.resume_multiplier
        mods.wage_multiplier[s] *= c.wage_multiplier
        mods.weather_hold[s] *= c.weather_hold
