"""States and the EU: border enforcement, rescue, pushbacks, asylum and returns.

Each state is a :class:`State` (``mesa.Agent``) with its baseline conduct from
``parameters.yaml``: how often its coast guard or border police stop people on the legs it
controls, whether it pushes people back, how readily it takes back its nationals. The EU is one
more agent, :class:`EuropeanUnion`, that holds what is decided collectively (the capacity to
carry out returns) and watches arrivals.

States adjust their stance monthly: an EU border state facing more arrivals on its legs than
its running average steps up its effort (``enforcement_response``). Policies (``sim/policies``)
change their conduct further from outside, through :class:`LegRates` modifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np


class State(mesa.Agent):
    """A country: origin, transit, or EU member at the border."""

    def __init__(
        self,
        model: mesa.Model,
        index: int,
        code: str,
        name: str,
        eu_member: bool,
        remittances_pct_gdp: float,
        interception_rate: float,
        apprehension_rate: float,
        pushback_probability: float,
        readmission_cooperation: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.eu_member = eu_member
        self.remittances_pct_gdp = remittances_pct_gdp
        self.interception_rate = interception_rate
        self.apprehension_rate = apprehension_rate
        self.pushback_probability = pushback_probability
        self.readmission_cooperation = readmission_cooperation
        self.effort = 1.0  # multiplier on interception/apprehension, set by its stance
        self.arrivals_history: list[float] = []  # persons arriving over its legs, per month

    def update_stance(self, arrivals_this_month: float, response: float) -> None:
        """React to pressure: more arrivals than the running average -> more effort."""
        history = self.arrivals_history
        if self.eu_member and history and response > 0:
            reference = float(np.mean(history))
            if reference > 0:
                pressure = arrivals_this_month / reference - 1.0
                self.effort = float(np.clip(1.0 + response * pressure, 0.5, 2.0))
        history.append(arrivals_this_month)


class EuropeanUnion(mesa.Agent):
    """The EU as a collective actor: return capacity, and the tally of arrivals."""

    def __init__(self, model: mesa.Model, return_capacity_per_day: float) -> None:
        super().__init__(model)
        self.return_capacity_per_day = return_capacity_per_day
        self.arrivals_by_month: list[float] = []


@dataclass
class LegRates:
    """What states do on each leg today, as arrays over legs; rebuilt every day.

    Baseline values come from the states' conduct and effort; policies then multiply or
    override them (``apply_policies`` in ``sim/model.py`` resets and fills the modifiers).
    """

    pullback: np.ndarray  # P(a transit state's coast guard or police stops and returns a person)
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


def compile_leg_rates(
    leg_transit_state: np.ndarray,
    leg_eu_state: np.ndarray,
    leg_border: np.ndarray,
    leg_eu_entry: np.ndarray,
    leg_route: np.ndarray,
    interception: np.ndarray,
    apprehension: np.ndarray,
    pushback: np.ndarray,
    effort: np.ndarray,
    baseline_rescue_share: np.ndarray,
    smuggler_safety: np.ndarray,
    mods: Modifiers,
) -> LegRates:
    """Combine the states' conduct, their effort and the policies into per-leg rates.

    ``leg_transit_state`` / ``leg_eu_state`` are the controlling non-EU and EU state per leg
    (-1 for none); ``interception``, ``apprehension``, ``pushback``, ``effort`` are per state;
    ``baseline_rescue_share`` per route.
    """
    has_transit = (leg_transit_state >= 0) & leg_border
    t = np.maximum(leg_transit_state, 0)
    pull = np.where(has_transit, interception[t] * effort[t], 0.0)
    pull = np.maximum(pull * mods.pullback_multiplier, mods.pullback_floor)

    has_eu = (leg_eu_state >= 0) & leg_eu_entry
    e = np.maximum(leg_eu_state, 0)
    appr = np.where(has_eu, apprehension[e] * effort[e], 0.0) * mods.apprehension_multiplier
    push = np.where(has_eu, pushback[e], 0.0)
    push = np.where(np.isnan(mods.pushback_override), push, mods.pushback_override)

    base_rescue = np.where(leg_route >= 0, baseline_rescue_share[np.maximum(leg_route, 0)], 0.0)
    rescue = base_rescue + mods.rescue_strength * (1.0 - base_rescue)
    return LegRates(
        pullback=np.clip(pull, 0.0, 0.99),
        apprehension=np.clip(appr, 0.0, 1.0),
        pushback=np.clip(push, 0.0, 1.0),
        rescue_share=np.clip(rescue, 0.0, 1.0),
        death_multiplier=smuggler_safety,
    )
