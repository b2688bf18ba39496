"""MigrationModel: the route network, the people on it, smugglers and states, day by day.

One step is one day. The day is the list of stages in :attr:`MigrationModel.stages`, which
reads as the documented day (``docs/model.md``) and is the one list the benchmark times:

0. the year's dated changes due today are applied (``sim/data/changes.csv``);
1. states review their stance (monthly: the EU hands each border state its arrivals, and each
   partner what it offers and presses it with);
2. policies act (they set today's modifiers), and today's leg rates are compiled;
3. new people set out from origins;
4. the people due today are found;
5. Safe Mobility Offices and legal pathways take their applicants;
6. the others decide: give up, wait, work, or choose a leg and buy a seat;
7. legs ending today end: pullback, distress with rescue or death, pushback, arrival;
8. asylum claims are decided; return orders are carried out or not;
9. smugglers adapt prices, capacity and craft, and some are arrested (monthly);
10. routes are re-evaluated at the new prices and risks (monthly);
11. the news of the day spreads;
12. stocks are recorded (and, under ``check``, conservation is checked).

Migrants are rows of :class:`~sim.agents.population.Population`, owned by one
:class:`PopulationAgent`; smugglers and states are ``mesa.Agent`` objects, so ``model.agents``
lists the population agent, the states, the EU and the smugglers. Each concept is a component
with its own state and stages: :class:`~sim.model.origins.Origins`,
:class:`~sim.model.travel.Travel`, :class:`~sim.model.asylum.Asylum`,
:class:`~sim.model.beliefs.Beliefs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.population import NEVER, MigrantView, Population, Status
from sim.agents.smugglers import build_market
from sim.agents.stance import StanceInputs
from sim.agents.states import build_states, stance_parameters
from sim.config.parameters import Parameters
from sim.errors import UserError
from sim.model.asylum import REASONS, Asylum
from sim.model.beliefs import Beliefs
from sim.model.calendar import DatedChanges
from sim.model.conservation import assert_conserved
from sim.model.origins import Origins
from sim.model.travel import Travel
from sim.network import MODES, ROUTE_SLOTS, ROUTES, SEGMENTS, Network
from sim.outputs.admissions import PATHWAYS, LegalAdmissions
from sim.outputs.counters import Outcomes
from sim.policies.base import PolicyBase
from sim.rules.randomness import RandomStreams
from sim.rules.rates import LegRates, Modifiers, baseline_rescue_by_leg, compile_leg_rates

#: Days between the monthly stages (stances, smugglers, routes).
MONTH_DAYS = 30
#: Statuses of people counted as stranded when they are at a place in a transit country.
STRANDED_STATUSES = (Status.IN_TRANSIT, Status.WORKING, Status.DETAINED, Status.SMO_APPLICANT)
DECIDING = np.array(
    [Status.AT_ORIGIN, Status.IN_TRANSIT, Status.WORKING, Status.DETAINED], dtype=np.int8
)


class PopulationAgent(mesa.Agent):
    """The whole migrant population as one Mesa agent that owns the arrays."""

    def __init__(self, model: mesa.Model, population: Population) -> None:
        super().__init__(model)
        self.population = population


@dataclass(frozen=True)
class Stage:
    """One stage of the day: a name (as in docs/model.md) and what it does."""

    name: str
    run: Callable[[], None]


class MigrationModel(mesa.Model):
    """The simulation of one scenario with one seed.

    ``network`` is the loaded network (with the scenario's overrides), ``params`` the typed
    parameters (defaults with the scenario's overrides), ``policies`` the built policy objects.
    :func:`sim.execution.runner.build_model` makes one from a scenario file.
    """

    def __init__(
        self,
        network: Network,
        params: Parameters,
        *,
        seed: int,
        days: int,
        scale: float,
        start_date: dt.date,
        policies: list[PolicyBase] | None = None,
        check: bool = False,
    ) -> None:
        super().__init__(rng=seed)
        if not 0 < scale <= 1:
            raise UserError(f"scale must be in (0, 1], got {scale}")
        self._stepping = 0
        self.seed, self.days, self.scale, self.start_date = seed, days, scale, start_date
        self.check_conservation = check
        self.net, self.params = network, params
        c = network.compiled
        self.route_ids = ROUTES
        self.policies = list(policies or [])
        self.random_streams = RandomStreams(seed)
        self.population = Population(capacity=1024)
        self.population_agent = PopulationAgent(self, self.population)
        self.states, self.eu = build_states(self, network, params)
        self.conduct = self.states[0].conduct
        self.market = build_market(self, network, params, self.stream("smuggler_setup"))
        self.outcomes = Outcomes(
            days,
            scale,
            start_date,
            categories={
                "mode": list(MODES),
                "segment": list(SEGMENTS),
                "state": list(network.state_ids),
                "nationality": list(network.nationalities),
                "pathway": list(PATHWAYS),
                "place": list(network.place_ids),
                "reason": list(REASONS),
                "state_segment": [f"{s}:{g}" for s in network.state_ids for g in SEGMENTS],
                "state_nationality": [
                    f"{s}:{n}" for s in network.state_ids for n in network.nationalities
                ],
            },
        )
        self.admissions = LegalAdmissions(scale)
        self.modifiers = Modifiers(
            c.n_legs, len(network.state_ids), c.n_places, len(network.nationalities)
        )
        self.leg_baseline_rescue = baseline_rescue_by_leg(c, params.baseline_rescue_share)
        self.rates = self.compile_rates()
        self.baseline_pullback = self.rates.pullback.copy()
        self.wage = params.earnings_eur_per_day[c.place_state]
        self.arrest_rate_by_place = params.smuggler_arrest_rate[c.place_state]
        self.leg_flows = np.zeros(c.n_legs)
        self.month_leg_arrivals = np.zeros(c.n_legs)
        self.month_friction = np.zeros(len(network.state_ids))  # agents pushed back or expelled
        self.stance_params = stance_parameters(params)
        self.agent_steps = 0  # person-days of people not in a final status
        self.people_events = 0  # people who acted (were due), summed over days
        self.due = self.deciding = np.empty(0, dtype=np.int64)
        self.calendar = DatedChanges(self)
        self.beliefs = Beliefs(self)
        self.origins = Origins(self)
        self.travel = Travel(self)
        self.asylum = Asylum(self)
        self.origins.add_initial_stock()
        self.people_initial = len(self.population)
        for policy in self.policies:
            policy.setup(self)
        self.stages: list[Stage] = [
            Stage("dated changes", self.calendar.apply_due),
            Stage("states review their stance", self.review_stances),
            Stage("policies act", self.apply_policies),
            Stage("people set out", self.origins.set_out),
            Stage("people due today", self.find_people_due),
            Stage("applicants screened", self.screen_applicants),
            Stage("people decide and depart", lambda: self.travel.decide_and_depart(self.deciding)),
            Stage("legs end", lambda: self.travel.move_along_legs(self.due)),
            Stage("asylum and returns", lambda: self.asylum.decide(self.due)),
            Stage("smugglers adapt", self.adapt_smugglers),
            Stage("routes re-evaluated", self.refresh_routes),
            Stage("news spreads", self.beliefs.spread_news),
            Stage("stocks recorded", self.record_stocks),
        ]
        if check:
            self.stages.append(Stage("conservation checked", lambda: assert_conserved(self)))

    # ----------------------------------------------------------------- the clock
    @property
    def day(self) -> int:
        """Today's index, from Mesa's step count: the day being simulated during a step, the
        next day to simulate between steps (so after ``n`` steps ``day == steps == n``)."""
        return self.steps - self._stepping

    @property
    def date(self) -> dt.date:
        """The calendar date of :attr:`day`."""
        return self.start_date + dt.timedelta(days=self.day)

    @property
    def month_starts(self) -> bool:
        """Whether today begins a new month of the run (not on day 0)."""
        return self.day > 0 and self.day % MONTH_DAYS == 0

    def step(self) -> None:
        """Advance the simulation by one day: run every stage in order."""
        self._stepping = 1
        self.outcomes.today = self.day
        for stage in self.stages:
            stage.run()
        self._stepping = 0
        self.running = self.day < self.days

    def run(self) -> None:
        """Run all the scenario's days."""
        while self.day < self.days:
            self.step()

    # ----------------------------------------------------------------- randomness
    def stream(self, name: str) -> np.random.Generator:
        """The generator of one random process (see :class:`RandomStreams`)."""
        return self.random_streams.stream(name)

    def draws(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for process ``name`` today (common random numbers)."""
        return self.random_streams.draws(name, self.population.key[ids], self.day)

    def trait(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for a lasting attribute ``name`` (every day the same)."""
        return self.random_streams.trait(name, self.population.key[ids])

    # ----------------------------------------------------------------- stages
    def review_stances(self) -> None:
        """Monthly: the EU hands each EU state the persons who arrived over its legs, and each
        other state what it offers and presses it with and the friction of the month."""
        if not self.month_starts:
            return
        eu_state = self.net.compiled.leg_eu_state
        by_state = np.bincount(
            np.maximum(eu_state, 0),
            weights=self.month_leg_arrivals * (eu_state >= 0),
            minlength=len(self.states),
        )
        mods = self.modifiers  # yesterday's offers and pressure, as the policies set them
        partners = StanceInputs(
            payment_eur_per_year=mods.offer_payment.copy(),
            visa_facilitation=mods.offer_visa.copy(),
            pathway_places_per_year=mods.offer_places.copy(),
            article_25a=mods.article_25a.copy(),
            friction_persons=self.month_friction / self.scale,
        )
        self.eu.review_month(
            self.states,
            by_state / self.scale,
            self.params.enforcement_response,
            (partners, self.stance_params),
        )
        self.month_leg_arrivals[:] = 0.0
        self.month_friction[:] = 0.0

    def apply_policies(self) -> None:
        """Reset today's modifiers, let each active policy act, and compile the leg rates."""
        self.modifiers.reset()
        self.modifiers.leg_barred |= self.net.compiled.visa_barred
        today = self.date
        for policy in self.policies:
            if policy.active_on(today):
                policy.apply(self)
        self.rates = self.compile_rates()

    def find_people_due(self) -> None:
        """Everyone whose next event falls today; count the day's person-days and events."""
        self.due = np.flatnonzero(self.population.next_day == self.day)
        self.agent_steps += self.population.active_count()
        self.people_events += len(self.due)

    def screen_applicants(self) -> None:
        """Of those due who may decide, active policies take their applicants first."""
        due = self.due
        deciding = due[np.isin(self.population.status[due], DECIDING)]
        today = self.date
        for policy in self.policies:
            if policy.active_on(today):
                deciding = policy.screen(self, deciding)
        self.deciding = deciding

    def adapt_smugglers(self) -> None:
        """Monthly: prices, capacity and craft follow demand and enforcement; arrests."""
        if not self.month_starts:
            return
        enforcement_ratio = np.where(
            self.baseline_pullback > 0,
            self.rates.pullback / np.maximum(self.baseline_pullback, 1e-9),
            1.0,
        )
        self.market.adapt(MONTH_DAYS, enforcement_ratio)
        self.market.replace_arrested(self.day, self.modifiers.rival_replacement_days)
        policing = self.conduct.departure_factor()[self.net.compiled.place_state]
        monthly = self.arrest_rate_by_place * policing + self.modifiers.arrest_rate_extra
        draws = self.stream("smugglers").random(len(self.market.smugglers))
        self.market.arrests(self.day, monthly, draws)

    def refresh_routes(self) -> None:
        """Monthly: people re-evaluate the way ahead at the new prices and risks."""
        if self.month_starts:
            self.beliefs.refresh_routes()

    def record_stocks(self) -> None:
        """Today's stocks per route: stranded in transit countries, detained, claims pending,
        staying irregularly."""
        pop, c = self.population, self.net.compiled
        # One count of people by status and place serves both place-based stocks.
        by_status_place = np.bincount(
            pop.status.astype(np.int64) * c.n_places + pop.place,
            minlength=len(Status) * c.n_places,
        ).reshape(len(Status), c.n_places)
        stranded = by_status_place[list(STRANDED_STATUSES)].sum(axis=0) * c.place_is_transit
        self.outcomes.set_stock(
            "stranded", np.bincount(c.place_route, stranded, minlength=ROUTE_SLOTS)
        )
        detained = by_status_place[Status.DETAINED]
        self.outcomes.set_stock(
            "detained", np.bincount(c.place_route, detained, minlength=ROUTE_SLOTS)
        )
        for metric, status in (
            ("asylum_pending", Status.ASYLUM_PENDING),
            ("irregular_stay", Status.ABSCONDED),
        ):
            people = np.flatnonzero(pop.status == status)
            self.outcomes.set_stock(
                metric, np.bincount(self.asylum.route_of(people), minlength=ROUTE_SLOTS)
            )

    # ----------------------------------------------------------------- shared by the stages
    def compile_rates(self) -> LegRates:
        """Today's per-leg rates from the states' conduct, their effort and the modifiers."""
        return compile_leg_rates(
            self.net.compiled,
            self.conduct,
            self.params.baseline_rescue_share,
            self.market.leg_safety(),
            self.modifiers,
            self.params.boarding_refusal_rate,
        )

    def failure_rates(self) -> np.ndarray:
        """Chance a crossing of each leg ends in pullback, refused boarding or pushback, at
        today's rates (a leg has pullback or refusal, never both)."""
        r = self.rates
        stopped = r.pullback + r.refusal
        return stopped + (1.0 - stopped) * r.apprehension * r.pushback

    def leg_prices(self) -> np.ndarray:
        """Price of each leg today: smugglers' for smuggled legs, the fare for the others."""
        return np.where(self.net.compiled.leg_smuggled, self.market.leg_prices(), self.market.fare)

    def send_home(self, ids: np.ndarray, status: Status, metric: str | None) -> None:
        """People who go back to their origin (giving up, or returned)."""
        pop = self.population
        if metric:
            self.outcomes.add(metric, self.net.compiled.place_route[pop.place[ids]])
        pop.place[ids] = pop.origin[ids]
        pop.set_status(ids, status)
        pop.next_day[ids] = NEVER

    def admit_legally(self, ids: np.ndarray, pathway: str, block: str) -> None:
        """People who travel on a legal pathway: counted by the route of the place they left,
        and in the admissions tally by block, pathway and destination."""
        pop = self.population
        places = pop.place[ids]
        self.outcomes.add(
            "legal_admissions",
            self.net.compiled.place_route[places],
            split={"pathway": np.full(len(ids), PATHWAYS.index(pathway)), "place": places},
        )
        place_ids = self.net.place_ids
        self.admissions.add(block, pathway, [place_ids[d] for d in pop.destination[ids].tolist()])
        pop.set_status(ids, Status.LEGALLY_ADMITTED)
        pop.leg[ids] = -1
        pop.next_day[ids] = NEVER

    # ----------------------------------------------------------------- views
    def migrant(self, i: int) -> MigrantView:
        """A readable view of person ``i``."""
        pop = self.population
        if not 0 <= i < len(pop):
            raise IndexError(f"no person {i}: ids run from 0 to {len(pop) - 1}")
        ids = self.net.place_ids
        leg, route, next_day = int(pop.leg[i]), int(pop.entry_route[i]), int(pop.next_day[i])
        return MigrantView(
            id=i,
            status=Status(int(pop.status[i])).name.lower(),
            place=ids[int(pop.place[i])],
            leg=self.net.leg_ids[leg] if leg >= 0 else None,
            next_day=None if next_day == NEVER else next_day,
            origin=ids[int(pop.origin[i])],
            nationality=self.net.nationalities[int(pop.nationality[i])],
            protection_need=bool(pop.protection_need[i]),
            budget_eur=round(float(pop.budget[i]), 2),
            earnings_eur_per_day=round(float(self.wage[pop.place[i]] * pop.earnings[i]), 2),
            risk_tolerance=round(float(pop.risk_tolerance[i]), 3),
            risk_perception=round(float(pop.risk_perception[i]), 3),
            destination=ids[int(pop.destination[i])],
            attempts=int(pop.attempts[i]),
            failures=int(pop.failures[i]),
            days_in_transit=self.day - int(pop.set_out_day[i]),
            entry_route=self.route_ids[route] if route >= 0 else None,
        )
