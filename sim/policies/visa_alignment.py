"""Visa-policy alignment: a transit state aligns its visa list with the EU's.

When a transit state (e.g. Serbia) stops admitting some nationalities visa-free, the
air-then-land route through it closes for them: they can no longer fly in.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.policies.base import PolicyConfig
from sim.scenario_types import Nationality, StateId


class Config(PolicyConfig):
    """A transit state ends visa-free entry for some nationalities."""

    type: Literal["visa_alignment"] = "visa_alignment"

    state: StateId
    """The transit state that aligns its visa policy (e.g. SRB)."""

    nationalities: list[Nationality] = Field(min_length=1)
    """Nationalities (ISO3) that lose visa-free entry."""
