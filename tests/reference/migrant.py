"""One migrant as a plain Mesa agent: the movement rules for one person, in plain Python.

Each method of :class:`Migrant` is the per-person version of a vectorised stage of
``sim/model``: ``review`` and ``take_voluntary_return`` of ``Settlement.review``, ``decide``
and ``choice_set`` of ``Travel.decide_and_depart`` (with ``sim/rules/behaviour.py``),
``settle``, ``wait``, ``work`` and ``board`` of the methods of those names, ``join_line`` of
``SeatQueue.join`` (the line is served by the model, as ``SeatQueue.serve``), ``finish_leg`` of
``move_along_legs`` (with ``sim/rules/movement.py``), ``be_pushed_back`` of ``push_back``,
``arrive`` of ``arrive``, ``enter_eu_state``, ``claim``, ``move_on``,
``hear_asylum_decision``, ``order_return``, ``face_return_order`` and
``review_irregular_stay`` of ``sim/model/asylum.py``, ``go_home_for_good_or_not`` of
``Origins.returnees`` and ``come_home`` of ``Origins.come_home``. What happens to a person is
heard at their origin (``model.hear``).

:class:`~reference.agent_model.ReferenceModel` steps every migrant once a day with
``shuffle_do("step")``. The model holds what people share: the day's prices, leg rates and
beliefs as Python lists (``model.tables``), the smugglers' seats, the return capacity, the
counters, and the seeded random streams (``model.stream(name)``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa

from sim.agents.population import FIELDS, Status
from sim.model.asylum import RETURN_RETRY_DAYS
from sim.network import NO_ROUTE
from sim.rules.behaviour import MOST_BELIEVED_FAILURE

if TYPE_CHECKING:
    from .agent_model import ReferenceModel

AT_ORIGIN, IN_TRANSIT, WORKING, ON_LEG, DETAINED, WAITING, SETTLED = (
    Status.AT_ORIGIN,
    Status.IN_TRANSIT,
    Status.WORKING,
    Status.ON_LEG,
    Status.DETAINED,
    Status.WAITING_FOR_SEAT,
    Status.SETTLED,
)
DECIDING = frozenset({AT_ORIGIN, IN_TRANSIT, WORKING, DETAINED, WAITING, SETTLED})
HOME_AGAIN = frozenset({Status.RETURNED, Status.RETURNED_VOLUNTARILY})


class Migrant(mesa.Agent):
    """One person on the move, with the attributes of one row of the array population."""

    status: int
    place: int
    previous_place: int
    leg: int
    next_day: int
    origin: int
    nationality: int
    protection_need: bool
    budget: float
    earnings: float
    risk_tolerance: float
    risk_perception: float
    destination: int
    attempts: int
    failures: int
    set_out_day: int
    entry_route: int
    entry_day: int
    entry_from_state: int
    entry_from_place: int
    smo_applied: bool
    dublin_state: int
    dublin_place: int
    leaving: bool
    rejected: bool
    in_country_since: int

    def __init__(self, model: ReferenceModel, row: dict[str, Any]) -> None:
        super().__init__(model)
        for name in FIELDS:
            setattr(self, name, row[name])

    # ----------------------------------------------------------------- the day of one person
    def step(self) -> None:
        """Whatever falls due today for this person, in the order of the model's day."""
        day = self.model.day
        if self.next_day != day:
            return
        if self.status in DECIDING:
            if self.status == WAITING:  # patience ran out: out of the line, choose again
                self.leg = -1
                self.model.set_status(self, IN_TRANSIT)
            if self.status in (SETTLED, DETAINED):
                self.review()
            if self.next_day == day and self.status in DECIDING:
                self.decide()
        if self.next_day == day and self.status == ON_LEG:
            self.finish_leg()
        if self.next_day == day and self.status == Status.ASYLUM_PENDING:
            if self.leaving:
                self.move_on("claim_pending")
            else:
                self.hear_asylum_decision()
        if self.next_day == day and self.status == Status.RETURN_ORDERED:
            self.face_return_order()
        if self.next_day == day and self.status == Status.ABSCONDED:
            self.review_irregular_stay()
        if self.next_day == day and self.status in HOME_AGAIN:
            self.come_home()

    def review(self) -> None:
        """Settled: count the spell's earnings; go home assisted, move on, or stay another
        spell. Released from detention: perhaps go home assisted (with the chance of the days
        held)."""
        model, tables, params = self.model, self.model.tables, self.model.params
        place = self.place
        spell = params.settled_review_days
        if self.status == SETTLED:
            wage = tables.wage[place] * tables.wage_multiplier[tables.place_state[place]]
            self.budget += wage * self.earnings * spell
            days = spell
        else:
            days = tables.detention_days[tables.place_state[place]]
        going_home = 1.0 - math.exp(-tables.voluntary_return_rate[place] * days)
        if model.stream("voluntary_return").random() < going_home:
            self.take_voluntary_return()
            return
        if self.status != SETTLED:
            return
        hazard = (
            tables.resume_rate[place]
            * tables.resume_multiplier[tables.place_state[place]]
            * tables.onward_price_ratio[place] ** -params.settled_price_elasticity
        )
        if model.stream("resuming").random() < 1.0 - math.exp(-hazard * spell):
            model.set_status(self, IN_TRANSIT)
            model.outcomes.add_total("resumed", tables.place_route[place], 1.0)
        else:
            self.next_day = model.day + spell

    def take_voluntary_return(self) -> None:
        """Home from a transit country with assisted voluntary return, at a cost to states."""
        model, tables, params = self.model, self.model.tables, self.model.params
        model.outcomes.add_total("voluntary_returns", tables.place_route[self.place], 1.0)
        model.outcomes.add_total("state_spending_eur", NO_ROUTE, params.voluntary_return_cost_eur)
        self.place, self.previous_place, self.leg = self.origin, -1, -1
        model.set_status(self, Status.RETURNED_VOLUNTARILY)
        self.go_home_for_good_or_not(params.voluntary_return_support, "came_back")

    def decide(self) -> None:
        """Give up; or choose a leg by multinomial logit; then settle or work if they cannot pay
        for it yet, join the line for a seat on a smuggled leg, or pay the fare and set off;
        with no leg open to them, wait."""
        model, tables, params = self.model, self.model.tables, self.model.params
        give_up = min(params.give_up_base + params.give_up_per_failure * self.failures, 0.95)
        if model.stream("giving_up").random() < give_up:
            model.send_migrant_home(self, Status.GAVE_UP, "gave_up")
            return
        candidates = self.choice_set()
        if not candidates:
            self.wait(params.stuck_wait_days)
            return
        best = max(utility for _, utility in candidates)
        odds = [(leg, math.exp(utility - best)) for leg, utility in candidates]
        threshold = model.stream("choice").random() * sum(weight for _, weight in odds)
        chosen, cumulative = odds[-1][0], 0.0
        for leg, weight in odds:
            cumulative += weight
            if cumulative > threshold:
                chosen = leg
                break
        price = tables.price[chosen]
        if price > self.budget:
            if model.stream("settling").random() < tables.settle_chance[self.place]:
                self.settle()
            else:
                self.work(price)
        elif not tables.leg_smuggled[chosen]:
            self.board(chosen, price)
        else:
            self.join_line(chosen)

    def settle(self) -> None:
        """Settle here, to live and work, until the first review."""
        self.model.set_status(self, SETTLED)
        self.next_day = self.model.day + self.model.params.settled_review_days

    def choice_set(self) -> list[tuple[int, float]]:
        """The legs out of this place open to the person, with their utility.

        A leg is open unless closed, barred to their nationality (visas) or without a seller;
        the leg straight back to where they came from is left out unless it is the only one.
        Legs of utility -inf (no way on to any destination) are never chosen.
        """
        tables, weights = self.model.tables, self.model.beliefs.weights
        barred = tables.barred[self.nationality]
        open_legs = [
            leg
            for leg in range(tables.out_start[self.place], tables.out_start[self.place + 1])
            if not (tables.closed[leg] or barred[leg] or math.isinf(tables.price[leg]))
        ]
        onward = [leg for leg in open_legs if tables.leg_target[leg] != self.previous_place]
        to_go = tables.cost_to_go[self.nationality][self.destination]
        risk_weight = weights.risk_per_percent * (1.0 - self.risk_tolerance)
        candidates = []
        for leg in onward or open_legs:
            target = tables.leg_target[leg]
            remaining = to_go[target]
            if math.isinf(remaining):
                remaining = (
                    tables.cost_to_go_any[self.nationality][target] + tables.unreachable_penalty
                )
            # The leg's days over the attempts it is expected to need (geometric tries).
            attempts = 1.0 / (1.0 - min(tables.believed_failure[leg], MOST_BELIEVED_FAILURE))
            cost = (
                weights.price_per_1000_eur * tables.price[leg] / 1000.0
                + weights.time_per_day * tables.leg_days[leg] * attempts
                + risk_weight * 100.0 * tables.believed_death[leg] * self.risk_perception
                + weights.failure_per_percent * 100.0 * tables.believed_failure[leg]
                + remaining
            )
            utility = -cost / weights.scale
            if utility > -math.inf:
                candidates.append((leg, utility))
        return candidates

    def wait(self, days: int) -> None:
        """Stay at the place and decide again in ``days``."""
        self.model.set_status(self, IN_TRANSIT)
        self.next_day = self.model.day + days

    def work(self, target_price: float) -> None:
        """Work and save toward the price of the leg chosen, for at most one work spell."""
        model, tables = self.model, self.model.tables
        state = tables.place_state[self.place]
        wage = tables.wage[self.place] * self.earnings * tables.wage_multiplier[state]
        shortfall = max(target_price - self.budget, 0.0)
        days = math.ceil(shortfall / max(wage, 0.01))
        days = min(max(days, 1), model.params.work_spell_days)
        self.budget += wage * days
        model.set_status(self, WORKING)
        self.next_day = model.day + days

    def join_line(self, leg: int) -> None:
        """Join the line for a seat on ``leg`` until a seat comes or patience runs out."""
        model = self.model
        model.set_status(self, WAITING)
        self.leg = leg
        self.next_day = model.day + model.params.seat_patience_days
        model.join_line(self)

    def board(self, leg: int, price: float) -> None:
        """Pay and set off; crossing a border counts as an attempt."""
        model, tables = self.model, self.model.tables
        self.budget -= price
        model.set_status(self, ON_LEG)
        self.leg = leg
        self.next_day = model.day + tables.leg_days[leg]
        if tables.leg_border[leg]:
            self.attempts += 1
            model.outcomes.add_total("attempts", tables.leg_route[leg], 1.0)
            model.hear("attempted", self.origin)

    def finish_leg(self) -> None:
        """The hazards at the end of the leg, in the order of the journey."""
        model, tables = self.model, self.model.tables
        leg, route = self.leg, tables.leg_route[self.leg]
        self.leg = -1
        model.news_finished[leg] += 1
        first_check = model.stream("interception").random()
        if first_check >= tables.pullback[leg] and first_check < tables.refusal[leg]:
            model.news_failed[leg] += 1  # refused boarding: no later hazard
            model.hear("failed", self.origin)
            model.outcomes.add_total("boarding_refusals", route, 1.0)
            self.failures += 1
            model.set_status(self, IN_TRANSIT)
            self.next_day = model.day + model.params.rest_days
            return
        if first_check < tables.pullback[leg]:
            model.news_failed[leg] += 1
            model.hear("failed", self.origin)
            model.outcomes.add_total("interceptions", route, 1.0)
            self.failures += 1
            model.set_status(self, DETAINED)
            detention = tables.leg_detention_days[leg]  # a policy's, else the state's
            if detention < 0:
                detention = tables.detention_days[tables.leg_transit_state[leg]]
            self.next_day = model.day + max(detention, 1)
            return
        distress = tables.death_risk[leg] * tables.death_multiplier[leg] * tables.distress[leg]
        distress /= max(1.0 - tables.baseline_rescue[leg], 0.05)
        in_distress = model.stream("distress").random() < distress
        rescued = in_distress and model.stream("rescue").random() < tables.rescue_share[leg]
        if in_distress and not rescued:
            model.news_dead[leg] += 1
            model.hear("died", self.origin)
            model.outcomes.add_total("dead_missing", route, 1.0)
            model.finish(self, Status.DEAD_MISSING)
            return
        expelled = tables.apprehension[leg] * tables.pushback[leg]
        if model.stream("pushback").random() < expelled:
            model.news_failed[leg] += 1
            model.hear("failed", self.origin)
            model.outcomes.add_total("pushbacks", route, 1.0)
            self.be_pushed_back(leg)
            return
        if rescued:
            model.outcomes.add_total("rescued", route, 1.0)
        self.arrive(leg)

    def be_pushed_back(self, leg: int) -> None:
        """Expelled without procedure: sent back (to the leg's start, or further back along
        the usual way in under a pushbacks policy), robbed, delayed (twice over if injured)."""
        model, tables, params = self.model, self.model.tables, self.model.params
        self.failures += 1
        money_lost = tables.pushback_money_lost[leg]
        if math.isnan(money_lost):
            money_lost = params.pushback_money_lost_share
        self.budget *= 1.0 - money_lost
        place = tables.push_back_place[leg]
        for _ in range(tables.pushback_places_back[leg] - 1):
            place = tables.usual_previous_place[place]
        self.place, self.previous_place = place, -1
        model.month_friction[tables.place_state[place]] += 1.0
        days_lost = tables.pushback_days_lost[leg]
        if days_lost < 0:
            days_lost = params.pushback_days_lost
        if model.stream("pushback_injury").random() < tables.pushback_injury[leg]:
            days_lost *= 2
        model.set_status(self, IN_TRANSIT)
        self.next_day = model.day + 1 + days_lost

    def arrive(self, leg: int) -> None:
        """Reach the end of the leg; count entries into transit countries and the EU; on
        entering an EU state, claim asylum there or move on."""
        model, tables, day = self.model, self.model.tables, self.model.day
        target = tables.leg_target[leg]
        if tables.place_state[target] != tables.place_state[tables.leg_source[leg]]:
            self.in_country_since = day
        self.previous_place, self.place = self.place, target
        model.leg_flows[leg] += 1.0 / model.scale
        if tables.leg_border[leg] and not tables.is_eu[target]:
            model.outcomes.add_total("transit_entries", tables.leg_route[leg], 1.0)
        if tables.leg_eu_entry[leg]:
            route = tables.leg_route[leg]
            model.outcomes.add_total("arrivals", route, 1.0)
            model.month_leg_arrivals[leg] += 1.0
            if self.entry_route < 0:
                self.entry_route = -1 if route == NO_ROUTE else route
                self.entry_day = day
                self.entry_from_place = tables.leg_source[leg]
                self.entry_from_state = tables.place_state[self.entry_from_place]
                model.outcomes.add_total("arrivals_people", route, 1.0)
                model.hear("made_it", self.origin)
                model.outcomes.add_total("transit_days_total", route, day - self.set_out_day)
        if not self.enter_eu_state(leg):
            model.set_status(self, IN_TRANSIT)
            self.next_day = day + model.params.rest_days

    def enter_eu_state(self, leg: int) -> bool:
        """On entering an EU state: register (the first is responsible), then claim asylum if
        it is the state intended or by the state's share, with a Dublin transfer back to the
        responsible state by chance. True if the person is now in the asylum system."""
        model, tables, params = self.model, self.model.tables, self.model.params
        target = tables.leg_target[leg]
        state = tables.place_state[target]
        if not tables.is_eu[target] or tables.place_state[tables.leg_source[leg]] == state:
            return False
        if self.dublin_state < 0 and params.claim_at_entry_share[state] > 0:
            self.dublin_state, self.dublin_place = state, target
        intended = tables.place_state[self.destination] == state
        by_chance = model.stream("claim_at_entry").random() < params.claim_at_entry_share[state]
        if not (intended or by_chance):
            return False
        responsible = self.dublin_state
        if responsible != state and model.stream("dublin").random() < params.dublin_transfer_rate:
            model.outcomes.add_total("dublin_transfers", self.route_slot(), 1.0)
            self.place, self.previous_place = self.dublin_place, -1
            self.in_country_since = model.day
            if self.rejected:
                self.order_return(resumed=True)
            else:
                self.claim()
            return True
        self.dublin_state, self.dublin_place = state, target
        self.claim()
        return True

    def claim(self) -> None:
        """Lodge a claim here; some who did not intend this state leave before the decision."""
        model, tables, params, day = (
            self.model,
            self.model.tables,
            self.model.params,
            self.model.day,
        )
        state = tables.place_state[self.place]
        model.outcomes.add_total("asylum_applications", self.route_slot(), 1.0)
        model.set_status(self, Status.ASYLUM_PENDING)
        decision = (
            day + 1 + int(model.stream("asylum_delay").exponential(params.asylum_processing_days))
        )
        elsewhere = tables.place_state[self.destination] != state
        moves = elsewhere and (
            model.stream("secondary_movement").random() < params.secondary_movement_share[state]
        )
        leave = (
            day
            + 1
            + int(model.stream("secondary_delay").exponential(params.secondary_movement_days))
        )
        self.leaving = bool(moves and leave < decision)
        self.next_day = leave if self.leaving else decision

    def order_return(self, resumed: bool) -> None:
        """An order to leave, tried after a delay (resumed after a Dublin transfer)."""
        model = self.model
        if resumed:
            model.outcomes.add_total("return_orders_resumed", self.route_slot(), 1.0)
        model.set_status(self, Status.RETURN_ORDERED)
        delay = model.stream("returns").exponential(model.params.return_delay_days)
        self.next_day = model.day + 1 + int(delay)

    def move_on(self, reason: str) -> None:
        """Leave for another EU state: in transit from tomorrow."""
        self.model.outcomes.add_total("secondary_movements", self.route_slot(), 1.0)
        self.leaving = False
        self.model.set_status(self, IN_TRANSIT)
        self.next_day = self.model.day + 1

    def review_irregular_stay(self) -> None:
        """Staying irregularly: move on toward a reachable destination outside the state
        responsible, by chance; else stay until the next review."""
        model, tables, params = self.model, self.model.tables, self.model.params
        if model.stream("onward_after_rejection").random() < params.onward_movement_after_rejection:
            options = [
                (place, weight)
                for place, state, weight in tables.destination_options
                if state != self.dublin_state
                and not math.isinf(tables.cost_to_go[self.nationality][place][self.place])
            ]
            if options:
                threshold = model.stream("onward_destination").random() * sum(w for _, w in options)
                cumulative, chosen = 0.0, options[-1][0]
                for place, weight in options:
                    cumulative += weight
                    if cumulative > threshold:
                        chosen = place
                        break
                self.destination = chosen
                self.move_on("after_rejection")
                return
        delay = model.stream("irregular_stay_delay").exponential(params.irregular_stay_review_days)
        self.next_day = model.day + 1 + int(delay)

    def hear_asylum_decision(self) -> None:
        """Protection, or a return order to be carried out after a delay."""
        model, params = self.model, self.model.params
        grant = (
            params.recognition_if_need if self.protection_need else params.recognition_if_no_need
        )
        route = self.route_slot()
        if model.stream("asylum").random() < grant:
            model.outcomes.add_total("asylum_granted", route, 1.0)
            model.hear("protected", self.origin)
            model.finish(self, Status.PROTECTED)
            return
        model.outcomes.add_total("return_decisions", route, 1.0)
        self.rejected = True
        self.order_return(resumed=False)

    def face_return_order(self) -> None:
        """Returned if the origin state cooperates (or, under a readmission deal, the transit
        state they entered the EU from takes them) and there is capacity today; else wait a
        month (no capacity) or abscond (nobody takes them)."""
        model, tables, params = self.model, self.model.tables, self.model.params
        rng = model.stream("returns")
        own_state = tables.nationality_state[self.nationality]
        feasible = rng.random() < tables.cooperation[own_state]
        partner = self.entry_from_state
        to_partner = False
        if not feasible and partner >= 0 and partner != own_state:
            takes = tables.third_country_readmission[partner]
            to_partner = model.stream("returns_third_country").random() < takes
        if not (feasible or to_partner):
            model.outcomes.add_total("absconded", self.route_slot(), 1.0)
            model.hear("absconded", self.origin)
            model.set_status(self, Status.ABSCONDED)
            delay = model.stream("irregular_stay_delay").exponential(
                params.irregular_stay_review_days
            )
            self.next_day = model.day + 1 + int(delay)
            return
        if model.return_capacity_left <= 0:
            self.next_day = model.day + RETURN_RETRY_DAYS
            return
        model.return_capacity_left -= 1
        model.outcomes.add_total("returns", self.route_slot(), 1.0)
        if to_partner:
            self.place, self.previous_place = self.entry_from_place, -1
            self.in_country_since = model.day
            model.month_friction[partner] += 1.0
            model.set_status(self, DETAINED)
            self.next_day = model.day + tables.detention_days[partner]
            return
        self.place = self.origin
        model.set_status(self, Status.RETURNED)
        self.go_home_for_good_or_not(params.reintegration_support_forced, "deported")

    def go_home_for_good_or_not(self, support: float, news: str) -> None:
        """Just brought home: set out again later (less likely with reintegration
        ``support``), or stay home for good. Home hears of it (``news``)."""
        model, params = self.model, self.model.params
        model.hear(news, self.origin)
        chance = params.remigration_probability * (1.0 - params.reintegration_effect * support)
        if model.stream("remigration").random() < chance:
            delay = model.stream("remigration").exponential(params.remigration_delay_days)
            self.next_day = model.day + 1 + int(delay)
        else:
            model.finish(self, self.status)

    def come_home(self) -> None:
        """Back at the origin after a return, and setting out again."""
        self.model.set_status(self, AT_ORIGIN)
        self.place = self.origin
        self.in_country_since = self.model.day
        self.next_day = self.model.day + 1

    def route_slot(self) -> int:
        """Route slot of this person's first irregular entry into the EU (5 when none)."""
        return self.entry_route if self.entry_route >= 0 else NO_ROUTE
