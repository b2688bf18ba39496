"""Legal pathways: a yearly quota of places (talent partnerships, resettlement, ...).

Eligible people at the ``from`` places are selected up to ``quota_per_year`` (spread evenly over
the year) and travel legally to a destination instead of irregularly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.policies.base import PolicyConfig
from sim.scenario_types import DestinationId, Int, NationalitySelection, PlaceId


class Config(PolicyConfig):
    """A quota of legal admissions from some places."""

    type: Literal["legal_pathway"] = "legal_pathway"

    kind: Literal["talent_partnership", "resettlement", "humanitarian", "family", "labour"]
    """The kind of pathway (it decides who qualifies: protection need, family, skills)."""

    nationalities: NationalitySelection = ["all"]
    """Nationalities (ISO3) eligible, or `all`."""

    from_places: list[PlaceId] = Field(alias="from", min_length=1)
    """Places people are selected from (origins or places of transit)."""

    quota_per_year: Int = Field(ge=0, le=10_000_000)
    """People admitted per year."""

    destinations: list[DestinationId] = []
    """Destination places; empty: the person's intended destination."""
