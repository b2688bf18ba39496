"""What the model's components see of the model: :class:`World`.

The components of :class:`sim.model.model.MigrationModel` (origins, travel, asylum and returns,
beliefs) each own their state and their stages of the day, and reach the rest of the model only
through this interface: what policies see (:class:`sim.policies.base.PolicyContext`), plus the
parameters, the random draws, the smuggling market, the other components and the stage helpers
they share.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from sim.agents.smugglers import SmugglingMarket
from sim.agents.states import EuropeanUnion
from sim.config.parameters import Parameters
from sim.outputs.admissions import LegalAdmissions
from sim.policies.base import PolicyContext
from sim.rules.rates import LegRates, Modifiers


class World(PolicyContext, Protocol):
    """The model as its components see it (see :class:`sim.model.model.MigrationModel`)."""

    @property
    def params(self) -> Parameters:
        """Every parameter, typed."""

    @property
    def eu(self) -> EuropeanUnion:
        """The EU agent."""

    @property
    def market(self) -> SmugglingMarket:
        """The smugglers' seats, prices and craft."""

    @property
    def admissions(self) -> LegalAdmissions:
        """The tally of legal admissions."""

    @property
    def leg_flows(self) -> np.ndarray:
        """Persons who crossed each leg so far."""

    @property
    def month_friction(self) -> np.ndarray:
        """Agents pushed back or expelled into each state this month (its stance reads it)."""

    @property
    def month_leg_arrivals(self) -> np.ndarray:
        """Agents who entered the EU over each leg this month (EU border states' effort)."""

    @property
    def month_starts(self) -> bool:
        """Whether today begins a new month (the monthly stages run)."""

    @property
    def adapting(self) -> bool:
        """Whether smugglers and states adapt today (not while the warm-up fills the routes)."""

    @property
    def beliefs(self) -> Any:
        """The :class:`sim.model.beliefs.Beliefs` component."""

    @property
    def origins(self) -> Any:
        """The :class:`sim.model.origins.Origins` component."""

    def draws(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for process ``name`` today (common random numbers)."""

    def leg_prices(self) -> np.ndarray:
        """Today's price of each leg (smugglers' or fare; inf where nobody sells a seat)."""

    def failure_rates(self) -> np.ndarray:
        """Chance a crossing of each leg ends in pullback, refusal or pushback, today."""

    def compile_rates(self, mods: Modifiers | None = None) -> LegRates:
        """Per-leg rates from the states' conduct and today's modifiers (or ``mods``)."""

    @property
    def news(self) -> Any:
        """The :class:`sim.model.news.HomeNews` component."""

    @property
    def seasons(self) -> Any:
        """The :class:`sim.model.seasons.SeaConditions` component."""

    @property
    def travel(self) -> Any:
        """The :class:`sim.model.travel.Travel` component."""

    @property
    def seats(self) -> Any:
        """The :class:`sim.model.seats.SeatQueue` component."""

    @property
    def settlement(self) -> Any:
        """The :class:`sim.model.settlement.Settlement` component."""

    @property
    def wage(self) -> np.ndarray:
        """What a person of earning power 1 saves a day at each place (EUR)."""

    @property
    def live(self) -> np.ndarray:
        """Rows of people with a future event (refreshed monthly; may hold some who ended)."""

    def send_home(self, ids: np.ndarray, status: int, metric: str | None) -> None:
        """People who go back to their origin (giving up, or returned)."""
