"""The runtime side of a policy: the contract every lever implements, and what it may touch.

A scenario's policy block is validated into its lever's ``Config`` (:mod:`sim.policies.config`);
:func:`sim.policies.build_policies` turns each enabled block into that lever's ``Policy``, a
subclass of :class:`PolicyBase`. The model calls every hook on every policy, in the documented
day order (``docs/model.md``); a lever overrides only the hooks it needs:

- :meth:`PolicyBase.setup` once, before the first day simulated: fixes the active window in run
  days (a block in force on ``start_date`` also acts through the warm-up before it), then calls
  :meth:`PolicyBase.prepare`, where a lever works out the legs, places and states it concerns as
  index arrays, so that acting each day is a handful of vectorised assignments;
- :meth:`PolicyBase.active_on` every day: whether the block acts today;
- :meth:`PolicyBase.apply` on active days, after the day's modifiers are reset: the lever turns
  its knobs (:class:`sim.rules.rates.Modifiers`);
- :meth:`PolicyBase.screen` on active days, before people decide: levers that take people off
  the irregular routes (Safe Mobility Offices, legal pathways) take their applicants out of
  those deciding and return the others;
- :meth:`PolicyBase.police` once, before the first day, for blocks in force since before
  the network's data were observed (``DATA_DATE``, the start of 2023) and still on
  ``start_date``: levers that police crossings (departure prevention, border enforcement) set
  their interception on a scratch set of modifiers, so that smugglers price enforcement against
  the conditions the data's prices were observed under, not against the states' rates alone.

What a policy may read and change is :class:`PolicyContext`, the part of the model a lever
sees. Its randomness is named after the block (``policy:<type>:<id or index>``, see
:attr:`PolicyBase.stream_name`): per person through ``context.draws``/``context.trait``, the rest
from its own stream, so that adding a policy shifts no other draws (common random numbers).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sim.agents.population import Population
from sim.network import DATA_DATE, NO_ROUTE, Network
from sim.rules.rates import LegRates, Modifiers

if TYPE_CHECKING:  # annotations only: checking a scenario need not load Mesa or pandas
    from sim.agents.states import Conduct, State
    from sim.outputs.counters import Outcomes


class PolicyContext(Protocol):
    """What a policy sees of the model: read the day, the network and the people; change the
    day's modifiers, move people to a legal pathway, count spending."""

    @property
    def day(self) -> int:
        """Today's index (0 is the scenario's ``start_date``)."""

    @property
    def days(self) -> int:
        """Days in the run."""

    @property
    def scale(self) -> float:
        """Agents per person."""

    @property
    def start_date(self) -> dt.date:
        """The date of day 0."""

    @property
    def warmup_days(self) -> int:
        """Days simulated before day 0 (days ``-warmup_days..-1``), under the conditions of
        ``start_date``."""

    @property
    def net(self) -> Network:
        """The route network with its compiled arrays and geography."""

    @property
    def population(self) -> Population:
        """The people, as arrays (read; change only through :meth:`admit_legally`)."""

    @property
    def modifiers(self) -> Modifiers:
        """Today's knobs, reset to neutral before the policies act."""

    @property
    def rates(self) -> LegRates:
        """Yesterday's per-leg rates (today's are compiled after the policies act)."""

    @property
    def conduct(self) -> Conduct:
        """The states' conduct as arrays (the :class:`State` agents' own values)."""

    @property
    def states(self) -> list[State]:
        """The state agents, in ``net.state_ids`` order."""

    @property
    def outcomes(self) -> Outcomes:
        """The run's counters (policies add their spending)."""

    @property
    def leg_baseline_rescue(self) -> np.ndarray:
        """The baseline share of people in distress who are rescued, per leg."""

    def stream(self, name: str) -> np.random.Generator:
        """The random stream of one process that is not per person (e.g. a daily quota)."""

    def draws(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for process ``name`` today (common random numbers)."""

    def trait(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for a lasting attribute ``name``."""

    def admit_legally(self, ids: np.ndarray, pathway: str, block: str) -> None:
        """People ``ids`` travel legally on ``pathway``, admitted by the policy ``block``."""

    def return_voluntarily(self, ids: np.ndarray, support: float, cost_eur: float) -> None:
        """People ``ids`` go home with assisted voluntary return, with reintegration
        ``support`` (0..1), at ``cost_eur`` each to states."""


class PolicyBase:
    """One policy block at run time: its config, active window, random stream and spending."""

    def __init__(self, config: Any, network: Network, index: int = 0) -> None:
        self.config = config
        self.network = network
        self.index = index
        label = config.id if config.id is not None else index
        self.stream_name = f"policy:{config.type}:{label}"
        self.first_day = 0
        self.last_day = 0
        self.acting_from = 0  # first day it acts: -warmup_days if in force on start_date
        self.in_the_data = False  # in force since before the network's data were observed
        self.spent_eur = 0.0  # EUR states paid for this block so far (whole population)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.Policy {self.stream_name}>"

    # ----------------------------------------------------------------- the contract
    def setup(self, context: PolicyContext) -> None:
        """Fix the active window in run days, then let the lever prepare its arrays. A block in
        force on ``start_date`` acts from the warm-up's first day (``acting_from``)."""
        start = self.config.start or context.start_date
        end = self.config.end or context.start_date + dt.timedelta(days=context.days - 1)
        self.first_day = (start - context.start_date).days
        self.last_day = (end - context.start_date).days
        in_force_at_start = self.config.active_on(context.start_date)
        self.acting_from = -context.warmup_days if in_force_at_start else self.first_day
        self.in_the_data = in_force_at_start and self.config.start is not None and start < DATA_DATE
        self.prepare(context)

    def prepare(self, context: PolicyContext) -> None:
        """Work out what the block concerns (index arrays); nothing by default."""

    def active_on(self, day: dt.date) -> bool:
        """Whether the block acts on ``day`` (enabled, and inside its ``start``..``end``)."""
        return self.config.active_on(day)

    def apply(self, context: PolicyContext) -> None:
        """Turn today's modifiers; nothing by default."""

    def police(self, mods: Modifiers) -> None:
        """Set this block's effect on interceptions (pullback) in ``mods``, and nothing else;
        nothing by default. Levers that police crossings override it and call it from
        :meth:`apply`; the model calls it alone for blocks in force since before the network's
        data (:attr:`in_the_data`) to work out the interception rates the data's prices
        reflect."""

    def screen(self, context: PolicyContext, deciding: np.ndarray) -> np.ndarray:
        """Take applicants out of the people ``deciding`` today; return the others (all of
        them by default)."""
        return deciding

    # ----------------------------------------------------------------- shared helpers
    def rng(self, context: PolicyContext) -> np.random.Generator:
        """This policy's own random stream."""
        return context.stream(self.stream_name)

    @property
    def active_days(self) -> int:
        """Days in the active window within the run."""
        return max(self.last_day - self.first_day + 1, 1)

    def days_in_force(self, context: PolicyContext) -> int:
        """Days since the block started acting, counting today as day 1."""
        return context.day - self.first_day + 1

    def ramp(self, context: PolicyContext, days: int) -> float:
        """Share of the full effect reached today when it builds up linearly over ``days``."""
        if days <= 0:
            return 1.0
        return float(np.clip(self.days_in_force(context) / days, 0.0, 1.0))

    def record_spending(
        self, context: PolicyContext, total_eur: float, route_slots: np.ndarray
    ) -> None:
        """Count today's share of ``total_eur`` (spread evenly over the active window) as state
        spending, split evenly over ``route_slots`` (``NO_ROUTE`` counts only in ``all``).
        Nothing is paid during the warm-up: it stands for the time before the run, which the
        block's budget does not cover (what is offered still acts)."""
        if total_eur <= 0 or context.day < 0:
            return
        today = total_eur / self.active_days
        slots = np.unique(route_slots) if len(route_slots) else np.array([NO_ROUTE])
        for slot in slots:
            # Flows are kept in agent units and divided by the scale in the tables.
            context.outcomes.add_total(
                "state_spending_eur", int(slot), today / len(slots) * context.scale
            )
        self.spent_eur += today
