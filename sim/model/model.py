"""MigrationModel: the route network, the people on it, smugglers and states, day by day.

One step is one day. The day is the list of stages in :attr:`MigrationModel.stages`, which
reads as the documented day (``docs/model.md``) and is the one list the benchmark times:

0. the year's dated changes due today are applied (``sim/data/changes.csv``);
1. states review their stance (monthly: the EU hands each border state its arrivals, and each
   partner what it offers and presses it with);
2. policies act (they set today's modifiers), and today's leg rates are compiled;
3. the sea conditions of the day are read (the weather holds boats back; winter distress);
4. new people set out from origins, as the news at home and their means allow;
5. the people due today are found;
6. Safe Mobility Offices, legal pathways and assisted voluntary return take their applicants;
7. settled people review their situation (stay, move on, go home assisted);
8. the others decide: give up, wait, settle, work, or choose a leg (and join its line for a
   seat, or pay the fare);
9. smugglers sell today's seats to the first in each line;
10. legs ending today end: pullback, distress with rescue or death, pushback, arrival;
11. asylum claims are decided; return orders are carried out or not;
12. returnees whose time has come set out again;
13. crackdowns round people up and expel them;
14. smugglers adapt prices, capacity and craft, and some are arrested (monthly);
15. routes are re-evaluated at the new prices and risks (monthly), and the journey's cost
    as people at home see it;
16. the news of the day spreads along the route, and the news of a while ago reaches home;
17. stocks are recorded (and, under ``check``, conservation is checked).

The run starts ``warmup_days`` before ``start_date`` (days -warmup_days..-1), under the
scenario's conditions at its start (policies in force on ``start_date`` act throughout the
warm-up), so that the model builds its own stocks of people in transit; outputs count from
``start_date`` (day 0).

Migrants are rows of :class:`~sim.agents.population.Population`, owned by one
:class:`PopulationAgent`; smugglers and states are ``mesa.Agent`` objects, so ``model.agents``
lists the population agent, the states, the EU and the smugglers. Each concept is a component
with its own state and stages: :class:`~sim.model.origins.Origins`,
:class:`~sim.model.news.HomeNews`, :class:`~sim.model.seasons.SeaConditions`,
:class:`~sim.model.travel.Travel`, :class:`~sim.model.seats.SeatQueue`,
:class:`~sim.model.settlement.Settlement`, :class:`~sim.model.asylum.Asylum`,
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
from sim.agents.states import build_states
from sim.config.parameters import Parameters
from sim.errors import UserError
from sim.model.asylum import Asylum
from sim.model.beliefs import Beliefs
from sim.model.calendar import DatedChanges
from sim.model.conservation import assert_conserved
from sim.model.due import DECIDING, HOME_AFTER_RETURN, IN_ASYLUM_SYSTEM, ON_LEG, WAITING
from sim.model.monthly import MONTH_DAYS, MonthlyReviews
from sim.model.news import HomeNews
from sim.model.origins import Origins, expected_people
from sim.model.seasons import SeaConditions
from sim.model.seats import SeatQueue
from sim.model.settlement import Settlement
from sim.model.stocks import StatusCount, record_stocks
from sim.model.travel import Travel
from sim.model.views import migrant_view
from sim.network import Network
from sim.outputs.admissions import PATHWAYS, LegalAdmissions
from sim.outputs.by_country import CountryStocks
from sim.outputs.counters import Outcomes, split_categories
from sim.policies.base import PolicyBase
from sim.rules.randomness import RandomStreams
from sim.rules.rates import LegRates, Modifiers, baseline_rescue_by_leg, compile_leg_rates


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
    Without ``breakdowns`` flows are not split by category (nothing in the model reads that:
    sweeps). :func:`sim.scenario.build.build_model` makes one from a scenario file.
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
        breakdowns: bool = True,
    ) -> None:
        super().__init__(rng=seed)
        if not 0 < scale <= 1:
            raise UserError(f"scale must be in (0, 1], got {scale}")
        self._stepping = 0
        self.seed, self.days, self.scale, self.start_date = seed, days, scale, start_date
        self.warmup_days = params.warmup_days
        self.check_conservation = check
        self.net, self.params = network, params
        c = network.compiled
        self.policies = list(policies or [])
        self.random_streams = RandomStreams(seed)
        self.population = Population(expected_people(params, days + self.warmup_days, scale))
        self.population_agent = PopulationAgent(self, self.population)
        self.states, self.eu = build_states(self, network, params)
        self.conduct = self.states[0].conduct
        self.market = build_market(self, network, params, self.stream("smuggler_setup"))
        self.outcomes = Outcomes(
            days,
            scale,
            start_date,
            categories=split_categories(network) if breakdowns else None,
        )
        self.country_stocks = CountryStocks(days, scale, network.state_ids)
        self.status_count = StatusCount(c.n_places)
        self.admissions = LegalAdmissions(scale)
        self.modifiers = Modifiers(
            c.n_legs, len(network.state_ids), c.n_places, len(network.nationalities)
        )
        self.leg_baseline_rescue = baseline_rescue_by_leg(c, params.baseline_rescue_share)
        self.rates = self.compile_rates()
        self.wage = params.earnings_eur_per_day[c.place_state]
        self.leg_flows = np.zeros(c.n_legs)
        self.month_leg_arrivals = np.zeros(c.n_legs)
        self.month_friction = np.zeros(len(network.state_ids))  # agents pushed back or expelled
        self.agent_steps = 0  # person-days of people not in a final status
        self.people_events = 0  # people who acted (were due), summed over days
        self.due = self.deciding = np.empty(0, dtype=np.int64)
        self.due_status = np.empty(0, dtype=np.int8)  # of the people due, when found
        self.reviews = MonthlyReviews(self)
        self.calendar = DatedChanges(self)
        self.beliefs = Beliefs(self)
        self.news = HomeNews(self)
        self.seasons = SeaConditions(self)
        self.origins = Origins(self)
        self.travel = Travel(self)
        self.seats = SeatQueue(self)
        self.settlement = Settlement(self)
        self.asylum = Asylum(self)
        for policy in self.policies:
            policy.setup(self)
        self.reviews.set_reference(self.policies)
        self.stages: list[Stage] = [
            Stage("dated changes", self.calendar.apply_due),
            Stage("states review their stance", self.reviews.review_stances),
            Stage("policies act", self.apply_policies),
            Stage("sea conditions", self.seasons.update),
            Stage("people set out", self.origins.set_out),
            Stage("people due today", self.find_people_due),
            Stage("applicants screened", self.screen_applicants),
            Stage("settled people review", self.review_settled),
            Stage("people decide", self.decide),
            Stage("seats sold", self.seats.serve),
            Stage("legs end", self.end_legs),
            Stage("asylum and returns", self.decide_asylum_and_returns),
            Stage("returnees set out again", self.returnees_set_out),
            Stage("expulsions", self.settlement.expel),
            Stage("smugglers adapt", self.reviews.adapt_smugglers),
            Stage("routes re-evaluated", self.refresh_routes),
            Stage("news spreads", self.spread_news),
            Stage("stocks recorded", self.record_stocks),
        ]
        if check:
            self.stages.append(Stage("conservation checked", self.assert_conserved))

    # ----------------------------------------------------------------- the clock
    @property
    def day(self) -> int:
        """Today's index, from Mesa's step count: the day being simulated during a step, the
        next day to simulate between steps. Day 0 is ``start_date``; the warm-up's days are
        negative (after ``n`` steps ``day == n - warmup_days``)."""
        return self.steps - self._stepping - self.warmup_days

    @property
    def date(self) -> dt.date:
        """The calendar date of :attr:`day` (before ``start_date`` during the warm-up)."""
        return self.start_date + dt.timedelta(days=self.day)

    @property
    def policy_date(self) -> dt.date:
        """The date whose policies are in force today: during the warm-up, ``start_date``
        (the warm-up runs under the scenario's conditions at its start)."""
        return max(self.date, self.start_date)

    @property
    def month_starts(self) -> bool:
        """Whether today begins a new month (every 30 days from ``start_date``, before and
        after it; not on the first day simulated)."""
        return self.day % MONTH_DAYS == 0 and self.day > -self.warmup_days

    @property
    def adapting(self) -> bool:
        """Whether smugglers and states adapt today: not in the warm-up's first
        ``warmup_fill_days``, while the routes fill from empty (adapting to an empty network
        would start the run from a collapsed market and a jumpy stance)."""
        return self.day >= min(self.params.warmup_fill_days - self.warmup_days, 0)

    def step(self) -> None:
        """Advance the simulation by one day: run every stage in order."""
        self._stepping = 1
        self.outcomes.today = self.day
        if self.day == 0:
            self.start_counting()
        for stage in self.stages:
            stage.run()
        self._stepping = 0
        self.running = self.day < self.days

    def run(self) -> None:
        """Run the warm-up and all the scenario's days."""
        while self.day < self.days:
            self.step()

    def start_counting(self) -> None:
        """On ``start_date``: the tallies reported for the run start from zero (the flows of
        the warm-up are kept apart by the counters)."""
        self.admissions = LegalAdmissions(self.scale)
        self.leg_flows[:] = 0.0

    # ----------------------------------------------------------------- randomness
    def stream(self, name: str) -> np.random.Generator:
        """The generator of one random process (see :class:`RandomStreams`)."""
        return self.random_streams.stream(name)

    def draws(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for process ``name`` today (common random numbers)."""
        return self.random_streams.draws(name, self.population.key[ids], self.day)

    def draws_each(self, names: tuple[str, ...], ids: np.ndarray) -> np.ndarray:
        """:meth:`draws` of several processes for the same people ``ids``: a row per name."""
        return self.random_streams.draws_each(names, self.population.key[ids], self.day)

    def trait(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform per person ``ids`` for a lasting attribute ``name`` (every day the same)."""
        return self.random_streams.trait(name, self.population.key[ids])

    # ----------------------------------------------------------------- stages
    def apply_policies(self) -> None:
        """Reset today's modifiers, let each policy in force act, and compile the leg rates."""
        self.modifiers.reset()
        self.modifiers.leg_barred |= self.net.compiled.visa_barred
        today = self.policy_date
        for policy in self.policies:
            if policy.active_on(today):
                policy.apply(self)
        self.rates = self.compile_rates()

    def find_people_due(self) -> None:
        """Everyone whose next event falls today, and their status; count the day's
        person-days and events."""
        self.due = np.flatnonzero(self.population.next_day == self.day)
        self.due_status = self.population.status[self.due]
        self.agent_steps += self.population.active_count()
        self.people_events += len(self.due)

    def due_in(self, statuses: np.ndarray) -> np.ndarray:
        """The people due today who were in one of ``statuses`` (a :func:`status_table`) when
        found. Each stage takes the statuses no earlier stage of the day moves people out of,
        or into with a next event today."""
        return self.due[statuses[self.due_status]]

    def screen_applicants(self) -> None:
        """Of those due who may decide, those whose patience for a seat ran out leave the line;
        then active policies take their applicants first."""
        pop = self.population
        deciding = self.due_in(DECIDING)
        left_line = self.due_in(WAITING)
        pop.leg[left_line] = -1
        pop.set_status(left_line, Status.IN_TRANSIT)
        today = self.policy_date
        for policy in self.policies:
            if policy.active_on(today):
                deciding = policy.screen(self, deciding)
        self.deciding = deciding

    def review_settled(self) -> None:
        """Settled people due today review their situation (and people released from
        detention may go home assisted); the others go on to decide."""
        self.deciding = self.settlement.review(self.deciding)

    def decide(self) -> None:
        """The people deciding today decide (:meth:`Travel.decide_and_depart`)."""
        self.travel.decide_and_depart(self.deciding)

    def end_legs(self) -> None:
        """The legs of the people due today end (:meth:`Travel.move_along_legs`); nobody who
        boards today ends a leg today (a leg is at least a day)."""
        self.travel.move_along_legs(self.due_in(ON_LEG))

    def decide_asylum_and_returns(self) -> None:
        """Claims and return orders due today are decided (:meth:`Asylum.decide`)."""
        self.asylum.decide(self.due_in(IN_ASYLUM_SYSTEM))

    def returnees_set_out(self) -> None:
        """Returnees due today set out again (:meth:`Origins.come_home`)."""
        self.origins.come_home(self.due_in(HOME_AFTER_RETURN))

    def record_stocks(self) -> None:
        """Today's stocks are recorded (:func:`sim.model.stocks.record_stocks`)."""
        record_stocks(self)

    def assert_conserved(self) -> None:
        """Under ``check``: nobody was lost or made (:func:`assert_conserved`)."""
        assert_conserved(self)

    def refresh_routes(self) -> None:
        """Monthly: people re-evaluate the way ahead at the new prices and risks; at home, the
        journey's expected cost is worked out again."""
        if self.month_starts:
            self.beliefs.refresh_routes()
            self.origins.refresh_journey_cost()

    def spread_news(self) -> None:
        """Today's news spreads along the route; the news of ``news_lag_days`` ago reaches home."""
        self.beliefs.spread_news()
        self.news.deliver()

    # ----------------------------------------------------------------- shared by the stages
    def compile_rates(self, mods: Modifiers | None = None) -> LegRates:
        """Today's per-leg rates from the states' conduct, their effort and the modifiers
        (today's, or ``mods``)."""
        return compile_leg_rates(
            self.net.compiled,
            self.conduct,
            self.leg_baseline_rescue,
            self.market.leg_safety(),
            self.modifiers if mods is None else mods,
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
        """People who go back to their origin (giving up, or returned). Those giving up bring
        the news home."""
        if len(ids) == 0:
            return
        pop = self.population
        if metric:
            self.outcomes.add(metric, self.net.compiled.place_route[pop.place[ids]])
        if status == Status.GAVE_UP:
            self.news.hear("came_back", pop.origin[ids])
        pop.place[ids] = pop.origin[ids]
        pop.set_status(ids, status)
        pop.next_day[ids] = NEVER

    def return_voluntarily(self, ids: np.ndarray, support: float, cost_eur: float) -> None:
        """People ``ids`` go home from a transit country with assisted voluntary return
        (:meth:`sim.model.settlement.Settlement.return_voluntarily`)."""
        self.settlement.return_voluntarily(ids, support, cost_eur)

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
        """A readable view of person ``i`` (:func:`sim.model.views.migrant_view`)."""
        return migrant_view(self, i)
