"""The model the view shows: a scenario with the levers applied, stepped one day at a time.

Mesa's SolaraViz rebuilds its model from keyword arguments when Reset is pressed
(``type(model)(**values of the controls)``). :class:`ViewModel` is that model: its keywords
are the scenario, the replication, the scale and the levers of :mod:`sim.viz.levers`, and it
builds the real :class:`~sim.model.model.MigrationModel` the one way models are built
(:func:`sim.scenario.build.build_model`), from the scenario with the levers' policy blocks
validated like a file. It adds only what the view draws and the model does not keep: the
crossings of each leg over the last week.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.population import TRANSIT_STATUSES, Status
from sim.errors import UserError
from sim.execution.runner import replication_seeds
from sim.model.model import STRANDED_STATUSES, MigrationModel
from sim.network import ROUTES, load_network
from sim.outputs.counters import ROUTE_LABELS
from sim.scenario.build import build_model
from sim.scenario.loading import Scenario
from sim.viz.levers import LEVER_NAMES, Levers, scenario_with_levers

#: Days over which the map's leg flows are counted.
FLOW_WINDOW_DAYS = 7
#: Replications a class can choose from (seeds 1..N of ``run``'s replication seeds).
MAX_REPLICATIONS = 20
#: Statuses of people the map counts at a place: on their way and not travelling a leg.
WAITING_STATUSES = (Status.AT_ORIGIN, *TRANSIT_STATUSES)


@dataclass(frozen=True)
class RouteSeries:
    """Per-route daily series the charts draw, in persons, for the days run so far."""

    dates: list[dt.date]
    arrivals: np.ndarray  # cumulative detections, days x routes
    dead_missing: np.ndarray  # cumulative, days x routes
    stranded: np.ndarray  # people stranded in transit countries, days x routes


class ViewModel(mesa.Model):
    """One scenario, one replication, the view's levers: the model a class steps through.

    ``scenario`` is a loaded scenario; ``replication`` (1 to :data:`MAX_REPLICATIONS`) picks
    the seed the same way ``run`` does (the k-th of the scenario's replication seeds), so
    replication 1 of the view is seed 1 of ``run``'s tables; ``scale`` defaults to the
    scenario's. The other keywords are the levers (:class:`~sim.viz.levers.Levers`).
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
        self.recent_flows: deque[np.ndarray] = deque(maxlen=FLOW_WINDOW_DAYS + 1)
        self.recent_flows.append(self.simulation.leg_flows.copy())
        self.running = True

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
        self.simulation.step()
        self.recent_flows.append(self.simulation.leg_flows.copy())
        self.running = self.simulation.day < self.simulation.days

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
        """Persons who finished crossing each leg over the last :data:`FLOW_WINDOW_DAYS` days."""
        return self.recent_flows[-1] - self.recent_flows[0]

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
        """Headline numbers so far (persons): arrivals, dead and missing, legal admissions,
        returns, and people stranded and travelling a leg now, over all routes."""
        table = self.simulation.outcomes.daily_table()
        days, every = self.simulation.day, ROUTE_LABELS.index("all")
        totals = {
            m: float(table[m][:days, every].sum())
            for m in ("arrivals", "dead_missing", "legal_admissions", "returns")
        }
        totals["stranded"] = self.stranded_now()
        totals["on_legs"] = float(self.people_on_legs().sum())
        return totals

    def stranded_now(self) -> float:
        """Persons stranded in transit countries now (the model's ``stranded`` stock, which
        it records at the end of each day; counted here on day 0 too)."""
        sim = self.simulation
        pop, c = sim.population, sim.net.compiled
        stranded = np.isin(pop.status, np.array(STRANDED_STATUSES, dtype=np.int8))
        return float(c.place_is_transit[pop.place[stranded]].sum()) / sim.scale
