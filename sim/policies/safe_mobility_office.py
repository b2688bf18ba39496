"""Safe Mobility Offices: screening people in origin or transit countries for legal pathways.

An office at a place receives applications from people deciding there who know of it
(``awareness``, spreading by word of mouth), can register (online, with digital access, as at
the US offices) and are eligible; it decides each file after ``processing_days`` or when its
queue reaches it (``capacity_per_month``), referring a share of them (``approval_rate``) for a
pathway (resettlement, humanitarian admission, family reunification, labour migration) to a
destination; the referred travel legally after ``travel_delay_days``. Applicants whose decision
would come later than ``max_wait_days`` wait that long and then travel irregularly; rejected
applicants travel irregularly too. The defaults follow the US offices' record (facts.md):
over 172,600 applications in four countries in about 18 months (about 2,400 a month per
office), about 16% referred, and of those referred about 28% arrived by late 2024.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from sim.agents.population import Status
from sim.config.types import (
    Bool,
    DestinationId,
    Float,
    Int,
    NationalitySelection,
    PlaceId,
    StrictModel,
)
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig
from sim.policies.select import nationality_mask, place_indices

Pathway = Literal["resettlement", "humanitarian", "family", "labour"]


class Eligibility(StrictModel):
    """Who may apply at the office."""

    nationalities: NationalitySelection = ["all"]
    """Nationalities (ISO3) that may apply, or `all`."""

    protection_need_required: Bool = False
    """Family reunification, like resettlement and humanitarian admission, is only for people
    with a protection need (restrictive criteria); false: family reunification is open to all.
    Resettlement and humanitarian admission always require a protection need."""

    labour: Bool = True
    """The labour pathway is open, to people with or without a protection need."""

    in_transit_eligible: Bool = True
    """People already in transit (not only residents of the office's country) may apply."""

    registered_before: date | None = None
    """Only people present in the office's country since before this date may apply (a cut-off
    date, as at the offices in the Americas, which required presence in the host country before
    a date); none: no cut-off."""

    online_registration: Bool = True
    """Applicants register online (as at the US offices), so only those with digital access
    can apply; false: walk-in registration at the office, open to all who know of it."""

    digital_access: Float = Field(0.7, **UNIT)
    """Share of people without a protection need who can register online."""

    digital_access_protection_need: Float = Field(0.5, **UNIT)
    """Share of people with a protection need who can register online (self-referral online
    reaches fewer of the most vulnerable)."""


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

    capacity_per_month: Int = Field(2400, ge=0, le=1_000_000)
    """Applications each office can screen per month (default: the US offices' pace, over
    172,600 applications in four countries in about 18 months)."""

    processing_days: Int = Field(60, ge=0, le=3650)
    """Days from application to decision."""

    approval_rate: Float = Field(0.16, **UNIT)
    """Share of screened eligible applicants who are referred to a pathway (default: the US
    offices' record, about 27,400 referred of 172,600 applications)."""

    travel_delay_days: Int = Field(180, ge=0, le=3650)
    """Days from referral to legal travel (default assumption: by late 2024 about 7,600 of the
    27,400 referred by the US offices had arrived; the first handful took about four months)."""

    awareness: Float = Field(0.2, **UNIT)
    """Share of people at or passing the office's place who know of it when it opens."""

    awareness_spread: Float = Field(0.1, **UNIT)
    """Monthly word-of-mouth rate: each month awareness `a` grows by `awareness_spread x a x
    (1 - a)` (those who know tell those who do not)."""

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


PATHWAYS: tuple[str, ...] = ("resettlement", "humanitarian", "family", "labour")


#: The decision day of an applicant who will not wait for it: below any day a run has (the
#: warm-up's days are negative, so -1 is a day like any other).
WILL_NOT_WAIT = -(10**9)


def schedule_decisions(
    n: int, today: int, next_free: float, per_day: float, processing_days: int, max_wait: int
) -> tuple[np.ndarray, float]:
    """Decision days of ``n`` applicants queuing at one office today, in queue order.

    Applicant ``j`` is screened in the office's slot ``next_free + j / per_day`` (not before
    today) and decided on ``max(today + processing_days, that slot)``, at least tomorrow. Those
    whose decision would come after ``today + max_wait`` get :data:`WILL_NOT_WAIT` and take
    no slot. Returns the days and the office's next free slot.
    """
    start = max(next_free, float(today))
    if per_day <= 0:
        return np.full(n, WILL_NOT_WAIT, dtype=np.int64), start
    slot = np.ceil(start + np.arange(n) / per_day)
    day = np.maximum(today + max(processing_days, 1), slot).astype(np.int64)
    fits = day <= today + max_wait
    return np.where(fits, day, WILL_NOT_WAIT), start + int(fits.sum()) / per_day


class Policy(PolicyBase):
    """Offices that take applicants off the irregular routes, and decide their files.

    Each day the office is open, :meth:`screen` takes from those deciding at its places the
    people who know of it, are eligible and have not applied before; they wait as
    ``smo_applicant``. :meth:`apply` decides the files due today, also after the office has
    closed to new applicants (open files are still decided). Admissions per pathway and
    destination are counted in the model's one tally (``model.admissions``).
    """

    def prepare(self, model: PolicyContext) -> None:
        c, net = self.config, self.network
        e = c.eligibility
        self.offices = place_indices(net, c.places)
        self.office_of_place = np.full(net.compiled.n_places, -1, dtype=np.int64)
        self.office_of_place[self.offices] = np.arange(len(self.offices))
        self.office_state = net.compiled.place_state[self.offices]
        self.nationalities = nationality_mask(net, e.nationalities)
        self.cutoff_day = (
            None if e.registered_before is None else (e.registered_before - model.start_date).days
        )
        # Who qualifies for each pathway: [without protection need, with], per pathway.
        shares = np.array([c.pathways[p].share if p in c.pathways else 0.0 for p in PATHWAYS])
        open_to = np.array(
            [[False, True], [False, True], [not e.protection_need_required, True], [e.labour] * 2]
        )
        self.weights = (shares[:, None] * open_to).T  # need (0/1) x pathway
        self.destinations = [
            place_indices(net, c.pathways[p].destinations) if p in c.pathways else np.array([])
            for p in PATHWAYS
        ]
        self.awareness = float(c.awareness)
        self.per_day = c.capacity_per_month / 30.0 * model.scale  # files an office decides a day
        # No slot taken yet: the first applicant is screened on the day they apply, which in
        # the warm-up comes before day 0.
        self.next_free = np.full(len(self.offices), -np.inf)
        self.pending_ids = np.empty(0, dtype=np.int64)
        self.pending_day = np.empty(0, dtype=np.int64)
        self.referred_ids = np.empty(0, dtype=np.int64)  # approved, waiting to travel
        self.counts = {"applied": 0.0, "approved": 0.0, "rejected": 0.0, "left_waiting": 0.0}

    def open_on(self, model: PolicyContext) -> bool:
        """Whether the office takes new applications today (its active window, and the
        warm-up if it is open on the start date)."""
        return self.acting_from <= model.day <= self.last_day

    def active_on(self, day) -> bool:
        """Open, or still deciding files or sending the referred after closing."""
        return super().active_on(day) or len(self.pending_ids) + len(self.referred_ids) > 0

    def apply(self, model: PolicyContext) -> None:
        """Decide the files due today, send the referred whose day has come; spread the word
        monthly while open; tell people at home in the office's country what it offers."""
        self.decide_files(model)
        self.send_referred(model)
        if self.open_on(model):
            self.offer_at_home(model)
        in_force = self.days_in_force(model)
        if self.open_on(model) and in_force > 1 and (in_force - 1) % 30 == 0:
            a = self.awareness
            self.awareness = a + self.config.awareness_spread * a * (1.0 - a)

    def offer_at_home(self, model: PolicyContext) -> None:
        """What the offices offer people deciding whether to set out in their country: places
        a day (persons; files decided times the approval rate) per office, eligible
        nationality and need, and the share who could apply: those who know of it, and, when
        registration is online, have digital access (by need, as for applicants)."""
        mods, c = model.modifiers, self.config
        e = c.eligibility
        places = c.capacity_per_month / 30.0 * c.approval_rate
        qualifies = (self.weights.sum(axis=1) > 0).astype(float)  # without, with a need
        access = (
            np.array([e.digital_access, e.digital_access_protection_need])
            if e.online_registration
            else np.ones(2)
        )
        for office in self.offices:  # a loop over offices, not people
            mods.legal_places[office, self.nationalities] += places * qualifies
            mods.legal_awareness[office, self.nationalities] = np.maximum(
                mods.legal_awareness[office, self.nationalities], self.awareness * access
            )

    def screen(self, model: PolicyContext, deciding: np.ndarray) -> np.ndarray:
        """Take today's applicants out of those deciding; return the others."""
        if not self.open_on(model) or len(deciding) == 0:
            return deciding
        applies = self.applies(model, deciding)
        ids = deciding[applies]
        if len(ids):
            self.queue(model, ids)
        return deciding[~applies]

    def applies(self, model: PolicyContext, ids: np.ndarray) -> np.ndarray:
        """Mask over ``ids``: at an office, aware of it, eligible, and never applied before."""
        pop, e = model.population, self.config.eligibility
        office = self.office_of_place[pop.place[ids]]
        mask = (office >= 0) & ~pop.smo_applied[ids] & (pop.status[ids] != Status.DETAINED)
        mask &= self.nationalities[pop.nationality[ids]]
        mask &= self.weights[pop.protection_need[ids].astype(np.int64)].sum(axis=1) > 0
        if not e.in_transit_eligible:
            origin_state = model.net.compiled.place_state[pop.origin[ids]]
            mask &= origin_state == self.office_state[np.maximum(office, 0)]
        if self.cutoff_day is not None:
            mask &= pop.in_country_since[ids] < self.cutoff_day
        if e.online_registration:
            access = np.where(
                pop.protection_need[ids], e.digital_access_protection_need, e.digital_access
            )
            mask &= model.trait(self.stream_name + ":digital", ids) < access
        return mask & (model.trait(self.stream_name + ":attention", ids) < self.awareness)

    def queue(self, model: PolicyContext, ids: np.ndarray) -> None:
        """Applicants join their office's queue in random order and wait for their decision."""
        pop, c = model.population, self.config
        ids = ids[np.argsort(model.draws(self.stream_name + ":queue", ids), kind="stable")]
        office = self.office_of_place[pop.place[ids]]
        days = np.empty(len(ids), dtype=np.int64)
        for k in np.unique(office):  # a loop over offices, not people
            mine = office == k
            days[mine], self.next_free[k] = schedule_decisions(
                int(mine.sum()), model.day, self.next_free[k], self.per_day,
                c.processing_days, c.max_wait_days,
            )  # fmt: skip
        pop.smo_applied[ids] = True
        pop.set_status(ids, Status.SMO_APPLICANT)
        # Those who will not be decided in time wait max_wait_days.
        waits = days != WILL_NOT_WAIT
        pop.next_day[ids] = np.where(waits, days, model.day + c.max_wait_days)
        self.pending_ids = np.concatenate([self.pending_ids, ids])
        self.pending_day = np.concatenate([self.pending_day, days])
        self.counts["applied"] += len(ids) / model.scale
        self.count(model, "smo_applications", ids)

    def count(self, model: PolicyContext, metric: str, ids: np.ndarray) -> None:
        """Count ``ids`` in ``metric`` by the route and place of the office they are at."""
        places = model.population.place[ids]
        model.outcomes.add(metric, model.net.compiled.place_route[places], split={"place": places})

    def decide_files(self, model: PolicyContext) -> None:
        """Refer (to travel legally after ``travel_delay_days``) or reject the files due today;
        release those who gave up waiting. Rejected and released people decide again today, on
        the irregular routes."""
        pop, scale = model.population, model.scale
        due = pop.next_day[self.pending_ids] == model.day
        if not due.any():
            return
        ids, days = self.pending_ids[due], self.pending_day[due]
        self.pending_ids, self.pending_day = self.pending_ids[~due], self.pending_day[~due]
        decided = days != WILL_NOT_WAIT
        chance = model.draws(self.stream_name + ":approval", ids)
        approved = decided & (chance < self.config.approval_rate)
        self.counts["approved"] += int(approved.sum()) / scale
        self.counts["rejected"] += int((decided & ~approved).sum()) / scale
        self.counts["left_waiting"] += int((~decided).sum()) / scale
        self.count(model, "smo_referrals", ids[approved])
        self.count(model, "smo_rejections", ids[decided & ~approved])
        self.count(model, "smo_left_waiting", ids[~decided])
        referred = ids[approved]
        pop.next_day[referred] = model.day + max(self.config.travel_delay_days, 1)
        self.referred_ids = np.concatenate([self.referred_ids, referred])
        back = ids[~approved]
        pop.set_status(back, Status.IN_TRANSIT)
        pop.next_day[back] = model.day

    def send_referred(self, model: PolicyContext) -> None:
        """The referred whose travel day has come travel legally."""
        due = model.population.next_day[self.referred_ids] == model.day
        if due.any():
            self.admit(model, self.referred_ids[due])
            self.referred_ids = self.referred_ids[~due]

    def admit(self, model: PolicyContext, ids: np.ndarray) -> None:
        """Allot each approved person a pathway they qualify for, by the pathways' shares; send
        them to its destination (or their own) legally."""
        pop = model.population
        weights = self.weights[pop.protection_need[ids].astype(np.int64)]
        cumulative = np.cumsum(weights, axis=1)
        u = model.draws(self.stream_name + ":pathway", ids)
        pick = (cumulative < u[:, None] * cumulative[:, -1:]).sum(axis=1)
        for p, name in enumerate(PATHWAYS):
            chosen, places = ids[pick == p], self.destinations[p]
            if len(chosen) == 0:
                continue
            if len(places):
                u = model.draws(self.stream_name + ":destination", chosen)
                pop.destination[chosen] = places[(u * len(places)).astype(np.int64)]
            model.admit_legally(chosen, name, self.stream_name)
