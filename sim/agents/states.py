"""States and the EU: the source of truth for how borders, coasts and returns are handled.

Each country is a :class:`State` (``mesa.Agent``): how often its coast guard or border police
stop people on the legs it controls (``interception_rate``, ``apprehension_rate``), whether it
pushes people back (``pushback_probability``, and at its fences ``fence_pushback_probability``),
how readily it takes back its nationals (``readmission_cooperation``), how long it detains
people it intercepts (``detention_days``), how hard it currently tries (``effort``), how much its
economy depends on remittances and its GDP. The EU is one more agent, :class:`EuropeanUnion`,
holding what is decided collectively: the capacity to carry out returns.

The vectorised rules see the states' conduct as arrays over state indices, held in one
:class:`Conduct`; every ``State`` property reads and writes its own entry of those arrays, so
changing a state agent changes what happens on its legs, and nothing keeps a second copy.

Each month states review their stance:

- an **EU border state** facing more arrivals on its legs than its running average steps up
  its effort (``enforcement_response``), within ``EFFORT_RANGE``;
- a **non-EU state** bargains (:mod:`sim.agents.stance`): its cooperation on departures and on
  readmission moves toward what the EU's offers, its pressure, the friction of pushbacks and
  expulsions and its own reservations make worth it, and a partner may defect when the balance
  turns. The rules read the result through :meth:`Conduct.interception_today` and
  :meth:`Conduct.cooperation_today`.

Policies (``sim/policies``) change conduct further from outside, through the day's modifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.agents.stance import (
    DEPARTURES,
    READMISSION,
    StanceInputs,
    StanceParameters,
    balance,
    friction_effect,
    offer_value,
    readmission_damping,
    shifted_rate,
    stance_targets,
)
from sim.config.parameters import Parameters
from sim.network import Network
from sim.rules.memo import ValueMemo

#: Lowest and highest effort an EU state's stance can reach (multiplier on its baseline rates).
EFFORT_RANGE = (0.5, 2.0)


@dataclass
class Conduct:
    """The states' conduct as arrays over state indices (what the vectorised rules read)."""

    interception: np.ndarray  # baseline P(a transit state's coast guard or police stops a crossing)
    apprehension: np.ndarray  # P(an EU border state apprehends a person crossing)
    pushback: np.ndarray  # P(an apprehended person is expelled without procedure)
    fence_pushback: np.ndarray  # P(a person caught at its border fence is turned back)
    fence_interception: np.ndarray  # baseline P(a transit state stops people before a fence)
    cooperation: np.ndarray  # baseline share of return orders to its nationals it accepts
    detention_days: np.ndarray  # days it holds people it intercepted (at least 1)
    effort: np.ndarray  # multiplier on interception and apprehension (EU states' stance)
    remittances_pct_gdp: np.ndarray
    gdp_usd_bn: np.ndarray  # NaN where unknown
    eu_member: np.ndarray
    stance: np.ndarray  # [2, n] logit shifts of departure and readmission cooperation
    reservation: np.ndarray  # [2, n] the states' own shifts (dated changes)
    defected: np.ndarray  # bool: the partner has defected
    offered: np.ndarray  # bool: the EU has made the state offers (it is a partner)
    months_below: np.ndarray  # reviews in a row with the balance below -threshold
    months_above: np.ndarray  # reviews in a row with a positive balance (while defected)
    friction_habit: (
        np.ndarray
    )  # persons a month pushed back or expelled it is used to (NaN: none yet)
    # The shifted rates of the last days, by their inputs' values (:meth:`shifted`; a few:
    # interception, fences, cooperation).
    _shifted: ValueMemo = field(
        default_factory=lambda: ValueMemo(size=16), repr=False, compare=False
    )

    @classmethod
    def from_parameters(cls, params: Parameters, network: Network) -> Conduct:
        """Baseline conduct: rates from the parameters, remittances and GDP from
        ``states.csv``; stances at 0 (the 2023 conduct)."""
        n = len(network.state_ids)
        return cls(
            interception=params.interception_rate.copy(),
            apprehension=params.apprehension_rate.copy(),
            pushback=params.pushback_probability.copy(),
            fence_pushback=params.fence_pushback_probability.copy(),
            fence_interception=params.fence_interception_rate.copy(),
            cooperation=params.readmission_cooperation.copy(),
            detention_days=np.maximum(params.detention_days, 1).astype(np.int32),
            effort=np.ones(n),
            remittances_pct_gdp=np.array(
                [float(s["remittances_pct_gdp"] or 0.0) for s in network.states]
            ),
            gdp_usd_bn=np.array([float(s["gdp_usd_bn"]) for s in network.states]),
            eu_member=np.array([bool(s["eu_member"]) for s in network.states]),
            stance=np.zeros((2, n)),
            reservation=np.zeros((2, n)),
            defected=np.zeros(n, dtype=bool),
            offered=np.zeros(n, dtype=bool),
            months_below=np.zeros(n, dtype=np.int64),
            months_above=np.zeros(n, dtype=np.int64),
            friction_habit=np.full(n, np.nan),
        )

    def shifted(self, baseline: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """:func:`shifted_rate`, read-only, and the same array again while ``baseline`` and
        ``shift`` hold the same values (the rules ask every day; stances move monthly)."""
        return self._shifted.get((baseline, shift), lambda: shifted_rate(baseline, shift))

    def interception_today(self) -> np.ndarray:
        """Each state's interception rate with its stance on departures and its effort."""
        return self.shifted(self.interception, self.stance[DEPARTURES]) * self.effort

    def fence_interception_today(self) -> np.ndarray:
        """Each state's rate of stopping people before an EU fence, with its departure stance."""
        return self.shifted(self.fence_interception, self.stance[DEPARTURES]) * self.effort

    def cooperation_today(self) -> np.ndarray:
        """Each state's share of return orders accepted, with its stance on readmission."""
        return self.shifted(self.cooperation, self.stance[READMISSION])

    def departure_factor(self) -> np.ndarray:
        """How a state's stance on departures scales its policing (interception today over its
        baseline; 1 without a stance), which its smuggler arrests follow too."""
        base = np.maximum(self.interception, 1e-12)
        return np.where(
            self.stance[DEPARTURES] == 0.0,
            1.0,
            shifted_rate(self.interception, self.stance[DEPARTURES]) / base,
        )


def _conduct_property(field: str, doc: str, row: int | None = None) -> property:
    def get(self: State) -> float:
        array = getattr(self.conduct, field)
        return (array[self.index] if row is None else array[row, self.index]).item()

    def set_(self: State, value: float) -> None:
        array = getattr(self.conduct, field)
        if row is None:
            array[self.index] = value
        else:
            array[row, self.index] = value

    return property(get, set_, doc=doc)


class State(mesa.Agent):
    """A country: origin, transit, or EU member at the border.

    Its conduct lives in ``conduct`` at ``index``; the properties below read and write it.
    """

    interception_rate = _conduct_property(
        "interception", "Baseline P(its coast guard or police stop and take back a crossing)."
    )
    apprehension_rate = _conduct_property(
        "apprehension", "P(its border guards apprehend a person entering the EU over its border)."
    )
    pushback_probability = _conduct_property(
        "pushback", "P(a person it apprehends is expelled without procedure)."
    )
    fence_pushback_probability = _conduct_property(
        "fence_pushback", "P(a person it catches at one of its border fences is turned back)."
    )
    fence_interception_rate = _conduct_property(
        "fence_interception", "Baseline P(its forces stop people before they reach an EU fence)."
    )
    readmission_cooperation = _conduct_property(
        "cooperation", "Baseline share of return orders to its nationals that it accepts."
    )
    detention_days = _conduct_property("detention_days", "Days it holds people it intercepted.")
    effort = _conduct_property("effort", "Multiplier on its interception and apprehension.")
    remittances_pct_gdp = _conduct_property(
        "remittances_pct_gdp", "Remittances received, % of GDP (states.csv)."
    )
    departure_stance = _conduct_property(
        "stance", "Its stance on departures: logit shift of its interception rate.", DEPARTURES
    )
    readmission_stance = _conduct_property(
        "stance", "Its stance on readmission: logit shift of its cooperation.", READMISSION
    )
    defected = _conduct_property("defected", "Whether it has defected from a bargain.")

    def __init__(
        self, model: mesa.Model, index: int, code: str, name: str, eu_member: bool, conduct: Conduct
    ) -> None:
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.eu_member = eu_member
        self.conduct = conduct
        self.arrivals_history: list[float] = []  # persons arriving over its legs, per month

    def __repr__(self) -> str:
        return f"<State {self.code}>"

    @property
    def interception_today(self) -> float:
        """Its interception rate today, with its stance and effort."""
        return float(self.conduct.interception_today()[self.index])

    @property
    def readmission_cooperation_today(self) -> float:
        """Its share of return orders accepted today, with its stance."""
        return float(self.conduct.cooperation_today()[self.index])

    def update_stance(self, arrivals_this_month: float, response: float) -> None:
        """An EU border state reacts to pressure: more arrivals than the running average ->
        more effort. (Non-EU states bargain instead: :meth:`EuropeanUnion.review_month`.)"""
        history = self.arrivals_history
        if self.eu_member and history and response > 0:
            reference = float(np.mean(history))
            if reference > 0:
                pressure = arrivals_this_month / reference - 1.0
                self.effort = float(np.clip(1.0 + response * pressure, *EFFORT_RANGE))
        history.append(arrivals_this_month)


def review_partners(conduct: Conduct, inputs: StanceInputs, p: StanceParameters) -> None:
    """One monthly review of every non-EU state's stance (see :mod:`sim.agents.stance`).

    Friction is what exceeds the state's habit (which then moves toward this month's count);
    offers mark the state as a partner; a partner whose balance stays below the threshold for
    ``defection_months`` reviews defects, and re-engages after as many positive reviews.
    """
    partner = ~conduct.eu_member
    persons = inputs.friction_persons
    habit = np.where(np.isnan(conduct.friction_habit), persons, conduct.friction_habit)
    friction = friction_effect(np.maximum(persons - habit, 0.0), p)
    conduct.friction_habit = habit + p.friction_habituation * (persons - habit)
    value = offer_value(inputs, conduct.gdp_usd_bn, p)
    conduct.offered |= value.sum(axis=0) > 0
    gain = balance(value, inputs.article_25a, friction, p)
    below = conduct.offered & (gain < -p.defection_threshold)
    conduct.months_below = np.where(below, conduct.months_below + 1, 0)
    conduct.months_above = np.where(gain > 0, conduct.months_above + 1, 0)
    conduct.defected = np.where(
        conduct.defected,
        conduct.months_above < p.defection_months,
        conduct.months_below >= p.defection_months,
    )
    targets = stance_targets(
        value,
        inputs.article_25a,
        readmission_damping(conduct.remittances_pct_gdp, p),
        friction,
        conduct.reservation,
        conduct.defected,
        p,
    )
    moved = conduct.stance + p.adjustment * (targets - conduct.stance)
    conduct.stance = np.where(partner, moved, 0.0)


class EuropeanUnion(mesa.Agent):
    """The EU as a collective actor: it carries out returns within its capacity, and each month
    hands its border states the arrivals over their legs, to which they respond, and its
    partners what it offers and how it presses them, to which they respond."""

    def __init__(self, model: mesa.Model, return_capacity_per_day: float) -> None:
        super().__init__(model)
        self.return_capacity_per_day = return_capacity_per_day

    def review_month(
        self,
        states: list[State],
        arrivals_by_state: np.ndarray,
        response: float,
        partners: tuple[StanceInputs, StanceParameters] | None = None,
    ) -> None:
        """Monthly: every EU state responds to the persons who arrived over its legs; every
        other state reviews its stance on what it is offered and pressed with (``partners``:
        this month's inputs and the stance parameters)."""
        for state in states:
            state.update_stance(float(arrivals_by_state[state.index]), response)
        if partners is not None and states:
            review_partners(states[0].conduct, *partners)


def build_states(model: mesa.Model, network: Network, params: Parameters):
    """The state agents (in ``network.state_ids`` order) sharing one :class:`Conduct`, and
    the EU agent."""
    conduct = Conduct.from_parameters(params, network)
    states = [
        State(model, k, s["id"], s["name"], bool(s["eu_member"]), conduct)
        for k, s in enumerate(network.states)
    ]
    return states, EuropeanUnion(model, params.return_capacity_per_day)


def stance_parameters(params: Parameters) -> StanceParameters:
    """The partner states' stance parameters from the model's parameters."""
    return StanceParameters(
        adjustment=params.stance_adjustment,
        payment_weight=params.stance_payment_weight,
        payment_reference_pct_gdp=params.stance_payment_reference_pct_gdp,
        visa_weight=params.stance_visa_weight,
        pathway_weight=params.stance_pathway_weight,
        pathway_reference=params.stance_pathway_reference,
        article_25a_weight=params.stance_article_25a_weight,
        article_25a_resentment=params.stance_article_25a_resentment,
        remittance_half=params.stance_remittance_half_pct_gdp,
        friction_weight=params.stance_friction_weight,
        friction_reference=params.stance_friction_reference,
        friction_habituation=params.stance_friction_habituation,
        defection_threshold=params.defection_threshold,
        defection_months=params.defection_months,
        defection_shift=params.defection_shift,
    )
