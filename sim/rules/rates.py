"""What states do on each leg today: the day's modifiers and the per-leg rates.

:class:`Modifiers` are the knobs the policies turn each day (neutral values mean "no policy");
:func:`compile_leg_rates` combines them with the states' conduct (:class:`sim.agents.states.
Conduct`) and the smugglers' craft into :class:`LegRates`, the arrays over legs that movement
(``sim/rules/movement.py``) reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.network import CompiledNetwork

if TYPE_CHECKING:  # annotations only: checking a scenario need not load Mesa
    from sim.agents.states import Conduct

#: Highest chance a transit state stops a crossing (somebody always gets through).
MAX_PULLBACK = 0.99


@dataclass
class LegRates:
    """What states do on each leg today, as arrays over legs; rebuilt every day.

    Baseline values come from the states' conduct and effort; policies then multiply or
    override them (``apply_policies`` in ``sim/model.py`` resets and fills the modifiers).
    """

    pullback: np.ndarray  # P(a transit state's coast guard or police stops and returns a person)
    refusal: np.ndarray  # P(refused boarding on a flight: carrier or exit checks of documents)
    apprehension: np.ndarray  # P(an EU border state apprehends a person crossing)
    pushback: np.ndarray  # P(an apprehended person is expelled without procedure)
    rescue_share: np.ndarray  # share of people in distress at sea who are rescued
    death_multiplier: np.ndarray  # on the leg's death risk (craft safety, campaigns...)


@dataclass
class Modifiers:
    """Knobs the policies turn each day; neutral values mean 'no policy'."""

    n_legs: int
    n_states: int
    n_places: int
    n_nationalities: int
    pullback_multiplier: np.ndarray = field(init=False)
    pullback_floor: np.ndarray = field(init=False)
    apprehension_multiplier: np.ndarray = field(init=False)
    pushback_override: np.ndarray = field(init=False)  # NaN = no override
    rescue_strength: np.ndarray = field(init=False)  # share of remaining deaths averted
    cooperation_floor: np.ndarray = field(init=False)  # by state
    third_country_readmission: np.ndarray = field(init=False)  # by state: P(takes back others)
    arrest_rate_extra: np.ndarray = field(init=False)  # by place, per month
    rival_replacement_days: np.ndarray = field(init=False)  # by place; -1 = the parameter's value
    leg_barred: np.ndarray = field(init=False)  # nationality x leg
    information_strength: np.ndarray = field(init=False)  # by origin place, 0..1
    pushback_money_lost: np.ndarray = field(init=False)  # by leg; NaN = the parameter's value
    pushback_days_lost: np.ndarray = field(init=False)  # by leg; -1 = the parameter's value
    pushback_injury: np.ndarray = field(init=False)  # by leg: P(injured: days lost twice)
    pushback_places_back: np.ndarray = field(init=False)  # by leg: places sent back
    detention_days: np.ndarray = field(init=False)  # by leg; -1 = the state's parameter
    # What the EU offers and how it presses each state (read by the states' monthly review):
    # [departures row, readmission row] x state for offers, by state for Article 25a.
    offer_payment: np.ndarray = field(init=False)  # EUR per year
    offer_visa: np.ndarray = field(init=False)  # visa facilitation, 0..1
    offer_places: np.ndarray = field(init=False)  # legal pathway places per year
    article_25a: np.ndarray = field(init=False)  # strength of Article 25a measures, 0..1
    # Staying in transit and setting out (docs/model.md: settling, crackdowns, legal alternatives)
    resume_multiplier: np.ndarray = field(init=False)  # by state: on settled people's hazard
    wage_multiplier: np.ndarray = field(init=False)  # by state: on what people earn there
    weather_hold: np.ndarray = field(init=False)  # by state: of the season on boats leaving it
    expulsion_rate: np.ndarray = field(init=False)  # by state: share of irregular migrants a day
    expelled_to: list = field(init=False)  # by state: place indices people are left at
    expulsion_days_lost: np.ndarray = field(init=False)  # by state
    expulsion_money_lost: np.ndarray = field(init=False)  # by state
    legal_places: np.ndarray = field(init=False)  # place x nationality x need: persons a day
    legal_awareness: np.ndarray = field(init=False)  # place x nationality x need: who can apply

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to neutral: no policy acts."""
        self.pullback_multiplier = np.ones(self.n_legs)
        self.pullback_floor = np.zeros(self.n_legs)
        self.apprehension_multiplier = np.ones(self.n_legs)
        self.pushback_override = np.full(self.n_legs, np.nan)
        self.rescue_strength = np.zeros(self.n_legs)
        self.cooperation_floor = np.zeros(self.n_states)
        self.third_country_readmission = np.zeros(self.n_states)
        self.arrest_rate_extra = np.zeros(self.n_places)
        self.rival_replacement_days = np.full(self.n_places, -1, dtype=np.int64)
        self.leg_barred = np.zeros((self.n_nationalities, self.n_legs), dtype=bool)
        self.information_strength = np.zeros(self.n_places)
        self.pushback_money_lost = np.full(self.n_legs, np.nan)
        self.pushback_days_lost = np.full(self.n_legs, -1, dtype=np.int64)
        self.pushback_injury = np.zeros(self.n_legs)
        self.pushback_places_back = np.ones(self.n_legs, dtype=np.int64)
        self.detention_days = np.full(self.n_legs, -1, dtype=np.int64)
        self.offer_payment = np.zeros((2, self.n_states))
        self.offer_visa = np.zeros((2, self.n_states))
        self.offer_places = np.zeros((2, self.n_states))
        self.article_25a = np.zeros(self.n_states)
        self.resume_multiplier = np.ones(self.n_states)
        self.wage_multiplier = np.ones(self.n_states)
        self.weather_hold = np.ones(self.n_states)
        self.expulsion_rate = np.zeros(self.n_states)
        self.expelled_to = [np.empty(0, dtype=np.int64)] * self.n_states
        self.expulsion_days_lost = np.zeros(self.n_states, dtype=np.int64)
        self.expulsion_money_lost = np.zeros(self.n_states)
        self.legal_places = np.zeros((self.n_places, self.n_nationalities, 2))
        self.legal_awareness = np.zeros((self.n_places, self.n_nationalities, 2))


def compile_leg_rates(
    net: CompiledNetwork,
    conduct: Conduct,
    base_rescue: np.ndarray,
    smuggler_safety: np.ndarray,
    mods: Modifiers,
    boarding_refusal: np.ndarray,
) -> LegRates:
    """Combine the states' conduct, their effort and the policies into per-leg rates.

    A leg's transit (non-EU) state intercepts crossings of its land and sea border legs at its
    interception rate today (its baseline rate moved by its stance on departures, times its
    ``effort``: :meth:`Conduct.interception_today`; before an EU fence at least its
    fence interception rate); a leg's EU state apprehends people entering the
    EU at its ``apprehension`` rate times its effort, and pushes back a share ``pushback`` of
    them (at least ``fence_pushback`` at its border fences); policies multiply, floor or
    override these through ``mods``. Nobody is intercepted
    on a flight: passengers of border flights are instead refused boarding with the leg's
    ``boarding_refusal`` chance (carrier and exit checks of documents, counted apart).
    ``base_rescue`` (:func:`baseline_rescue_by_leg`), ``smuggler_safety`` and
    ``boarding_refusal`` are per leg.
    """
    interception, apprehension = conduct.interception_today(), conduct.apprehension
    pushback, effort = conduct.pushback, conduct.effort
    legs = net.controls
    t = legs.transit
    pull = np.where(legs.transit_border, interception[t], 0.0)
    fence_pull = conduct.fence_interception_today()[t]
    pull = np.where(legs.transit_fence, np.maximum(pull, fence_pull), pull)
    pull = np.maximum(pull * mods.pullback_multiplier, mods.pullback_floor)
    pull = np.where(legs.flight, 0.0, pull)

    e = legs.eu
    appr = np.where(legs.eu_entry, apprehension[e] * effort[e], 0.0) * mods.apprehension_multiplier
    push = np.where(legs.eu_entry, pushback[e], 0.0)
    push = np.where(legs.eu_fence, np.maximum(push, conduct.fence_pushback[e]), push)
    push = np.where(np.isnan(mods.pushback_override), push, mods.pushback_override)

    rescue = base_rescue + mods.rescue_strength * (1.0 - base_rescue)
    return LegRates(
        pullback=np.clip(pull, 0.0, MAX_PULLBACK),
        refusal=np.where(legs.flight_border, np.clip(boarding_refusal, 0.0, 1.0), 0.0),
        apprehension=np.clip(appr, 0.0, 1.0),
        pushback=np.clip(push, 0.0, 1.0),
        rescue_share=np.clip(rescue, 0.0, 1.0),
        death_multiplier=smuggler_safety,
    )


def baseline_rescue_by_leg(net: CompiledNetwork, share_by_route: np.ndarray) -> np.ndarray:
    """The baseline share of people in distress who are rescued, per leg: its route's share,
    and none on legs that count for no route."""
    return np.where(net.leg_route >= 0, share_by_route[np.maximum(net.leg_route, 0)], 0.0)
