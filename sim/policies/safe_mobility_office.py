"""Safe Mobility Offices: screening people in origin or transit countries for legal pathways.

An office at a place receives applications from people who know of it (``awareness``, spreading
by word of mouth), screens those eligible, and after ``processing_days`` approves a share of them
for a pathway (resettlement, humanitarian admission, family reunification, labour migration) to
a destination. Capacity is limited per month; applicants who wait longer than ``max_wait_days``
give up and travel irregularly.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from sim.policies.base import UNIT, PolicyConfig
from sim.scenario_types import (
    Bool,
    DestinationId,
    Float,
    Int,
    NationalitySelection,
    PlaceId,
    StrictModel,
)

Pathway = Literal["resettlement", "humanitarian", "family", "labour"]


class Eligibility(StrictModel):
    """Who may apply at the office."""

    nationalities: NationalitySelection = ["all"]
    """Nationalities (ISO3) that may apply, or `all`."""

    protection_need_required: Bool = False
    """Only people with a protection need are screened in (restrictive criteria)."""

    labour: Bool = True
    """People without a protection need may apply for the labour pathway."""

    in_transit_eligible: Bool = True
    """People already in transit (not only residents of the office's country) may apply."""

    registered_before: date | None = None
    """Only people who arrived at the office's place before this date may apply (a cut-off date,
    as in the offices in the Americas); none: no cut-off."""


class PathwayShare(StrictModel):
    """One legal pathway offered by the office."""

    share: Float = Field(**UNIT)
    """Share of approved applicants sent through this pathway (shares sum to 1)."""

    destinations: list[DestinationId] = []
    """Destination places people are admitted to; empty: the applicant's intended destination."""


class Config(PolicyConfig):
    """Safe Mobility Offices at given places, screening applicants for legal pathways."""

    type: Literal["safe_mobility_office"] = "safe_mobility_office"

    places: list[PlaceId] = Field(min_length=1)
    """Places (origin or transit) where an office opens."""

    eligibility: Eligibility = Eligibility()
    """Who may apply."""

    capacity_per_month: Int = Field(1000, ge=0, le=1_000_000)
    """Applications each office can screen per month."""

    processing_days: Int = Field(60, ge=0, le=3650)
    """Days from application to decision."""

    approval_rate: Float = Field(0.5, **UNIT)
    """Share of screened eligible applicants who are approved for a pathway."""

    awareness: Float = Field(0.2, **UNIT)
    """Share of people at or passing the office's place who know of it when it opens."""

    awareness_spread: Float = Field(0.1, **UNIT)
    """Share of those still unaware who learn of the office each month (word of mouth)."""

    pathways: dict[Pathway, PathwayShare] = Field(
        default={
            "resettlement": PathwayShare(share=0.3),
            "humanitarian": PathwayShare(share=0.2),
            "family": PathwayShare(share=0.2),
            "labour": PathwayShare(share=0.3),
        },
        min_length=1,
    )
    """Pathways offered, each with its share of approvals and its destinations. Default:
    resettlement 0.3, humanitarian 0.2, family 0.2, labour 0.3, all to the applicant's intended
    destination."""

    max_wait_days: Int = Field(180, ge=1, le=3650)
    """Applicants still waiting after this many days give up and travel irregularly."""

    @field_validator("pathways")
    @classmethod
    def _shares_sum_to_one(cls, pathways: dict[str, PathwayShare]) -> dict[str, PathwayShare]:
        total = sum(p.share for p in pathways.values())
        if pathways and abs(total - 1.0) > 1e-6:
            raise PydanticCustomError(
                "shares_sum",
                "pathway shares sum to {total}; they must sum to 1",
                {"total": f"{total:g}"},
            )
        return pathways
