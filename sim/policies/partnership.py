"""Migration partnerships: the EU offers a partner state a bundle, tied to conditions.

As the Commission's whole-of-route approach and the migration partnerships describe it, the EU
offers money, visa facilitation and legal pathways (talent partnerships, labour, resettlement)
and asks in return for cooperation on departures (policing coasts and borders, arresting
smugglers) and on readmission. The block does not set the partner's conduct: it puts the offer
on the table (the day's modifiers), and the partner's stance answers at its monthly reviews
(:mod:`sim.agents.stance`): the payment is valued on what it is tied to (departures if asked,
else readmission), visa facilitation and pathway places on readmission (if asked, else
departures).

**Conditions.** From ``grace_days`` after the start, the EU checks each month whether the
partner delivers (its interception rate and its readmission cooperation today at least the
levels asked). With ``suspend_when_unmet`` it suspends the whole offer while they are not met
and resumes it once they are: payments stop, pathway places stop, and the partner's stance
drifts back, or, if Article 25a pressure or friction outweighs what is left, it may defect.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from sim.agents.stance import DEPARTURES, READMISSION
from sim.config.types import (
    Bool,
    DestinationId,
    Float,
    Int,
    NationalitySelection,
    NonEuStateId,
    PlaceId,
    StrictModel,
)
from sim.network import NO_ROUTE
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.legal_pathway import Config as PathwayConfig
from sim.policies.legal_pathway import Policy as Pathway

#: Days between the EU's checks of the conditions.
REVIEW_DAYS = 30


class PathwayOffer(StrictModel):
    """Legal pathway places offered to the partner's nationals (run like a `legal_pathway`)."""

    kind: Literal["talent_partnership", "labour", "resettlement", "humanitarian", "family"] = (
        "talent_partnership"
    )
    """The kind of pathway (as for `legal_pathway`)."""

    quota_per_year: Int = Field(ge=0, le=10_000_000)
    """Places a year."""

    from_places: list[PlaceId] = Field(alias="from", min_length=1)
    """Places people are selected at (origins or places of transit)."""

    nationalities: NationalitySelection | None = None
    """Who is eligible; default: the partner's nationals (everyone, if the model has none)."""

    destinations: list[DestinationId] = []
    """Destination places; empty: the person's intended destination."""


class Offers(StrictModel):
    """What the EU puts on the table."""

    payment_eur: Float = Field(0.0, ge=0, le=1e11)
    """EUR over the block's life (paid evenly over its active days, not while suspended)."""

    visa_facilitation: Float = Field(0.0, **UNIT)
    """Visa facilitation for the partner's nationals (0: none, 1: the most the EU grants)."""

    legal_pathway: PathwayOffer | None = None
    """Legal pathway places for the partner's nationals."""


class Conditions(StrictModel):
    """What the EU asks in return, as levels of the partner's conduct."""

    departures: Float | None = Field(None, **UNIT)
    """The partner's interception rate (share of crossings of its borders and coasts it stops)
    it should reach; none: not asked."""

    readmission: Float | None = Field(None, **UNIT)
    """The partner's readmission cooperation (share of return orders to its nationals it
    accepts) it should reach; none: not asked."""

    grace_days: Int = Field(180, ge=0, le=3650)
    """Days from the start before the EU checks the conditions (monthly from then on)."""

    suspend_when_unmet: Bool = True
    """The EU suspends the offer while the conditions are not met (and resumes it once they
    are); false: the offer stands whatever the partner does."""


class Config(PolicyConfig):
    """A migration partnership: offers to a non-EU state, tied to conditions."""

    type: Literal["partnership"] = "partnership"

    partner: NonEuStateId
    """The partner state."""

    offers: Offers
    """Payments, visa facilitation and legal pathways offered."""

    conditions: Conditions
    """Cooperation asked in return (at least one of `departures` or `readmission`)."""

    @model_validator(mode="after")
    def _asks_something(self) -> Config:
        if self.conditions.departures is None and self.conditions.readmission is None:
            raise PydanticCustomError(
                "asks_nothing",
                "a partnership ties its offers to conditions: give `conditions.departures`, "
                "`conditions.readmission` or both (levels from 0 to 1)",
                {},
            )
        return self


class Policy(PolicyBase):
    """Puts the offer on the table each day it stands; checks the conditions monthly.

    ``suspended`` says whether the offer is suspended now; ``history`` holds, at each check,
    ``(day, interception rate, readmission cooperation, suspended)`` of the partner.
    """

    def prepare(self, model: PolicyContext) -> None:
        c, net = self.config, self.network
        self.partner = net.state_index[c.partner]
        asks = c.conditions
        self.payment_row = DEPARTURES if asks.departures is not None else READMISSION
        self.exchange_row = READMISSION if asks.readmission is not None else DEPARTURES
        self.suspended = False
        self.history: list[tuple[int, float, float, bool]] = []
        self.pathway = None
        offer = c.offers.legal_pathway
        if offer is not None:
            nationalities = offer.nationalities or (
                [c.partner] if c.partner in net.nationalities else ["all"]
            )
            block = PathwayConfig.model_validate(
                {"type": "legal_pathway", "kind": offer.kind, "from": offer.from_places,
                 "quota_per_year": offer.quota_per_year, "nationalities": nationalities,
                 "destinations": offer.destinations},
                context={"network": net},
            )  # fmt: skip
            self.pathway = Pathway(block, net, self.index)
            self.pathway.stream_name = self.stream_name + ":pathway"
            self.pathway.setup(model)

    def apply(self, model: PolicyContext) -> None:
        if (self.days_in_force(model) - 1) % REVIEW_DAYS == 0:
            self.check_conditions(model)
        if self.suspended:
            return
        c, mods, k = self.config.offers, model.modifiers, self.partner
        per_year = c.payment_eur / self.active_days * 365.0
        mods.offer_payment[self.payment_row, k] += per_year
        visa = mods.offer_visa[self.exchange_row]
        visa[k] = max(visa[k], c.visa_facilitation)
        if c.legal_pathway is not None:
            mods.offer_places[self.exchange_row, k] += c.legal_pathway.quota_per_year
        self.record_spending(model, c.payment_eur, np.array([NO_ROUTE]))

    def check_conditions(self, model: PolicyContext) -> None:
        """Monthly: does the partner deliver? Suspend or resume the offer accordingly."""
        asks = self.config.conditions
        interception = float(model.conduct.interception_today()[self.partner])
        cooperation = float(model.conduct.cooperation_today()[self.partner])
        if self.days_in_force(model) > asks.grace_days and asks.suspend_when_unmet:
            met = (asks.departures is None or interception >= asks.departures) and (
                asks.readmission is None or cooperation >= asks.readmission
            )
            self.suspended = not met
        self.history.append((model.day, interception, cooperation, self.suspended))

    def screen(self, model: PolicyContext, deciding: np.ndarray) -> np.ndarray:
        """While the offer stands, its pathway places are filled among those deciding."""
        if self.pathway is None or self.suspended:
            return deciding
        return self.pathway.screen(model, deciding)
