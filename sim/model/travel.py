"""Travelling: deciding at a place, setting off, and what happens at the end of a leg.

:class:`Travel` has two stages of the day (``docs/model.md``):

- :meth:`Travel.decide_and_depart`: the people due at a place give up, wait, settle or work
  when they cannot pay for the leg they choose, join the line for a seat on a smuggled leg
  (:class:`sim.model.seats.SeatQueue`) or pay the fare and set off (the rules are in
  :mod:`sim.rules.behaviour`);
- :meth:`Travel.move_along_legs`: the legs ending today end in pullback, distress with rescue or
  death (likelier at sea in winter: :mod:`sim.model.seasons`), pushback, refused boarding or
  arrival (:func:`sim.rules.movement.leg_outcomes`); arrivals in an EU state claim asylum there
  or move on (:meth:`sim.model.asylum.Asylum.arrive`).

What happens to people (crossings attempted and failed, deaths, first entries into the EU) is
heard at their origin (:class:`sim.model.news.HomeNews`).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import NEVER, Status
from sim.model.world import World
from sim.network import NO_ROUTE, SEGMENTS
from sim.rules import behaviour
from sim.rules.movement import FAILED, Outcome, leg_outcomes, seen_by_state

#: The per-person hazards at the end of a leg, each with its own draw, in leg_outcomes' order.
LEG_HAZARDS = ("interception", "distress", "rescue", "pushback")

#: People at places with two ways on (at most) choose apart from those at the hubs
#: (:meth:`Travel.decide_and_depart`).
NARROW_CHOICE = 2


class Travel:
    """People choosing legs, boarding them, and coming to the end of them."""

    def __init__(self, model: World) -> None:
        self.model = model
        # Each place's ways on, padded to the most at any place and to NARROW_CHOICE: width ->
        # (legs, valid), rows by place (see behaviour.candidate_legs).
        c = model.net.compiled
        legs, valid = behaviour.candidate_legs(np.arange(c.n_places), c.out_start)
        self.widest = legs.shape[1]
        self.n_ways_on = np.diff(c.out_start)  # how many, per place
        self.ways_on = {
            width: (legs[:, :width].copy(), valid[:, :width].copy())
            for width in {NARROW_CHOICE, self.widest}
        }

    # ----------------------------------------------------------------- deciding
    def decide_and_depart(self, ids: np.ndarray) -> None:
        """Give up, or choose a leg; settle or work if it is out of reach; join the line for a
        seat, or pay the fare and set off."""
        model = self.model
        pop, p, c = model.population, model.params, model.net.compiled
        if len(ids) == 0:
            return
        giving_up = model.draws("giving_up", ids) < behaviour.give_up_probability(
            pop.failures[ids], p.give_up_base, p.give_up_per_failure
        )
        model.send_home(ids[giving_up], Status.GAVE_UP, "gave_up")
        ids = ids[~giving_up]

        prices = model.leg_prices()
        open_leg = ~c.leg_closed & np.isfinite(prices)  # open today, to someone
        chosen = np.empty(len(ids), dtype=np.int64)
        # Choices are padded to the most ways on among the places chosen from (six at a few
        # hubs); people at places with one way on (a third of decisions) take it if it is open
        # to them, and those at places with two (nearly half) choose apart from the hubs'.
        # The result is the same as one choice for all.
        degree = self.n_ways_on[pop.place[ids]]
        single = degree == 1
        narrow = degree <= NARROW_CHOICE
        if single.any():
            chosen[single] = self.only_way(ids[single], open_leg)
        for part, width in ((narrow & ~single, NARROW_CHOICE), (~narrow, self.widest)):
            if part.any():
                chosen[part] = self.choose_legs(ids[part], prices, open_leg, width)

        # Nowhere to go: wait. A leg they cannot pay for yet: settle, or work and save for it.
        nowhere = chosen < 0
        self.wait(ids[nowhere], p.stuck_wait_days)
        ids, chosen = ids[~nowhere], chosen[~nowhere]
        price = prices[chosen]
        short = price > pop.budget[ids]
        short_ids, short_price = ids[short], price[short]
        settling = model.settlement.settling(short_ids)
        model.settlement.settle(short_ids[settling])
        self.work(short_ids[~settling], short_price[~settling])
        ids, chosen, price = ids[~short], chosen[~short], price[~short]

        smuggled = c.leg_smuggled[chosen]
        self.board(ids[~smuggled], chosen[~smuggled], price[~smuggled])
        model.seats.join(ids[smuggled], chosen[smuggled])

    def only_way(self, ids: np.ndarray, open_leg: np.ndarray) -> np.ndarray:
        """For people ``ids`` at places with one way on: that leg where it is open to them and
        leads on to a destination (what :meth:`choose_legs` would choose), else -1."""
        model = self.model
        pop = model.population
        legs = model.net.compiled.out_start[pop.place[ids]].astype(np.int64)
        nationality = pop.nationality[ids]
        barred = model.modifiers.leg_barred[nationality, legs]
        leads_on = model.beliefs.leads_on[nationality, legs]
        return np.where(open_leg[legs] & ~barred & leads_on, legs, -1)

    def choose_legs(
        self, ids: np.ndarray, prices: np.ndarray, open_leg: np.ndarray, width: int
    ) -> np.ndarray:
        """The leg each person ``ids`` chooses at their place (-1: none open to them), from a
        logit over the legs open to them (of ``open_leg``, today's) at today's ``prices``;
        their places have at most ``width`` ways on."""
        model = self.model
        pop, c, beliefs = model.population, model.net.compiled, model.beliefs
        place = pop.place[ids]
        legs, valid = (table.take(place, axis=0) for table in self.ways_on[width])  # take: faster
        nationality = pop.nationality[ids][:, None]
        open_to_them = valid & open_leg[legs] & ~model.modifiers.leg_barred[nationality, legs]
        # No immediate way back, unless it is the only way on.
        onward = open_to_them & (c.leg_target[legs] != pop.previous_place[ids][:, None])
        any_onward = onward[:, 0].copy()  # onward.any(axis=1), column by column (faster)
        for k in range(1, width):
            any_onward |= onward[:, k]
        open_to_them = np.where(any_onward[:, None], onward, open_to_them)
        utility = behaviour.leg_utility(
            legs,
            prices,
            c.leg_days,
            beliefs.death_risk,
            beliefs.failure,
            beliefs.cost_to_go_for(pop.nationality[ids], pop.destination[ids], legs),
            pop.risk_tolerance[ids],
            pop.risk_perception[ids],
            beliefs.weights,
        )
        return behaviour.choose_legs(legs, open_to_them, utility, model.draws("choice", ids))

    def wait(self, ids: np.ndarray, days: int) -> None:
        """Stay at the place for ``days`` and decide again."""
        if len(ids) == 0:
            return
        pop = self.model.population
        pop.set_status(ids, Status.IN_TRANSIT)
        pop.next_day[ids] = self.model.day + days

    def work(self, ids: np.ndarray, target_price: np.ndarray) -> None:
        """Work and save toward the price of the leg chosen, for at most one work spell."""
        if len(ids) == 0:
            return
        model = self.model
        pop = model.population
        place = pop.place[ids]
        state = model.net.compiled.place_state[place]
        wage = model.wage[place] * pop.earnings[ids] * model.modifiers.wage_multiplier[state]
        days = behaviour.days_of_work_needed(
            target_price - pop.budget[ids], wage, model.params.work_spell_days
        )
        pop.budget[ids] += wage * days
        pop.set_status(ids, Status.WORKING)
        pop.next_day[ids] = model.day + days

    def board(self, ids: np.ndarray, legs: np.ndarray, price: np.ndarray) -> None:
        """Pay and set off on a leg; crossings of borders count as attempts."""
        if len(ids) == 0:
            return
        model = self.model
        pop, c = model.population, model.net.compiled
        pop.budget[ids] -= price
        pop.set_status(ids, Status.ON_LEG)
        pop.leg[ids] = legs
        pop.next_day[ids] = model.day + c.leg_days[legs]
        border = c.leg_border[legs]
        pop.attempts[ids[border]] += 1
        model.outcomes.add("attempts", c.leg_route_slot[legs[border]])
        model.news.hear("attempted", pop.origin[ids[border]])

    # ----------------------------------------------------------------- the end of a leg
    def move_along_legs(self, ids: np.ndarray) -> None:
        """Resolve the legs of people ``ids``, which end today."""
        model = self.model
        pop, c, r, mods = model.population, model.net.compiled, model.rates, model.modifiers
        if len(ids) == 0:
            return
        legs = pop.leg[ids].astype(np.int64)
        hazards = model.draws_each(LEG_HAZARDS, ids)
        outcome = leg_outcomes(
            legs,
            c.leg_death_risk,
            model.leg_baseline_rescue,
            r.rescue_share,
            r.death_multiplier * model.seasons.distress,
            r.pullback,
            r.apprehension,
            r.pushback,
            hazards,
            refusal=r.refusal,
        )
        route = c.leg_route_slot[legs]
        model.beliefs.record(legs, outcome)
        pop.leg[ids] = -1

        news = model.news
        # A refused boarding is a failed crossing too, as people at home hear of it.
        failed = FAILED[outcome]
        news.hear("failed", pop.origin[ids[failed]])
        news.hear("died", pop.origin[ids[outcome == Outcome.DEAD]])

        pulled = outcome == Outcome.PULLED_BACK
        back, back_legs = ids[pulled], legs[pulled]
        model.outcomes.add("interceptions", route[pulled], split=self.leg_split(back_legs, back))
        pop.failures[back] += 1
        pop.set_status(back, Status.DETAINED)
        detention = np.where(
            mods.detention_days[back_legs] >= 0,
            mods.detention_days[back_legs],
            np.where(
                c.leg_transit_state[back_legs] >= 0,
                model.conduct.detention_days[np.maximum(c.leg_transit_state[back_legs], 0)],
                1,
            ),
        )
        pop.next_day[back] = model.day + np.maximum(detention, 1)

        dead = outcome == Outcome.DEAD
        model.outcomes.add("dead_missing", route[dead], split=self.leg_split(legs[dead]))
        pop.set_status(ids[dead], Status.DEAD_MISSING)
        pop.next_day[ids[dead]] = NEVER

        pushed = outcome == Outcome.PUSHED_BACK
        model.outcomes.add(
            "pushbacks", route[pushed], split={"state": c.leg_eu_state[legs[pushed]]}
        )
        self.push_back(ids[pushed], legs[pushed])

        refused = outcome == Outcome.REFUSED
        model.outcomes.add(
            "boarding_refusals",
            route[refused],
            split={"state": c.place_state[c.leg_target[legs[refused]]]},
        )
        self.refuse_boarding(ids[refused])

        rescued = outcome == Outcome.RESCUED
        model.outcomes.add("rescued", route[rescued])
        made_it = (outcome == Outcome.ARRIVED) | rescued
        seen = seen_by_state(legs, outcome, r.apprehension, hazards)
        self.arrive(ids[made_it], legs[made_it], seen[made_it])

    def leg_split(self, legs: np.ndarray, ids: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Categories of an event on ``legs``: their mode, segment, the transit state that
        controls them (the one that intercepts), and a state with the segment
        (``state_segment``): the transit state, or for a leg that no transit state controls
        (inside the EU) the state it leaves from; the state it leaves from with the segment
        (``from_state_segment``); with the people ``ids``, the state of ``state_segment`` with
        their nationality too (``state_nationality``)."""
        model = self.model
        c = model.net.compiled
        state = c.leg_transit_state[legs]
        segment = c.leg_segment[legs]
        left = c.place_state[c.leg_source[legs]]
        controlling = np.where(state >= 0, state, left)
        split = {
            "mode": c.leg_mode[legs],
            "segment": segment,
            "state": state,
            "state_segment": controlling * len(SEGMENTS) + segment,
            "from_state_segment": left * len(SEGMENTS) + segment,
        }
        if ids is not None:
            split["state_nationality"] = self.with_nationality(controlling, ids)
        return split

    def with_nationality(self, states: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """The ``STATE:NAT`` category of each person ``ids`` with a state of ``states`` (in
        the order of :func:`sim.outputs.counters.split_categories`)."""
        model = self.model
        return states * len(model.net.nationalities) + model.population.nationality[ids]

    def refuse_boarding(self, ids: np.ndarray) -> None:
        """Refused boarding: still at the leg's start (their place), the fare lost; they rest
        and decide again."""
        if len(ids) == 0:
            return
        pop = self.model.population
        pop.failures[ids] += 1
        pop.set_status(ids, Status.IN_TRANSIT)
        pop.next_day[ids] = self.model.day + self.model.params.rest_days

    def push_back(self, ids: np.ndarray, legs: np.ndarray) -> None:
        """Expelled without procedure: sent back, hurt, robbed and delayed.

        People land at the leg's start, or further back along the usual way in when a
        pushbacks policy says so; the injured lose the days twice over.
        """
        if len(ids) == 0:
            return
        model = self.model
        pop, mods, c = model.population, model.modifiers, model.net.compiled
        pop.failures[ids] += 1
        money_lost = np.where(
            np.isnan(mods.pushback_money_lost[legs]),
            model.params.pushback_money_lost_share,
            mods.pushback_money_lost[legs],
        )
        pop.budget[ids] *= 1.0 - money_lost
        place = c.leg_source[legs].astype(np.int64)
        for k in range(1, int(mods.pushback_places_back[legs].max(initial=1))):
            further = mods.pushback_places_back[legs] > k
            place = np.where(further, c.usual_previous_place[place], place)
        pop.place[ids] = place
        pop.previous_place[ids] = -1
        friction = model.month_friction  # the state pushed into
        friction += np.bincount(c.place_state[place], minlength=len(friction))
        days_lost = np.where(
            mods.pushback_days_lost[legs] >= 0,
            mods.pushback_days_lost[legs],
            model.params.pushback_days_lost,
        )
        injured = model.draws("pushback_injury", ids) < mods.pushback_injury[legs]
        days_lost = days_lost * (1 + injured)
        pop.set_status(ids, Status.IN_TRANSIT)
        pop.next_day[ids] = model.day + 1 + days_lost

    def arrive(self, ids: np.ndarray, legs: np.ndarray, seen: np.ndarray) -> None:
        """Reach the end of the leg: count entries into the EU (all of them as ``arrivals``,
        those the state entered saw, ``seen``, as ``detections``); in the EU, claim asylum or
        move on (:meth:`sim.model.asylum.Asylum.arrive`)."""
        if len(ids) == 0:
            return
        model = self.model
        pop, c = model.population, model.net.compiled
        target = c.leg_target[legs]
        new_country = c.place_state[target] != c.place_state[c.leg_source[legs]]
        pop.in_country_since[ids[new_country]] = model.day
        pop.previous_place[ids] = pop.place[ids]
        pop.place[ids] = target
        np.add.at(model.leg_flows, legs, 1.0 / model.scale)
        into = c.leg_border[legs] & ~c.place_is_eu[target]  # entries into a transit country
        entered = c.place_state[target[into]]
        model.outcomes.add(
            "transit_entries",
            c.leg_route_slot[legs[into]],
            split={
                "state": entered,
                "state_nationality": self.with_nationality(entered, ids[into]),
            },
        )
        entry = c.leg_eu_entry[legs]
        entry_legs, detected = legs[entry], seen[entry]
        route_in = c.leg_route_slot[entry_legs]
        from_state = c.place_state[c.leg_source[entry_legs]]
        split = {
            "nationality": pop.nationality[ids[entry]],
            "state": c.leg_eu_state[entry_legs],
            "from_state": from_state,
            "from_state_nationality": self.with_nationality(from_state, ids[entry]),
        }
        model.outcomes.add("arrivals", route_in, split=split)
        model.outcomes.add(
            "detections", route_in[detected], split={k: v[detected] for k, v in split.items()}
        )
        # A border state's stance reads the arrivals it saw (sim.model.monthly).
        model.month_leg_arrivals += np.bincount(entry_legs[detected], minlength=c.n_legs)
        first = entry & (pop.entry_day[ids] == NEVER)
        newcomers = ids[first]
        entry_route = c.leg_route_slot[legs[first]]
        pop.entry_route[newcomers] = np.where(entry_route == NO_ROUTE, -1, entry_route)
        pop.entry_day[newcomers] = model.day
        pop.entry_from_place[newcomers] = c.leg_source[legs[first]]
        pop.entry_from_state[newcomers] = c.place_state[pop.entry_from_place[newcomers]]
        model.outcomes.add(
            "arrivals_people", entry_route, split={"nationality": pop.nationality[newcomers]}
        )
        model.news.hear("made_it", pop.origin[newcomers])
        model.outcomes.add(
            "transit_days_total",
            entry_route,
            (model.day - pop.set_out_day[newcomers]).astype(float),
        )
        onward = ids[~model.asylum.arrive(ids, legs)]
        pop.set_status(onward, Status.IN_TRANSIT)
        pop.next_day[onward] = model.day + model.params.rest_days
