"""The model the view shows: a scenario with the levers applied, stepped one day at a time.

Mesa's SolaraViz rebuilds its model from keyword arguments when Reset is pressed
(``type(model)(**values of the controls)``). :class:`ViewModel` is that model: its keywords
are the scenario, the replication, the scale and the levers of :mod:`sim.viz.levers`, and it
builds the real :class:`~sim.model.model.MigrationModel` the one way models are built
(:func:`sim.scenario.build.build_model`), from the scenario with the levers' policy blocks
validated like a file. Like a run, it first simulates the scenario's warm-up
(``warmup_days`` before the start date, a year in scenarios/teaching.yaml), so that a class
starts on day 0 with people already on the routes, in line for seats and settled in transit
countries; the warm-up of the teaching scenario takes about a second at its scale. It adds only
what the view draws and the model does not keep: the crossings of each leg over the last week.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.population import STRANDED_STATUSES, Status
from sim.errors import UserError
from sim.execution.runner import replication_seeds
from sim.model.model import MigrationModel
from sim.network import ROUTES, load_network
from sim.outputs.counters import ROUTE_LABELS
from sim.scenario.build import build_model
from sim.scenario.loading import Scenario
from sim.viz.levers import LEVER_NAMES, Levers, scenario_with_levers

#: Days over which the map's leg flows are counted.
FLOW_WINDOW_DAYS = 7
#: Replications a class can choose from (seeds 1..N of ``run``'s replication seeds).
MAX_REPLICATIONS = 20
#: Statuses of people the map counts at a place: on their way and not travelling a leg
#: (deciding, in transit, working, detained, applying to an office or in line for a seat).
WAITING_STATUSES = (Status.AT_ORIGIN, *STRANDED_STATUSES)


@dataclass(frozen=True)
class RouteSeries:
    """Per-route daily series the charts draw, in persons, for the days run so far."""

    dates: list[dt.date]
    arrivals: np.ndarray  # cumulative entries into the EU, days x routes
    dead_missing: np.ndarray  # cumulative, days x routes
    stranded: np.ndarray  # people stranded in transit countries, days x routes


class ViewModel(mesa.Model):
    """One scenario, one replication, the view's levers: the model a class steps through.

    ``scenario`` is a loaded scenario; ``replication`` (1 to :data:`MAX_REPLICATIONS`) picks
    the seed the same way ``run`` does (the k-th of the scenario's replication seeds), so
    replication 1 of the view is seed 1 of ``run``'s tables; ``scale`` defaults to the
    scenario's. The other keywords are the levers (:class:`~sim.viz.levers.Levers`), which act
    in the warm-up too (as policies in force on the start date do in a run). The model is
    built with its warm-up simulated: it stands at day 0.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        replication: int = 1,
        scale: float | None = None,
        **kwargs: object,  # the levers; Mesa's SolaraViz accepts extra keywords by this name
    ) -> None:
        if scenario is None:
            raise UserError("the view needs a scenario (e.g. scenarios/teaching.yaml)")
        if not 1 <= int(replication) <= MAX_REPLICATIONS:
            raise UserError(f"replication must be 1 to {MAX_REPLICATIONS}, got {replication}")
        seed = replication_seeds(scenario.seed, int(replication))[-1]
        super().__init__(rng=seed)
        unknown = sorted(set(kwargs) - set(LEVER_NAMES))
        if unknown:
            raise UserError(f"unknown levers {unknown}; the levers are {list(LEVER_NAMES)}")
        self.levers = Levers(**kwargs)  # type: ignore[arg-type]
        network = load_network(scenario.network_overrides() or None)
        self.scenario = scenario_with_levers(scenario, self.levers, network)
        self.replication, self.seed = int(replication), seed
        self.simulation: MigrationModel = build_model(self.scenario, seed, scale=scale)
        # Each day's crossings per leg: the model's leg_flows count from day 0, so the map of
        # day 0 shows the warm-up's last week from these.
        self.recent_flows: deque[np.ndarray] = deque(maxlen=FLOW_WINDOW_DAYS)
        while self.simulation.day < 0:
            self._step_and_count()
        self.running = self.simulation.day < self.simulation.days

    @property
    def day(self) -> int:
        """Days simulated so far."""
        return self.simulation.day

    @property
    def date(self) -> dt.date:
        """The date of the next day to simulate."""
        return self.simulation.date

    def step(self) -> None:
        """Simulate one day."""
        self._step_and_count()
        self.running = self.simulation.day < self.simulation.days

    def _step_and_count(self) -> None:
        sim = self.simulation
        before = np.zeros_like(sim.leg_flows) if sim.day == 0 else sim.leg_flows.copy()
        sim.step()
        self.recent_flows.append(sim.leg_flows - before)

    def people_at_places(self) -> np.ndarray:
        """Persons on their way at each place (deciding, waiting, working, detained or applying
        to an office), in the compiled network's place order."""
        sim = self.simulation
        pop = sim.population
        waiting = np.isin(pop.status, np.array(WAITING_STATUSES, dtype=np.int8))
        counts = np.bincount(pop.place[waiting], minlength=sim.net.compiled.n_places)
        return counts / sim.scale

    def people_on_legs(self) -> np.ndarray:
        """Persons travelling each leg now."""
        sim = self.simulation
        pop = sim.population
        on_leg = pop.status == Status.ON_LEG
        return np.bincount(pop.leg[on_leg], minlength=sim.net.compiled.n_legs) / sim.scale

    def recent_leg_flows(self) -> np.ndarray:
        """Persons who finished crossing each leg over the last :data:`FLOW_WINDOW_DAYS` days
        (on day 0, the warm-up's last week)."""
        return np.sum(self.recent_flows, axis=0) if self.recent_flows else self._no_flows()

    def _no_flows(self) -> np.ndarray:
        return np.zeros_like(self.simulation.leg_flows)

    def route_series(self) -> RouteSeries:
        """Arrivals and deaths (cumulative) and people stranded, per route, day by day."""
        sim = self.simulation
        days = sim.day
        table = sim.outcomes.daily_table()
        routes = [ROUTE_LABELS.index(r) for r in ROUTES]
        return RouteSeries(
            dates=[sim.start_date + dt.timedelta(days=d) for d in range(days)],
            arrivals=np.cumsum(table["arrivals"][:days, routes], axis=0),
            dead_missing=np.cumsum(table["dead_missing"][:days, routes], axis=0),
            stranded=table["stranded"][:days, routes],
        )

    def totals(self) -> dict[str, float]:
        """Headline numbers so far (persons): people setting out, arrivals, dead and missing,
        legal admissions, returns, assisted voluntary returns and people expelled from transit
        countries, and people stranded, settled and travelling a leg now, over all routes."""
        table = self.simulation.outcomes.daily_table()
        days, every = self.simulation.day, ROUTE_LABELS.index("all")
        totals = {
            m: float(table[m][:days, every].sum())
            for m in (
                "departures",
                "arrivals",
                "dead_missing",
                "legal_admissions",
                "returns",
                "voluntary_returns",
                "expelled",
            )
        }
        totals["stranded"] = self.stranded_now()
        totals["settled"] = self.settled_now()
        totals["on_legs"] = float(self.people_on_legs().sum())
        return totals

    def stranded_now(self) -> float:
        """Persons stranded in transit countries now (the model's ``stranded`` stock, which
        it records at the end of each day; counted here on day 0 too)."""
        sim = self.simulation
        pop, c = sim.population, sim.net.compiled
        stranded = np.isin(pop.status, np.array(STRANDED_STATUSES, dtype=np.int8))
        return float(c.place_is_transit[pop.place[stranded]].sum()) / sim.scale

    def settled_now(self) -> float:
        """Persons settled in transit countries now (living and working there, not moving on
        for now; the model's ``settled`` stock)."""
        sim = self.simulation
        pop, c = sim.population, sim.net.compiled
        settled = pop.status == Status.SETTLED
        return float(c.place_is_transit[pop.place[settled]].sum()) / sim.scale
