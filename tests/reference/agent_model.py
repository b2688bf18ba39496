"""The movement rules written the plain Mesa way: one ``Migrant(mesa.Agent)`` per person.

:class:`ReferenceModel` is a :class:`~sim.model.MigrationModel` (so it has the same network,
parameters, states, smuggling market, leg rates, rumours, cost-to-go and setup), but it keeps
people as :class:`Migrant` agents with Python attributes and replaces the array stages of the
day with ``shuffle_do("step")`` over them. Each :meth:`Migrant.step` does, for one person and in
plain Python, what the vectorised stages of ``sim/model.py`` do for all rows at once:

- settled people review their situation (go home assisted, move on, or stay), and people
  released from detention may go home assisted;
- decide (``sim/rules/behaviour.py``): give up; or choose a leg by the same multinomial logit
  over the same candidate legs (open to them; not straight back unless it is the only way on)
  and utilities (price, days, believed death risk and failure, cost-to-go); wait when no leg is
  open; settle, or work and save toward the leg chosen, when they cannot pay for it yet;
- join the line for a seat on a smuggled leg (people joining on one day in the shuffle's
  order; the model serves each line in order after everyone has stepped, with the day's seats
  times the weather), or pay the fare, and board;
- at the end of a leg (``sim/rules/movement.py``): pullback and detention, refused boarding,
  distress then rescue or death, pushback (with its harm), or arrival; entries into transit
  countries and the EU are counted; on entering an EU state, claim asylum there (or be
  transferred back under Dublin) or move on;
- leave a pending claim for another EU state, or have it decided; a return order carried out
  (to the origin, or under a deal to the transit state of entry) within the day's capacity,
  postponed, or not carried out (irregular stay, reviewed now and then: move on and claim
  again, or stay); set out again after a return, as reintegration support allows.

What is not a person's rule is shared with the array model and runs unchanged: setting out
(the same vectorised decision and draw of the newcomers' attributes, then one agent per new
row), the sea conditions of the day, states' stances, policies that act through the day's
modifiers (pushbacks, deals, enforcement...), smugglers' monthly adaptation, rumours, the news
reaching home (each person's events are handed to it at the end of the day), and the counters
in :class:`~sim.outcomes.Outcomes`.
Randomness comes from the model's seeded streams (``model.stream(name)``), one scalar draw at
a time, and from Mesa's seeded ``model.random`` for the shuffle; the draws differ from the
array model's, so the two agree in distribution, not run by run.

People in a final status with nothing more to do are removed from the model (a Mesa modeller
would not keep stepping the dead), so the reference pays only for the people still moving.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.agents.population import FIELDS, FIRST_FINAL, N_STATUS, NEVER, STRANDED_STATUSES, Status
from sim.config.parameters import Parameters
from sim.model.conservation import ConservationError
from sim.model.model import MigrationModel, Stage
from sim.network import ROUTE_SLOTS
from sim.outputs.counters import FLOW_INDEX

from .migrant import IN_TRANSIT, WAITING, Migrant

#: Policy types that act only through the day's modifiers (``sim/states.py: Modifiers``),
#: which the agents read; levers that move people in the arrays (Safe Mobility Offices, legal
#: pathways) or read them (search and rescue with a capacity) cannot run on the reference.
MODIFIER_POLICIES = frozenset(
    {
        "pushbacks",
        "readmission_deal",
        "departure_prevention",
        "border_enforcement",
        "anti_smuggling",
        "information_campaign",
        "visa_leverage",
        "visa_alignment",
        "search_and_rescue",
    }
)


def runs_policy(config: Any) -> bool:
    """Whether the reference can run a policy block: one that acts through the day's modifiers
    only (a search-and-rescue capacity reads the people due, which the reference does not
    keep)."""
    reads_people = config.type == "search_and_rescue" and config.capacity is not None
    return config.type in MODIFIER_POLICIES and not reads_people


class ReferenceModel(MigrationModel):
    """The array model's day with its people as :class:`Migrant` agents.

    Only policies that act through the day's modifiers are allowed (:data:`MODIFIER_POLICIES`).

    ``migrant_class`` is the agent class people are made of; a test can swap in a subclass
    with one rule changed to check that the comparison notices.
    """

    migrant_class: type[Migrant] = Migrant

    def __init__(
        self,
        network: Any,
        params: Parameters,
        *,
        seed: int,
        days: int,
        scale: float,
        start_date: dt.date,
        policies: list | None = None,
        check: bool = False,
    ) -> None:
        for policy in policies or []:
            if not runs_policy(policy.config):
                kind = policy.config.type
                raise ValueError(f"the reference cannot run a {kind} policy like this")
        super().__init__(
            network,
            params,
            seed=seed,
            days=days,
            scale=scale,
            start_date=start_date,
            policies=policies,
        )
        self.check_conservation = check
        self.status_count = [0] * N_STATUS
        self.adopted = 0  # rows of the array population already turned into agents
        self.lines: dict[int, list] = {}  # leg -> (migrant, deadline) in the order they joined
        self.tables = self._static_tables()
        self.adopt_new_people()
        # The shared stages of the model's day around one ``step`` per migrant.
        self.stages = [
            Stage("dated changes", self.calendar.apply_due),
            Stage("states review their stance", self.reviews.review_stances),
            Stage("policies act", self.apply_policies),
            Stage("sea conditions", self.seasons.update),
            Stage("people set out", self.origins.set_out),
            Stage("migrants step", self.migrants_step),
            Stage("smugglers adapt", self.reviews.adapt_smugglers),
            Stage("routes re-evaluated", self.refresh_routes),
            Stage("news spreads", self.spread_news),
            Stage("stocks recorded", self.record_stocks),
        ]
        if check:
            self.stages.append(Stage("conservation checked", self.assert_conserved))

    # ----------------------------------------------------------------- the day
    def migrants_step(self) -> None:
        """Newcomers become agents; every migrant steps once, in random order."""
        self.adopt_new_people()
        self.prepare_day()
        self.agent_steps += sum(self.status_count[:FIRST_FINAL])
        migrants = self.agents_by_type.get(self.migrant_class)
        if migrants is not None:
            migrants.shuffle_do("step")
        self.serve_lines()
        self.close_day()

    def adopt_new_people(self) -> None:
        """One :class:`Migrant` per row the setup or today's departures appended."""
        pop = self.population
        columns = {name: getattr(pop, name)[self.adopted :].tolist() for name in FIELDS}
        for values in zip(*columns.values(), strict=True):
            migrant = self.migrant_class(self, dict(zip(FIELDS, values, strict=True)))
            self.status_count[migrant.status] += 1
        self.adopted = len(pop)

    def set_status(self, migrant: Migrant, status: int) -> None:
        """Move one person to ``status``, keeping the per-status counts."""
        self.status_count[migrant.status] -= 1
        self.status_count[status] += 1
        migrant.status = status

    def finish(self, migrant: Migrant, status: int) -> None:
        """A final status with nothing more to do this run: the agent leaves the model."""
        self.set_status(migrant, status)
        migrant.next_day = NEVER
        migrant.remove()

    def send_migrant_home(self, migrant: Migrant, status: int, metric: str | None) -> None:
        """Go back to the origin for good (giving up)."""
        if metric:
            self.outcomes.add_total(metric, self.tables.place_route[migrant.place], 1.0)
        self.hear("came_back", migrant.origin)
        migrant.place = migrant.origin
        self.finish(migrant, status)

    def hear(self, kind: str, origin: int) -> None:
        """One event of ``kind`` for a person from ``origin``: heard at home after the lag."""
        self.news_heard.setdefault(kind, []).append(origin)

    def join_line(self, migrant: Migrant) -> None:
        """``migrant`` joins the line of the leg they wait for (after today's earlier joiners;
        the shuffle is the order among them)."""
        self.lines.setdefault(migrant.leg, []).append((migrant, migrant.next_day))
        self.leg_requests[migrant.leg] += 1

    def serve_lines(self) -> None:
        """Each line, in order: people still waiting for that leg (with the same deadline) take
        today's seats network by network; one who cannot pay the seat's price leaves the line
        and decides again tomorrow (the seat goes unsold); the rest keep their place."""
        tables, persons = self.tables, 1.0 / self.scale
        for leg, line in self.lines.items():
            waiting = [
                (m, deadline)
                for m, deadline in line
                if m.status == WAITING and m.leg == leg and m.next_day == deadline
            ]
            seats = tables.leg_slots[leg]
            served = 0
            for m, _ in waiting:
                slot = next((s for up_to, s in seats if served < up_to), None)
                if slot is None:
                    break
                served += 1
                price = tables.slot_price[slot]
                if m.budget < price:
                    m.leg = -1
                    self.set_status(m, IN_TRANSIT)
                    m.next_day = self.day + 1
                    continue
                self.slot_sold[slot] += persons
                self.slot_revenue[slot] += price * persons
                m.board(leg, price)
                route = tables.leg_route[leg]
                self.outcomes.add_total("seats_sold", route, 1.0)
                self.outcomes.add_total("smuggler_revenue", route, price)
            self.lines[leg] = waiting[served:]

    # ----------------------------------------------------------------- tables for the agents
    def _static_tables(self) -> SimpleNamespace:
        """The network and parameters as Python lists, indexed like the arrays."""
        c = self.net.compiled
        return SimpleNamespace(
            out_start=c.out_start.tolist(),
            leg_days=c.leg_days.tolist(),
            leg_target=c.leg_target.tolist(),
            leg_smuggled=c.leg_smuggled.tolist(),
            leg_border=c.leg_border.tolist(),
            leg_eu_entry=c.leg_eu_entry.tolist(),
            leg_route=c.leg_route_slot.tolist(),
            leg_transit_state=c.leg_transit_state.tolist(),
            death_risk=c.leg_death_risk.tolist(),
            baseline_rescue=self.leg_baseline_rescue.tolist(),
            detention_days=self.conduct.detention_days.tolist(),
            push_back_place=c.leg_source.tolist(),
            usual_previous_place=c.usual_previous_place.tolist(),
            leg_source=c.leg_source.tolist(),
            place_state=c.place_state.tolist(),
            nationality_state=c.nationality_state.tolist(),
            place_route=c.place_route.tolist(),
            is_destination=c.place_is_destination.tolist(),
            is_eu=c.place_is_eu.tolist(),
            destination_options=[
                (int(d), int(c.place_state[d]), float(w))
                for d, w in zip(
                    c.destinations, self.asylum.destination_weight.tolist(), strict=True
                )
            ],
            is_transit=c.place_is_transit.tolist(),
            unreachable_penalty=self.params.unreachable_destination_penalty,
            cost_to_go_source=None,
            settle_chance=self.settlement.settle_chance.tolist(),
            resume_rate=self.settlement.resume_rate.tolist(),
            voluntary_return_rate=self.settlement.return_rate.tolist(),
        )

    def prepare_day(self) -> None:
        """Today's prices, leg rates, beliefs and seats as lists; the day's return capacity."""
        tables, market = self.tables, self.market
        tables.price = self.leg_prices().tolist()
        tables.wage = self.wage.tolist()
        tables.closed = self.net.compiled.leg_closed.tolist()
        tables.barred = self.modifiers.leg_barred.tolist()
        for name in (
            "pullback",
            "refusal",
            "apprehension",
            "pushback",
            "rescue_share",
            "death_multiplier",
        ):
            setattr(tables, name, getattr(self.rates, name).tolist())
        beliefs = self.beliefs
        tables.believed_death = beliefs.death_risk.tolist()
        tables.believed_failure = beliefs.failure.tolist()
        mods = self.modifiers
        cooperation = np.maximum(self.conduct.cooperation_today(), mods.cooperation_floor)
        tables.cooperation = cooperation.tolist()
        tables.third_country_readmission = mods.third_country_readmission.tolist()
        tables.leg_detention_days = mods.detention_days.tolist()
        tables.pushback_money_lost = mods.pushback_money_lost.tolist()
        tables.pushback_days_lost = mods.pushback_days_lost.tolist()
        tables.pushback_injury = mods.pushback_injury.tolist()
        tables.pushback_places_back = mods.pushback_places_back.tolist()
        tables.wage_multiplier = mods.wage_multiplier.tolist()
        tables.resume_multiplier = mods.resume_multiplier.tolist()
        tables.onward_price_ratio = self.settlement.onward_price_ratio().tolist()
        tables.distress = self.seasons.distress.tolist()
        if tables.cost_to_go_source is not beliefs.cost_to_go:
            tables.cost_to_go = beliefs.cost_to_go.tolist()
            tables.cost_to_go_any = beliefs.cost_to_go_any.tolist()
            tables.cost_to_go_source = beliefs.cost_to_go
        # Fractional seats at small scales are rounded at random, one draw per network slot.
        weather = self.seasons.weather[market.slot_leg]
        seats = market.capacity * market.active * self.scale * weather
        rounding = self.stream("seat_rounding").random(len(seats))
        seats = (np.floor(seats) + (rounding < seats - np.floor(seats))).tolist()
        tables.slot_price = market.price.tolist()
        tables.leg_slots = [[] for _ in range(len(tables.leg_days))]
        tables.first_slot = [-1] * len(tables.leg_days)
        for slot, leg in enumerate(market.slot_leg.tolist()):
            if tables.first_slot[leg] < 0:
                tables.first_slot[leg], up_to = slot, 0.0
            if seats[slot] > 0:
                up_to += seats[slot]
                tables.leg_slots[leg].append((up_to, slot))
        n_legs, n_slots = len(tables.leg_days), len(market.slot_leg)
        self.leg_requests = [0] * n_legs
        self.slot_sold = [0.0] * n_slots
        self.slot_revenue = [0.0] * n_slots
        self.news_finished = [0] * n_legs
        self.news_dead = [0] * n_legs
        self.news_failed = [0] * n_legs
        self.news_heard: dict[str, list[int]] = {}
        capacity = self.eu.return_capacity_per_day * self.scale
        self.return_capacity_left = int(self.stream("returns").poisson(capacity))

    def close_day(self) -> None:
        """Hand today's requests, seat sales, leg news and news for home to the shared market,
        rumour and news stages."""
        legs = np.repeat(np.arange(len(self.leg_requests)), self.leg_requests)
        self.market.record_requests(legs, 1.0 / self.scale)
        self.market.sold += np.array(self.slot_sold)
        self.market.revenue += np.array(self.slot_revenue)
        self.beliefs.news += np.array([self.news_finished, self.news_dead, self.news_failed], float)
        for kind, origins in self.news_heard.items():
            self.news.hear(kind, np.array(origins, dtype=np.int64))

    # ----------------------------------------------------------------- stocks and checks
    def record_stocks(self) -> None:
        """Today's stocks per route and per country, tallied person by person."""
        if self.day < 0:
            return
        tables = self.tables
        n_places = len(tables.place_route)
        at_place = {k: [0] * n_places for k in ("stranded", "settled", "waiting", "detained")}
        pending, irregular = [0] * ROUTE_SLOTS, [0] * ROUTE_SLOTS
        stranded_statuses = frozenset(STRANDED_STATUSES)
        for migrant in self.agents_by_type.get(self.migrant_class, ()):
            status, place = migrant.status, migrant.place
            if status in stranded_statuses and tables.is_transit[place]:
                at_place["stranded"][place] += 1
            if status == Status.SETTLED and tables.is_transit[place]:
                at_place["settled"][place] += 1
            if status == WAITING and tables.is_transit[place]:
                at_place["waiting"][place] += 1
            if status == Status.DETAINED:
                at_place["detained"][place] += 1
            elif status == Status.ASYLUM_PENDING:
                pending[migrant.route_slot()] += 1
            elif status == Status.ABSCONDED:
                irregular[migrant.route_slot()] += 1
        route = np.array(tables.place_route)
        for metric, key in (
            ("stranded", "stranded"),
            ("settled", "settled"),
            ("waiting_for_seat", "waiting"),
            ("detained", "detained"),
        ):
            per_route = np.bincount(route, np.array(at_place[key], float), minlength=ROUTE_SLOTS)
            self.outcomes.set_stock(metric, per_route)
        self.outcomes.set_stock("asylum_pending", np.array(pending))
        self.outcomes.set_stock("irregular_stay", np.array(irregular))
        self.country_stocks.record(
            self.day,
            np.array(tables.place_state),
            stranded=np.array(at_place["stranded"], float),
            settled=np.array(at_place["settled"], float),
        )

    def assert_conserved(self) -> None:
        """Raise :class:`~sim.model.ConservationError` unless every person who set out is in
        exactly one status and the flows into final statuses match the people in them."""
        flows = self.outcomes.flow_totals(self.day)
        problems = []
        if sum(self.status_count) != len(self.population):
            problems.append(f"{sum(self.status_count)} people for {len(self.population)} rows")
        expected = {
            Status.DEAD_MISSING: "dead_missing",
            Status.PROTECTED: "asylum_granted",
            Status.GAVE_UP: "gave_up",
        }
        for status, metric in expected.items():
            if self.status_count[status] != round(flows[FLOW_INDEX[metric]]):
                problems.append(f"{self.status_count[status]} {status.name} but flows differ")
        active = [0] * N_STATUS
        for migrant in self.agents_by_type.get(self.migrant_class, ()):
            active[migrant.status] += 1
            if migrant.status < FIRST_FINAL and migrant.next_day <= self.day:
                problems.append(f"agent {migrant.unique_id} has no future event")
        if active[:FIRST_FINAL] != self.status_count[:FIRST_FINAL]:
            problems.append("the agents' statuses and the counts differ")
        if problems:
            raise ConservationError(f"day {self.day}: " + "; ".join(problems))
