"""Legal pathways: a yearly quota of places (talent partnerships, resettlement, ...).

Eligible people deciding at the ``from`` places (setting out from an origin there, or in transit
there) are selected, ``quota_per_year`` spread evenly over the year, and travel legally to a
destination instead of irregularly.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sim.agents.population import Status
from sim.config.types import DestinationId, Int, NationalitySelection, PlaceId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import PolicyConfig
from sim.policies.select import nationality_mask, place_indices


class Config(PolicyConfig):
    """A quota of legal admissions from some places."""

    type: Literal["legal_pathway"] = "legal_pathway"

    kind: Literal["talent_partnership", "resettlement", "humanitarian", "family", "labour"]
    """The kind of pathway: `resettlement` and `humanitarian` take only people with a protection
    need; `talent_partnership`, `labour` and `family` take anyone of the nationalities listed."""

    nationalities: NationalitySelection = ["all"]
    """Nationalities (ISO3) eligible, or `all`."""

    from_places: list[PlaceId] = Field(alias="from", min_length=1)
    """Places people are selected from (origins or places of transit)."""

    quota_per_year: Int = Field(ge=0, le=10_000_000)
    """People admitted per year."""

    destinations: list[DestinationId] = []
    """Destination places; empty: the person's intended destination."""


#: Kinds of pathway open only to people with a protection need.
PROTECTION_KINDS = frozenset({"resettlement", "humanitarian"})


class Policy(PolicyBase):
    """Admits a Poisson number of eligible people a day, ``quota_per_year / 365`` on average.

    Eligible: people deciding today at a ``from`` place (setting out from an origin, or in
    transit there, but not detained) of a listed nationality, with a protection need for
    ``resettlement`` and ``humanitarian`` kinds. Places not filled for want of candidates are
    carried over, up to one month's quota.
    """

    def prepare(self, model: PolicyContext) -> None:
        c, net = self.config, self.network
        self.from_places = place_indices(net, c.from_places)
        self.at_place = np.zeros(net.compiled.n_places, dtype=bool)
        self.at_place[self.from_places] = True
        self.nationalities = nationality_mask(net, c.nationalities)
        self.needs_protection = c.kind in PROTECTION_KINDS
        self.destinations = place_indices(net, c.destinations)
        self.daily_quota = c.quota_per_year / 365.0 * model.scale  # agents a day
        self.backlog_cap = max(c.quota_per_year / 12.0 * model.scale, 1.0)
        self.owed = 0.0  # places due and not yet filled (agents)

    def apply(self, model: PolicyContext) -> None:
        """Tell people at home in the ``from`` places' countries what the quota offers: its
        places a day (persons), to the eligible nationalities (with a protection need only,
        for resettlement and humanitarian admission); everyone there knows of it."""
        mods = model.modifiers
        share = self.config.quota_per_year / 365.0 / max(len(self.from_places), 1)
        need = [1] if self.needs_protection else [0, 1]
        for place in self.from_places:  # a loop over places, not people
            for k in need:
                mods.legal_places[place, self.nationalities, k] += share
            mods.legal_awareness[place, self.nationalities] = 1.0  # without and with a need

    def screen(self, model: PolicyContext, deciding: np.ndarray) -> np.ndarray:
        """Admit today's quota among those deciding; return the others."""
        rng = self.rng(model)
        self.owed = min(self.owed + rng.poisson(self.daily_quota), self.backlog_cap)
        places = int(self.owed)
        if places == 0 or len(deciding) == 0:
            return deciding
        pop = model.population
        candidates = np.flatnonzero(self.at_place[pop.place[deciding]])  # few, of the many
        ids = deciding[candidates]
        eligible = self.nationalities[pop.nationality[ids]] & (pop.status[ids] != Status.DETAINED)
        if self.needs_protection:
            eligible &= pop.protection_need[ids]
        candidates = candidates[eligible]
        if len(candidates) > places:  # those with the lowest draws today take the places
            priority = model.draws(self.stream_name + ":selection", deciding[candidates])
            candidates = np.sort(candidates[np.argpartition(priority, places - 1)[:places]])
        ids = deciding[candidates]
        if len(self.destinations):
            u = model.draws(self.stream_name + ":destination", ids)
            pop.destination[ids] = self.destinations[(u * len(self.destinations)).astype(np.int64)]
        model.admit_legally(ids, self.config.kind, self.stream_name)
        self.owed -= len(ids)
        keep = np.ones(len(deciding), dtype=bool)
        keep[candidates] = False
        return deciding[keep]
