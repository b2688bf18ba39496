"""MigrationModel: the route network, the people on it, smugglers and states, day by day.

One step is one day. :meth:`MigrationModel.step` reads as the documented day
(``docs/model.md``):

1. states and the EU update their stance (monthly);
2. policies act (they set today's modifiers);
3. new people set out from origins;
4. people due today at a place decide: give up, work, or choose a leg (Safe Mobility Office
   applicants are screened first by that policy);
5. smugglers sell seats on the legs chosen; those served set off;
6. legs ending today are resolved: pullback, distress, rescue or death, pushback, arrival;
7. arrivals' asylum claims are decided; return orders are carried out or not;
8. smugglers adapt prices and capacity, and some are arrested (monthly);
9. stocks are recorded.

Migrants are rows of :class:`~sim.population.Population`; smugglers and states are
``mesa.Agent`` objects, so ``model.agents`` lists the population agent, smugglers and states.
Each random process draws from its own stream (:meth:`stream`), so switching a policy on does
not shift the draws of unrelated processes (common random numbers across scenarios).
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import mesa
import numpy as np

from sim.agents.population import N_STATUS, NEVER, MigrantView, Population, Status
from sim.errors import UserError
from sim.model.setup import ModelSetup
from sim.network import NO_ROUTE
from sim.outputs.counters import Outcomes
from sim.rules import behaviour
from sim.rules.movement import Outcome, leg_outcomes

DECIDING = np.array(
    [Status.AT_ORIGIN, Status.IN_TRANSIT, Status.WORKING, Status.DETAINED], dtype=np.int8
)
MONTH_DAYS = 30
STRANDED_STATUSES = (Status.IN_TRANSIT, Status.WORKING, Status.DETAINED, Status.SMO_APPLICANT)


class ConservationError(AssertionError):
    """People were created or lost: a bug in the model, not a user error."""


class PopulationAgent(mesa.Agent):
    """The whole migrant population as one Mesa agent that owns the arrays."""

    def __init__(self, model: mesa.Model, population: Population) -> None:
        super().__init__(model)
        self.population = population


class MigrationModel(ModelSetup, mesa.Model):
    """The simulation of one scenario with one seed.

    ``params`` are the full parameter values (defaults merged with the scenario's overrides);
    ``network`` the loaded network (with the scenario's overrides); ``policies`` the built
    policy objects. Use :func:`sim.runner.build_model` to make one from a scenario file.
    """

    def __init__(
        self,
        network: Any,
        params: dict[str, Any],
        *,
        seed: int,
        days: int,
        scale: float,
        start_date: dt.date,
        policies: list | None = None,
        check: bool = False,
    ) -> None:
        super().__init__(rng=seed)
        if not 0 < scale <= 1:
            raise UserError(f"scale must be in (0, 1], got {scale}")
        self.seed = seed
        self.days = days
        self.scale = scale
        self.start_date = start_date
        self.check_conservation = check
        self.day = 0
        self.net = network
        self.params = params
        self.policies = list(policies or [])
        self.population = Population(capacity=1024)
        self.population_agent = PopulationAgent(self, self.population)
        self.outcomes = Outcomes(days, scale, start_date)
        self.agent_steps = 0
        self.people_initial = 0
        self.leg_flows = np.zeros(network.compiled.n_legs)
        self.setup()
        for policy in self.policies:
            policy.setup(self)

    # ----------------------------------------------------------------- randomness
    def stream(self, name: str) -> np.random.Generator:
        """The generator of one random process, keyed by its name and the run's seed.

        Streams are created once and kept: ``stream("death")`` is the same generator all run.
        """
        rng = self._streams.get(name)
        if rng is None:
            rng = np.random.default_rng([self.seed, zlib.crc32(name.encode("utf-8"))])
            self._streams[name] = rng
        return rng

    def draws(self, name: str, ids: np.ndarray) -> np.ndarray:
        """One uniform in [0, 1) per person ``ids`` for process ``name`` today.

        The draw is a hash of (seed, process, person, day) (the splitmix64 mixer), not the
        next number of a shared sequence: the same person meeting the same hazard on the same
        day draws the same number in every scenario run with that seed, however many other
        people a policy moved. That is what makes paired comparisons sharp (common random
        numbers per person).
        """
        key = np.uint64((self.seed * 0x9E3779B97F4A7C15 + zlib.crc32(name.encode())) % 2**64)
        with np.errstate(over="ignore"):
            x = ids.astype(np.uint64) * np.uint64(0xD1B54A32D192ED03)
            x ^= np.uint64(self.day) * np.uint64(0xBF58476D1CE4E5B9) + key
            x ^= x >> np.uint64(30)
            x *= np.uint64(0xBF58476D1CE4E5B9)
            x ^= x >> np.uint64(27)
            x *= np.uint64(0x94D049BB133111EB)
            x ^= x >> np.uint64(31)
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)

    # ----------------------------------------------------------------- the day
    def step(self) -> None:
        """Advance the simulation by one day."""
        self.outcomes.today = self.day
        if self.day > 0 and self.day % MONTH_DAYS == 0:
            self.update_state_stances()
        self.apply_policies()
        self.set_out_from_origins()
        due = self.people_due_today()
        self.agent_steps += self.population.active_count()
        deciding = due[np.isin(self.population.status[due], DECIDING)]
        deciding = self.screen_safe_mobility_applicants(deciding)
        self.decide_and_depart(deciding)
        self.move_along_legs(due)
        self.decide_asylum_and_returns(due)
        if self.day > 0 and self.day % MONTH_DAYS == 0:
            self.smugglers_adapt()
        self.update_rumours()
        self.record_stocks()
        if self.check_conservation:
            self.assert_conserved()
        self.day += 1
        self.running = self.day < self.days

    def run(self) -> None:
        """Run all the scenario's days."""
        while self.day < self.days:
            self.step()

    # ----------------------------------------------------------------- stages
    def update_state_stances(self) -> None:
        """Monthly: each state reacts to the arrivals over the legs it controls."""
        last_month = slice(max(self.day - MONTH_DAYS, 0), self.day)
        by_state = np.bincount(
            np.maximum(self.leg_eu_state, 0),
            weights=self.month_leg_arrivals * (self.leg_eu_state >= 0),
            minlength=len(self.states),
        )
        response = float(self.params["enforcement_response"])
        for state in self.states:
            state.update_stance(float(by_state[state.index]) / self.scale, response)
        self.effort = np.array([s.effort for s in self.states])
        self.eu.arrivals_by_month.append(float(self.outcomes.flows[last_month, 2].sum()))
        self.month_leg_arrivals[:] = 0.0

    def apply_policies(self) -> None:
        """Reset today's modifiers, let each active policy act, and compile the leg rates."""
        self.modifiers.reset()
        self.modifiers.leg_barred |= self.visa_barred
        today = self.date
        for policy in self.policies:
            if policy.active_on(today):
                policy.apply(self)
        self.rates = self.compile_rates()

    def set_out_from_origins(self) -> None:
        """New people leave their origin today (Poisson numbers, seasonal rates)."""
        day_of_year = (self.date - dt.date(self.date.year, 1, 1)).days
        season = 1.0 + self.season_amplitude * np.cos(
            2 * np.pi * (day_of_year - self.season_peak) / 365.0
        )
        expected = self.departure_rate / 365.0 * season * self.scale
        counts = self.stream("departures").poisson(expected)
        origins = np.repeat(self.origin_place_ids, counts)
        ids = self.add_people(origins, set_out_day=self.day, stream="attributes")
        self.outcomes.add("departures", self.place_route[self.population.place[ids]])

    def people_due_today(self) -> np.ndarray:
        """Everyone whose next event falls today."""
        return np.flatnonzero(self.population.next_day == self.day)

    def due_in(self, due: np.ndarray, status: Status) -> np.ndarray:
        """Those of ``due`` who are in ``status`` and still due today (not moved on today)."""
        pop = self.population
        keep = (pop.status[due] == status) & (pop.next_day[due] == self.day)
        return due[keep]

    def screen_safe_mobility_applicants(self, deciding: np.ndarray) -> np.ndarray:
        """Policies that take applicants (Safe Mobility Offices) screen people first."""
        for policy in self.policies:
            if policy.active_on(self.date) and hasattr(policy, "screen"):
                deciding = policy.screen(self, deciding)
        return deciding

    def decide_and_depart(self, ids: np.ndarray) -> None:
        """Give up, work, or choose a leg; buy a seat; set off."""
        pop = self.population
        if len(ids) == 0:
            return
        giving_up = self.draws("giving_up", ids) < behaviour.give_up_probability(
            pop.failures[ids], self.params["give_up_base"], self.params["give_up_per_failure"]
        )
        self.send_home(ids[giving_up], Status.GAVE_UP, "gave_up")
        ids = ids[~giving_up]

        legs, valid = behaviour.candidate_legs(pop.place[ids].astype(np.int64), self.out_start)
        prices = self.leg_prices()
        nationality = pop.nationality[ids][:, None]
        open_to_them = (
            valid
            & ~self.closed_legs[legs]
            & ~self.modifiers.leg_barred[nationality, legs]
            & np.isfinite(prices[legs])
        )
        # No immediate way back, unless it is the only way on.
        onward = open_to_them & (
            self.net.compiled.leg_target[legs] != pop.previous_place[ids][:, None]
        )
        open_to_them = np.where(onward.any(axis=1)[:, None], onward, open_to_them)
        utility = behaviour.leg_utility(
            legs,
            prices,
            self.leg_days,
            self.believed_death_risk,
            self.believed_failure,
            self.cost_to_go_for(pop.destination[ids], legs),
            pop.risk_tolerance[ids],
            pop.risk_perception[ids],
            self.weights,
        )
        uniform = self.draws("choice", ids)
        chosen = behaviour.choose_legs(legs, open_to_them, utility, uniform)

        # Nowhere to go: wait. A leg they cannot pay for yet: work and save for it.
        nowhere = chosen < 0
        self.wait(ids[nowhere], int(self.params["stuck_wait_days"]))
        ids, chosen = ids[~nowhere], chosen[~nowhere]
        short = prices[chosen] > pop.budget[ids]
        self.work(ids[short], prices[chosen[short]])
        ids, chosen = ids[~short], chosen[~short]

        smuggled = self.net.compiled.leg_smuggled[chosen]
        self.board(ids[~smuggled], chosen[~smuggled], prices[chosen[~smuggled]])
        buyers, wanted = ids[smuggled], chosen[smuggled]
        served, paid = self.market.sell_seats(
            wanted,
            pop.budget[buyers],
            self.draws("seats", buyers),
            self.stream("seat_rounding").random(len(self.market.slot_leg)),
            self.scale,
        )
        self.board(buyers[served], wanted[served], paid[served])
        self.wait(buyers[~served], int(self.params["seat_wait_days"]))
        route = self.leg_route_slot[wanted[served]]
        self.outcomes.add("seats_sold", route)
        self.outcomes.add("smuggler_revenue", route, paid[served])

    def wait(self, ids: np.ndarray, days: int) -> None:
        """Stay at the place for ``days`` and decide again."""
        self.population.set_status(ids, Status.IN_TRANSIT)
        self.population.next_day[ids] = self.day + days

    def work(self, ids: np.ndarray, target_price: np.ndarray) -> None:
        """Work and save toward the price of the leg chosen, for at most one work spell."""
        pop = self.population
        wage = self.wage[pop.place[ids]] * pop.earnings[ids]
        days = behaviour.days_of_work_needed(
            target_price - pop.budget[ids], wage, int(self.params["work_spell_days"])
        )
        pop.budget[ids] += wage * days
        pop.set_status(ids, Status.WORKING)
        pop.next_day[ids] = self.day + days

    def board(self, ids: np.ndarray, legs: np.ndarray, price: np.ndarray) -> None:
        """Pay and set off on a leg; crossings of borders count as attempts."""
        pop = self.population
        pop.budget[ids] -= price
        pop.set_status(ids, Status.ON_LEG)
        pop.leg[ids] = legs
        pop.next_day[ids] = self.day + self.leg_days[legs]
        border = self.net.compiled.leg_border[legs]
        pop.attempts[ids[border]] += 1
        self.outcomes.add("attempts", self.leg_route_slot[legs[border]])

    def move_along_legs(self, due: np.ndarray) -> None:
        """Resolve the legs that end today."""
        pop = self.population
        ids = self.due_in(due, Status.ON_LEG)
        if len(ids) == 0:
            return
        legs = pop.leg[ids].astype(np.int64)
        uniforms = np.stack(
            [self.draws(s, ids) for s in ("interception", "distress", "rescue", "pushback")]
        )
        r = self.rates
        outcome = leg_outcomes(
            legs,
            self.leg_death_risk,
            self.leg_baseline_rescue,
            r.rescue_share,
            r.death_multiplier,
            r.pullback,
            r.apprehension,
            r.pushback,
            uniforms,
        )
        route = self.leg_route_slot[legs]
        self.record_leg_news(legs, outcome)
        pop.leg[ids] = -1

        pulled = outcome == Outcome.PULLED_BACK
        self.outcomes.add("interceptions", route[pulled])
        back, back_legs = ids[pulled], legs[pulled]
        pop.failures[back] += 1
        pop.set_status(back, Status.DETAINED)
        detention = np.where(
            self.modifiers.detention_days[back_legs] >= 0,
            self.modifiers.detention_days[back_legs],
            np.where(
                self.leg_transit_state[back_legs] >= 0,
                self.detention_days[np.maximum(self.leg_transit_state[back_legs], 0)],
                1,
            ),
        )
        pop.next_day[back] = self.day + np.maximum(detention, 1)

        dead = outcome == Outcome.DEAD
        self.outcomes.add("dead_missing", route[dead])
        pop.set_status(ids[dead], Status.DEAD_MISSING)
        pop.next_day[ids[dead]] = NEVER

        pushed = outcome == Outcome.PUSHED_BACK
        self.outcomes.add("pushbacks", route[pushed])
        self.push_back(ids[pushed], legs[pushed])

        rescued = outcome == Outcome.RESCUED
        self.outcomes.add("rescued", route[rescued])
        made_it = (outcome == Outcome.ARRIVED) | rescued
        self.arrive(ids[made_it], legs[made_it])

    def push_back(self, ids: np.ndarray, legs: np.ndarray) -> None:
        """Expelled without procedure: sent back, hurt, robbed and delayed.

        People land at the leg's start, or further back along the usual way in when a
        pushbacks policy says so; the injured lose the days twice over.
        """
        pop, mods = self.population, self.modifiers
        pop.failures[ids] += 1
        money_lost = np.where(
            np.isnan(mods.pushback_money_lost[legs]),
            float(self.params["pushback_money_lost_share"]),
            mods.pushback_money_lost[legs],
        )
        pop.budget[ids] *= 1.0 - money_lost
        place = self.push_back_place[legs]
        for k in range(1, int(mods.pushback_places_back[legs].max(initial=1))):
            further = mods.pushback_places_back[legs] > k
            place = np.where(further, self.usual_previous_place[place], place)
        pop.place[ids] = place
        pop.previous_place[ids] = -1
        days_lost = np.where(
            mods.pushback_days_lost[legs] >= 0,
            mods.pushback_days_lost[legs],
            int(self.params["pushback_days_lost"]),
        )
        injured = self.draws("pushback_injury", ids) < mods.pushback_injury[legs]
        days_lost = days_lost * (1 + injured)
        pop.set_status(ids, Status.IN_TRANSIT)
        pop.next_day[ids] = self.day + 1 + days_lost

    def arrive(self, ids: np.ndarray, legs: np.ndarray) -> None:
        """Reach the end of the leg: count entries into the EU; claim asylum at a destination."""
        pop = self.population
        target = self.net.compiled.leg_target[legs]
        pop.previous_place[ids] = pop.place[ids]
        pop.place[ids] = target
        np.add.at(self.leg_flows, legs, 1.0 / self.scale)
        entry = self.net.compiled.leg_eu_entry[legs]
        self.outcomes.add("arrivals", self.leg_route_slot[legs[entry]])
        np.add.at(self.month_leg_arrivals, legs[entry], 1.0)
        first = entry & (pop.entry_day[ids] == NEVER)
        newcomers = ids[first]
        entry_route = self.leg_route_slot[legs[first]]
        pop.entry_route[newcomers] = np.where(entry_route == NO_ROUTE, -1, entry_route)
        pop.entry_day[newcomers] = self.day
        pop.entry_from_place[newcomers] = self.net.compiled.leg_source[legs[first]]
        pop.entry_from_state[newcomers] = self.net.compiled.place_state[
            pop.entry_from_place[newcomers]
        ]
        self.outcomes.add("arrivals_people", entry_route)
        self.outcomes.add(
            "transit_days_total", entry_route, (self.day - pop.set_out_day[newcomers]).astype(float)
        )
        at_destination = self.place_is_destination[target]
        claimants = ids[at_destination]
        pop.set_status(claimants, Status.ASYLUM_PENDING)
        pop.next_day[claimants] = self.day + self.asylum_delay(len(claimants))
        onward = ids[~at_destination]
        pop.set_status(onward, Status.IN_TRANSIT)
        pop.next_day[onward] = self.day + int(self.params["rest_days"])

    def decide_asylum_and_returns(self, due: np.ndarray) -> None:
        """Decide claims due today; carry out return orders due today."""
        pop = self.population
        claims = self.due_in(due, Status.ASYLUM_PENDING)
        p_grant = np.where(
            pop.protection_need[claims],
            self.params["recognition_if_need"],
            self.params["recognition_if_no_need"],
        )
        granted = self.draws("asylum", claims) < p_grant
        route = self.person_route(claims)
        self.outcomes.add("asylum_granted", route[granted])
        self.outcomes.add("return_decisions", route[~granted])
        pop.set_status(claims[granted], Status.PROTECTED)
        pop.next_day[claims[granted]] = NEVER
        rejected = claims[~granted]
        pop.set_status(rejected, Status.RETURN_ORDERED)
        mean_delay = float(self.params["return_delay_days"])
        delay = self.stream("returns").exponential(mean_delay, len(rejected)).astype(np.int32)
        pop.next_day[rejected] = self.day + 1 + delay

        orders = self.due_in(due, Status.RETURN_ORDERED)
        self.carry_out_returns(orders)
        back_home = self.due_in(due, Status.RETURNED)
        pop.set_status(back_home, Status.AT_ORIGIN)
        pop.place[back_home] = pop.origin[back_home]
        pop.next_day[back_home] = self.day + 1

    def carry_out_returns(self, orders: np.ndarray) -> None:
        """Returns carried out = orders x the origin state's cooperation, within EU capacity.

        Under a readmission deal covering third-country nationals, an order the person's own
        state would not accept may be carried out by the partner they entered the EU from.
        """
        pop = self.population
        rng = self.stream("returns")
        cooperation = np.maximum(self.cooperation, self.modifiers.cooperation_floor)
        nationality_state = self.nationality_state[pop.nationality[orders]]
        feasible = rng.random(len(orders)) < cooperation[nationality_state]
        entry_state = pop.entry_from_state[orders].astype(np.int64)
        partner_takes = np.where(
            (entry_state >= 0) & (entry_state != nationality_state),
            self.modifiers.third_country_readmission[np.maximum(entry_state, 0)],
            0.0,
        )
        to_partner = ~feasible & (self.draws("returns_third_country", orders) < partner_takes)
        feasible |= to_partner
        capacity = rng.poisson(float(self.params["return_capacity_per_day"]) * self.scale)
        chosen = np.flatnonzero(feasible)
        if len(chosen) > capacity:
            keep = rng.permutation(len(chosen))[:capacity]
            postponed = np.setdiff1d(orders[chosen], orders[chosen[keep]])
            pop.next_day[postponed] = self.day + MONTH_DAYS
            chosen = chosen[keep]
        self.outcomes.add("returns", self.person_route(orders[chosen]))
        self.readmit_to_transit_state(orders[chosen[to_partner[chosen]]])
        candidates = orders[chosen[~to_partner[chosen]]]
        self.send_home(candidates, Status.RETURNED, None)
        again = rng.random(len(candidates)) < float(self.params["remigration_probability"])
        mean_delay = float(self.params["remigration_delay_days"])
        pop.next_day[candidates[again]] = (
            self.day + 1 + rng.exponential(mean_delay, int(again.sum())).astype(np.int32)
        )
        absconding = orders[~feasible]
        pop.set_status(absconding, Status.ABSCONDED)
        pop.next_day[absconding] = NEVER

    def readmit_to_transit_state(self, ids: np.ndarray) -> None:
        """Returned to the transit state they entered the EU from: held at the place they left
        from for that state's detention days, then on their way again."""
        pop = self.population
        pop.place[ids] = pop.entry_from_place[ids]
        pop.previous_place[ids] = -1
        pop.set_status(ids, Status.DETAINED)
        pop.next_day[ids] = self.day + self.detention_days[pop.entry_from_state[ids]]

    def admit_legally(self, ids: np.ndarray) -> None:
        """People who travel on a legal pathway: counted by the route of the place they left."""
        pop = self.population
        self.outcomes.add("legal_admissions", self.place_route[pop.place[ids]])
        pop.set_status(ids, Status.LEGALLY_ADMITTED)
        pop.leg[ids] = -1
        pop.next_day[ids] = NEVER

    def send_home(self, ids: np.ndarray, status: Status, metric: str | None) -> None:
        """People who go back to their origin (giving up, or returned)."""
        pop = self.population
        if metric:
            self.outcomes.add(metric, self.place_route[pop.place[ids]])
        pop.place[ids] = pop.origin[ids]
        pop.set_status(ids, status)
        pop.next_day[ids] = NEVER

    def smugglers_adapt(self) -> None:
        """Monthly: prices, capacity and craft follow demand and enforcement; arrests."""
        enforcement_ratio = np.where(
            self.baseline_pullback > 0,
            self.rates.pullback / np.maximum(self.baseline_pullback, 1e-9),
            1.0,
        )
        self.market.adapt(MONTH_DAYS, enforcement_ratio)
        self.market.replace_arrested(self.day, self.modifiers.rival_replacement_days)
        monthly = self.arrest_rate_by_place + self.modifiers.arrest_rate_extra
        draws = self.stream("smugglers").random(len(self.market.smugglers))
        self.market.arrests(self.day, monthly, draws)
        self.update_cost_to_go()

    def record_stocks(self) -> None:
        """Today's stocks per route: stranded in transit countries, detained, claims pending."""
        pop = self.population
        n_places = self.net.compiled.n_places
        # One count of people by status and place serves both place-based stocks.
        by_status_place = np.bincount(
            pop.status.astype(np.int64) * n_places + pop.place, minlength=N_STATUS * n_places
        ).reshape(N_STATUS, n_places)
        stranded = by_status_place[list(STRANDED_STATUSES)].sum(axis=0) * self.place_is_transit
        self.outcomes.set_stock("stranded", np.bincount(self.place_route, stranded, minlength=6))
        detained = by_status_place[Status.DETAINED]
        self.outcomes.set_stock("detained", np.bincount(self.place_route, detained, minlength=6))
        status = pop.status
        pending = np.flatnonzero(status == Status.ASYLUM_PENDING)
        self.outcomes.set_stock(
            "asylum_pending", np.bincount(self.person_route(pending), minlength=6)
        )

    # ----------------------------------------------------------------- views and checks
    @property
    def date(self) -> dt.date:
        """The calendar date of the current day."""
        return self.start_date + dt.timedelta(days=self.day)

    def migrant(self, i: int) -> MigrantView:
        """A readable view of person ``i``."""
        pop = self.population
        if not 0 <= i < len(pop):
            raise IndexError(f"no person {i}: ids run from 0 to {len(pop) - 1}")
        ids = self.net.place_ids
        leg = int(pop.leg[i])
        route = int(pop.entry_route[i])
        next_day = int(pop.next_day[i])
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

    def assert_conserved(self) -> None:
        """Raise :class:`ConservationError` unless every person is in exactly one status and
        the cumulative flows into final statuses match the people in them."""
        pop = self.population
        problems = pop.check()
        flows = self.outcomes.flows[: self.day + 1].sum(axis=(0, 2))
        from sim.outputs.counters import FLOW_INDEX

        def total(metric: str) -> int:
            return int(round(flows[FLOW_INDEX[metric]]))

        if total("departures") + self.people_initial != len(pop):
            problems.append(
                f"{total('departures')} departures + {self.people_initial} initial "
                f"!= {len(pop)} rows"
            )
        expected = {
            Status.DEAD_MISSING: total("dead_missing"),
            Status.PROTECTED: total("asylum_granted"),
            Status.LEGALLY_ADMITTED: total("legal_admissions"),
            Status.GAVE_UP: total("gave_up"),
        }
        for status, count in expected.items():
            if pop.count(status) != count:
                problems.append(f"{pop.count(status)} people {status.name} but {count} counted")
        if pop.count(Status.RETURNED) > total("returns"):
            problems.append("more people RETURNED than returns counted")
        stuck_in_past = (pop.next_day < self.day + 1) & (pop.status < Status.PROTECTED)
        if np.any(stuck_in_past):
            problems.append(f"{int(stuck_in_past.sum())} active people have no future event")
        if problems:
            raise ConservationError(f"day {self.day}: " + "; ".join(problems))
