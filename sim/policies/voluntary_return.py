"""Assisted voluntary return from transit countries: going home with help, and support after.

Programmes such as IOM's assisted voluntary return and reintegration offer people stranded in a
transit country a way home: the journey, and support to make a living there. The model has a
baseline of such returns (``voluntary_return_rate`` by state, in ``parameters.yaml``); this lever
adds a programme of its own: at the given places or states, people of the eligible nationalities
who have settled there (at their monthly review) or are released from detention take it with
chance ``take_up``, within the places it funds (``places_per_year``, or ``budget_eur`` at
``cost_per_return_eur`` each). Its ``reintegration_support`` lowers their chance of setting out
again (``reintegration_effect``); each return costs states ``cost_per_return_eur``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.agents.population import Status
from sim.config.types import Float, Int, NationalitySelection, NonEuStateId, PlaceId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import nationality_mask, place_indices, places_in_states

#: Who a programme reaches: people settled in the country (at their review) and people
#: released from detention.
REACHED = (Status.SETTLED, Status.DETAINED)


class Config(PolicyConfig):
    """An assisted voluntary return programme in some transit states or places."""

    type: Literal["voluntary_return"] = "voluntary_return"

    states: list[NonEuStateId] | None = Field(default=None, min_length=1)
    """Transit states where the programme runs (all their places); or give `places`."""

    places: list[PlaceId] | None = Field(default=None, min_length=1)
    """Places where the programme runs; or give `states`."""

    nationalities: NationalitySelection = ["all"]
    """Nationalities (ISO3) eligible, or `all`."""

    take_up: Float = Field(0.2, **UNIT)
    """Chance that an eligible person offered the programme takes it: at each monthly review
    of those settled there, and once on release from detention."""

    places_per_year: Int | None = Field(default=None, ge=0, le=10_000_000)
    """Returns the programme funds per year (spread evenly over the year; places left unused
    carry over up to a month's worth); or give `budget_eur`; neither: no limit."""

    budget_eur: Float | None = Field(default=None, ge=0, le=1e11)
    """Money for the programme per year: `budget_eur / cost_per_return_eur` places a year."""

    cost_per_return_eur: Float = Field(2000.0, ge=0, le=100_000)
    """What one return costs states (travel and reintegration package), counted in the cost to
    states."""

    reintegration_support: Float = Field(0.6, **UNIT)
    """Reintegration support the programme gives (0 none, 1 full); it lowers the chance of
    setting out again by `reintegration_effect` times this."""

    @model_validator(mode="after")
    def _where_and_how_many(self) -> Config:
        self._require_exactly_one("states", "places")
        if self.places_per_year is not None and self.budget_eur is not None:
            self._require_exactly_one("places_per_year", "budget_eur")
        return self


class Policy(PolicyBase):
    """Takes the people who accept the programme out of those deciding and sends them home."""

    def prepare(self, model: PolicyContext) -> None:
        c, net = self.config, self.network
        where = places_in_states(net, c.states) if c.states else place_indices(net, c.places)
        self.at_place = np.zeros(net.compiled.n_places, dtype=bool)
        self.at_place[where] = True
        self.nationalities = nationality_mask(net, c.nationalities)
        per_year = c.places_per_year
        if c.budget_eur is not None:
            per_year = c.budget_eur / max(c.cost_per_return_eur, 1e-9)
        self.daily_places = None if per_year is None else per_year / 365.0 * model.scale
        self.carry_cap = None if per_year is None else max(per_year / 12.0 * model.scale, 1.0)
        self.owed = 0.0  # places due and not yet used (agents)

    def screen(self, model: PolicyContext, deciding: np.ndarray) -> np.ndarray:
        """Send home today those who accept, within the places funded; return the others."""
        if self.daily_places is not None:
            self.owed = min(self.owed + self.rng(model).poisson(self.daily_places), self.carry_cap)
        if len(deciding) == 0:
            return deciding
        pop, c = model.population, self.config
        eligible = (
            self.at_place[pop.place[deciding]]
            & self.nationalities[pop.nationality[deciding]]
            & np.isin(pop.status[deciding], REACHED)
        )
        candidates = np.flatnonzero(eligible)
        accepts = model.draws(self.stream_name + ":take_up", deciding[candidates]) < c.take_up
        candidates = candidates[accepts]
        if self.daily_places is not None:
            places = int(self.owed)
            if len(candidates) > places:  # those with the lowest draws today go first
                priority = model.draws(self.stream_name + ":priority", deciding[candidates])
                candidates = np.sort(candidates[np.argsort(priority, kind="stable")[:places]])
            self.owed -= len(candidates)
        model.return_voluntarily(
            deciding[candidates], c.reintegration_support, c.cost_per_return_eur
        )
        keep = np.ones(len(deciding), dtype=bool)
        keep[candidates] = False
        return deciding[keep]
