"""States and the EU: the source of truth for how borders, coasts and returns are handled.

Each country is a :class:`State` (``mesa.Agent``): how often its coast guard or border police
stop people on the legs it controls (``interception_rate``, ``apprehension_rate``), whether it
pushes people back (``pushback_probability``), how readily it takes back its nationals
(``readmission_cooperation``), how long it detains people it intercepts (``detention_days``),
how hard it currently tries (``effort``, set by its stance) and how much its economy depends on
remittances. The EU is one more agent, :class:`EuropeanUnion`, holding what is decided
collectively: the capacity to carry out returns.

The vectorised rules see the states' conduct as arrays over state indices, held in one
:class:`Conduct`; every ``State`` property reads and writes its own entry of those arrays, so
changing a state agent changes what happens on its legs, and nothing keeps a second copy.

An EU border state adjusts its stance monthly: facing more arrivals on its legs than its running
average, it steps up its effort (``enforcement_response``), within ``EFFORT_RANGE``. Policies
(``sim/policies``) change conduct further from outside, through the day's modifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.config.parameters import Parameters
from sim.network import Network

#: Lowest and highest effort a state's stance can reach (multiplier on its baseline rates).
EFFORT_RANGE = (0.5, 2.0)


@dataclass
class Conduct:
    """The states' conduct as arrays over state indices (what the vectorised rules read)."""

    interception: np.ndarray  # P(a transit state's coast guard or police stops a crossing)
    apprehension: np.ndarray  # P(an EU border state apprehends a person crossing)
    pushback: np.ndarray  # P(an apprehended person is expelled without procedure)
    cooperation: np.ndarray  # share of return orders to its nationals it accepts
    detention_days: np.ndarray  # days it holds people it intercepted (at least 1)
    effort: np.ndarray  # multiplier on interception and apprehension, set by its stance
    remittances_pct_gdp: np.ndarray

    @classmethod
    def from_parameters(cls, params: Parameters, network: Network) -> Conduct:
        """Baseline conduct: rates from the parameters, remittances from ``states.csv``."""
        return cls(
            interception=params.interception_rate.copy(),
            apprehension=params.apprehension_rate.copy(),
            pushback=params.pushback_probability.copy(),
            cooperation=params.readmission_cooperation.copy(),
            detention_days=np.maximum(params.detention_days, 1).astype(np.int32),
            effort=np.ones(len(network.state_ids)),
            remittances_pct_gdp=np.array(
                [float(s["remittances_pct_gdp"] or 0.0) for s in network.states]
            ),
        )


def _conduct_property(field: str, doc: str) -> property:
    def get(self: State) -> float:
        return getattr(self.conduct, field)[self.index].item()

    def set_(self: State, value: float) -> None:
        getattr(self.conduct, field)[self.index] = value

    return property(get, set_, doc=doc)


class State(mesa.Agent):
    """A country: origin, transit, or EU member at the border.

    Its conduct lives in ``conduct`` at ``index``; the properties below read and write it.
    """

    interception_rate = _conduct_property(
        "interception", "P(its coast guard or police stop and take back a person crossing)."
    )
    apprehension_rate = _conduct_property(
        "apprehension", "P(its border guards apprehend a person entering the EU over its border)."
    )
    pushback_probability = _conduct_property(
        "pushback", "P(a person it apprehends is expelled without procedure)."
    )
    readmission_cooperation = _conduct_property(
        "cooperation", "Share of return orders to its nationals that it accepts."
    )
    detention_days = _conduct_property("detention_days", "Days it holds people it intercepted.")
    effort = _conduct_property("effort", "Multiplier on its interception and apprehension.")
    remittances_pct_gdp = _conduct_property(
        "remittances_pct_gdp", "Remittances received, % of GDP (states.csv)."
    )

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

    def update_stance(self, arrivals_this_month: float, response: float) -> None:
        """React to pressure: more arrivals than the running average -> more effort."""
        history = self.arrivals_history
        if self.eu_member and history and response > 0:
            reference = float(np.mean(history))
            if reference > 0:
                pressure = arrivals_this_month / reference - 1.0
                self.effort = float(np.clip(1.0 + response * pressure, *EFFORT_RANGE))
        history.append(arrivals_this_month)


class EuropeanUnion(mesa.Agent):
    """The EU as a collective actor: it carries out returns within its capacity, and each month
    hands its border states the arrivals over their legs, to which they respond."""

    def __init__(self, model: mesa.Model, return_capacity_per_day: float) -> None:
        super().__init__(model)
        self.return_capacity_per_day = return_capacity_per_day

    def review_month(self, states: list[State], arrivals_by_state: np.ndarray, response: float):
        """Monthly: every state responds to the persons who arrived over its legs."""
        for state in states:
            state.update_stance(float(arrivals_by_state[state.index]), response)


def build_states(model: mesa.Model, network: Network, params: Parameters):
    """The state agents (in ``network.state_ids`` order) sharing one :class:`Conduct`, and
    the EU agent."""
    conduct = Conduct.from_parameters(params, network)
    states = [
        State(model, k, s["id"], s["name"], bool(s["eu_member"]), conduct)
        for k, s in enumerate(network.states)
    ]
    return states, EuropeanUnion(model, params.return_capacity_per_day)
