"""The runtime side of a policy: the small lifecycle every lever shares.

A scenario's policy block is validated into its lever's ``Config``; :func:`build_policies`
(``sim/policies/__init__.py``) turns each enabled block into that lever's ``Policy``, a subclass
of :class:`PolicyBase`. The model then calls, in the documented day order (``docs/model.md``):

- ``setup(model)`` once, before day 0: work out the legs, places and states the block concerns
  as index arrays, so that acting each day is a handful of vectorised assignments;
- ``active_on(date)`` every day: whether the block acts today (its ``start``..``end`` window);
- ``apply(model)`` on active days, after the day's modifiers (``sim/states.py: Modifiers``) are
  reset: the lever turns its knobs;
- ``screen(model, deciding_ids) -> remaining_ids`` (only levers that take people off the
  irregular routes: Safe Mobility Offices, legal pathways) on active days, before people decide.

Randomness comes only from the policy's own stream, ``model.stream("policy:<type>:<id or
index>")``, so that adding a policy shifts no other draws (common random numbers).

The helpers below pick legs, places and nationalities from the network by the ids a block gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np

from sim.network import MODES, NO_ROUTE, ROUTES, Network


class PolicyBase:
    """One policy block at run time: its config, active window, random stream and spending.

    Subclasses override :meth:`prepare` (once, with the model) and :meth:`apply` (each active
    day); those that take applicants also define ``screen``.
    """

    def __init__(self, config: Any, network: Network, index: int = 0) -> None:
        self.config = config
        self.network = network
        self.index = index
        label = config.id if config.id is not None else index
        self.stream_name = f"policy:{config.type}:{label}"
        self.first_day = 0
        self.last_day = 0
        self.spent_eur = 0.0  # EUR states paid for this block so far (whole population)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.Policy {self.stream_name}>"

    # ----------------------------------------------------------------- lifecycle
    def setup(self, model: Any) -> None:
        """Fix the active window in run days, then let the lever prepare its arrays."""
        start = self.config.start or model.start_date
        end = self.config.end or model.start_date + dt.timedelta(days=model.days - 1)
        self.first_day = (start - model.start_date).days
        self.last_day = (end - model.start_date).days
        self.prepare(model)

    def prepare(self, model: Any) -> None:
        """Work out what the block concerns (index arrays); nothing by default."""

    def active_on(self, day: dt.date) -> bool:
        """Whether the block acts on ``day`` (enabled, and inside its ``start``..``end``)."""
        return self.config.active_on(day)

    def apply(self, model: Any) -> None:
        """Turn today's modifiers; nothing by default."""

    # ----------------------------------------------------------------- shared helpers
    def rng(self, model: Any) -> np.random.Generator:
        """This policy's own random stream."""
        return model.stream(self.stream_name)

    @property
    def active_days(self) -> int:
        """Days in the active window within the run."""
        return max(self.last_day - self.first_day + 1, 1)

    def days_in_force(self, model: Any) -> int:
        """Days since the block started acting, counting today as day 1."""
        return model.day - self.first_day + 1

    def ramp(self, model: Any, days: int) -> float:
        """Share of the full effect reached today when it builds up linearly over ``days``."""
        if days <= 0:
            return 1.0
        return float(np.clip(self.days_in_force(model) / days, 0.0, 1.0))

    def record_spending(self, model: Any, total_eur: float, route_slots: np.ndarray) -> None:
        """Count today's share of ``total_eur`` (spread evenly over the active window) as state
        spending, split evenly over ``route_slots`` (``NO_ROUTE`` counts only in ``all``)."""
        if total_eur <= 0:
            return
        today = total_eur / self.active_days
        slots = np.unique(route_slots) if len(route_slots) else np.array([NO_ROUTE])
        for slot in slots:
            # Flows are kept in agent units and divided by the scale in the tables.
            model.outcomes.add_total(
                "state_spending_eur", int(slot), today / len(slots) * model.scale
            )
        self.spent_eur += today


# --------------------------------------------------------------------------- selections
def state_indices(network: Network, states: Iterable[str]) -> np.ndarray:
    """Indices of ``states`` in ``network.state_ids``."""
    return np.array([network.state_index[s] for s in states], dtype=np.int64)


def place_indices(network: Network, places: Iterable[str]) -> np.ndarray:
    """Indices of ``places`` in ``network.place_ids``."""
    return np.array([network.place_index[p] for p in places], dtype=np.int64)


def places_in_states(network: Network, states: Iterable[str]) -> np.ndarray:
    """Indices of every place located in one of ``states``."""
    wanted = state_indices(network, states)
    return np.flatnonzero(np.isin(network.compiled.place_state, wanted))


def leg_mask(network: Network, legs: Iterable[str]) -> np.ndarray:
    """Boolean mask over compiled legs: True for the legs named."""
    mask = np.zeros(network.compiled.n_legs, dtype=bool)
    mask[[network.leg_index[leg] for leg in legs]] = True
    return mask


def legs_controlled_by(network: Network, states: Iterable[str]) -> np.ndarray:
    """Boolean mask over compiled legs: True where any of ``states`` is among the leg's
    ``controlled_by`` states (the full list, not only the first EU or non-EU one)."""
    wanted = set(states)
    return np.array([bool(wanted & set(leg["controlled_by"])) for leg in network.legs])


def legs_out_of(network: Network, places: np.ndarray) -> np.ndarray:
    """Boolean mask over compiled legs: True for legs leaving one of ``places`` (indices)."""
    return np.isin(network.compiled.leg_source, places)


def sea_legs_of_routes(network: Network, routes: Iterable[str]) -> np.ndarray:
    """Boolean mask over compiled legs: sea legs counted for one of ``routes``."""
    c = network.compiled
    wanted = [ROUTES.index(r) for r in routes]
    return (c.leg_mode == MODES.index("sea")) & np.isin(c.leg_route, wanted)


def scheduled_air_legs_into(network: Network, state: str) -> np.ndarray:
    """Boolean mask: scheduled (not smuggled) flights across a border into ``state``."""
    c = network.compiled
    into = c.place_state[c.leg_target] == network.state_index[state]
    return (c.leg_mode == MODES.index("air")) & c.leg_border & ~c.leg_smuggled & into


def nationality_mask(network: Network, selection: Iterable[str]) -> np.ndarray:
    """Boolean mask over ``network.nationalities``; ``["all"]`` selects every one."""
    selection = list(selection)
    if selection == ["all"]:
        return np.ones(len(network.nationalities), dtype=bool)
    return np.isin(np.array(network.nationalities), selection)


def route_slots_of_legs(model: Any, legs: np.ndarray) -> np.ndarray:
    """The route slots of the legs in a boolean mask (for attributing spending)."""
    return np.unique(model.leg_route_slot[legs])
