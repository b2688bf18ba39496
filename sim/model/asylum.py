"""Asylum in the EU: where people claim, decisions, returns, and movements inside the EU.

:class:`Asylum` meets people as they arrive at an EU place (:meth:`Asylum.arrive`) and has one
stage of the day, :meth:`Asylum.decide`. The rules (``docs/model.md``, "Asylum and movement
inside the EU"):

- **Where people claim.** On entering an EU state, a person claims asylum there if it is the
  state of their intended destination, or else with the state's ``claim_at_entry_share``; the
  others move on through the network. The first EU state entered is responsible for them
  (Dublin, as Eurodac registers the entry; not a state where claims cannot be lodged at all,
  such as Hungary), and then the state where they lodge a claim.
- **Dublin.** A person who claims in another state than the one responsible is transferred
  back there with ``dublin_transfer_rate``: their pending claim is examined there, or, if they
  were rejected, their return order is resumed there.
- **Secondary movement after a claim.** Of those who claim outside the state they intended, a
  share ``secondary_movement_share`` of the state leaves before the decision (after about
  ``secondary_movement_days``) and travels on.
- **Decisions and returns.** A claim is decided after an exponential delay; a rejection is a
  return order, carried out when the person's state cooperates (its stance on readmission, or a
  deal), within the EU's capacity. Orders not carried out end in **irregular stay**
  (``absconded``), which is not final: at each review (about every
  ``irregular_stay_review_days``) a person moves on to another EU state with
  ``onward_movement_after_rejection`` and claims again there (subject to Dublin).
- People returned may set out again, as their reintegration support allows
  (:meth:`sim.model.origins.Origins.returnees`; they set out in the stage "returnees set out
  again"). Their homes hear of protection, deportation and absconding
  (:class:`sim.model.news.HomeNews`).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import NEVER, Status
from sim.model.world import World
from sim.network import NO_ROUTE
from sim.outputs.metrics import REASONS

#: Days a return order that found no capacity today waits before it is tried again.
RETURN_RETRY_DAYS = 30


def exponential_days(mean: float, u: np.ndarray) -> np.ndarray:
    """Whole days of an exponential delay with ``mean``, from uniforms ``u`` in [0, 1)."""
    return (-mean * np.log1p(-u)).astype(np.int32)


class Asylum:
    """Asylum claims, Dublin transfers, decisions, returns and irregular stay."""

    def __init__(self, model: World) -> None:
        self.model = model
        c = model.net.compiled
        self.destination_state = c.place_state[c.destinations]
        share = model.params.destination_share[c.destinations]
        self.destination_weight = np.where(share > 0, share, 1e-9)

    # ----------------------------------------------------------------- arriving in the EU
    def arrive(self, ids: np.ndarray, legs: np.ndarray) -> np.ndarray:
        """People ``ids`` arrived at the end of ``legs``; those entering an EU state register
        there (the first) and claim asylum or not. Returns a mask of those now in the asylum
        system (claim pending or return order resumed); the others move on."""
        model = self.model
        pop, c, p = model.population, model.net.compiled, model.params
        target = c.leg_target[legs].astype(np.int64)
        state = c.place_state[target].astype(np.int64)
        entering = c.place_is_eu[target] & (c.place_state[c.leg_source[legs]] != state)
        # A state where claims cannot be lodged (Hungary) registers nobody for Dublin.
        first = entering & (pop.dublin_state[ids] < 0) & (p.claim_at_entry_share[state] > 0)
        pop.dublin_state[ids[first]] = state[first]
        pop.dublin_place[ids[first]] = target[first]
        intended = c.place_state[pop.destination[ids]] == state
        u_claim, u_dublin = model.draws_each(("claim_at_entry", "dublin"), ids)
        claims = entering & (intended | (u_claim < p.claim_at_entry_share[state]))
        responsible = pop.dublin_state[ids]
        elsewhere = claims & (responsible >= 0) & (responsible != state)
        transferred = elsewhere & (u_dublin < p.dublin_transfer_rate)
        self.transfer_back(ids[transferred])
        lodged = claims & ~transferred
        pop.dublin_state[ids[lodged]] = state[lodged]
        pop.dublin_place[ids[lodged]] = target[lodged]
        self.claim(ids[lodged])
        return claims

    def transfer_back(self, ids: np.ndarray) -> None:
        """Dublin transfers to the responsible state: a pending claim is examined there; a
        rejected person's return order is resumed there."""
        if len(ids) == 0:
            return
        model = self.model
        pop = model.population
        model.outcomes.add(
            "dublin_transfers", self.route_of(ids), split={"state": pop.dublin_state[ids]}
        )
        pop.place[ids] = pop.dublin_place[ids]
        pop.previous_place[ids] = -1
        pop.in_country_since[ids] = model.day
        rejected = pop.rejected[ids]
        self.claim(ids[~rejected])
        self.order_return(ids[rejected], resumed=True)

    def claim(self, ids: np.ndarray) -> None:
        """People ``ids`` lodge a claim where they are; it is decided after a processing delay
        (exponential, at least a day). Some who claimed outside the state they intended leave
        before the decision."""
        if len(ids) == 0:
            return
        model = self.model
        pop, c, p = model.population, model.net.compiled, model.params
        state = c.place_state[pop.place[ids]].astype(np.int64)
        model.outcomes.add("asylum_applications", self.route_of(ids), split={"state": state})
        pop.set_status(ids, Status.ASYLUM_PENDING)
        u_delay, u_moves, u_leave = model.draws_each(
            ("asylum_delay", "secondary_movement", "secondary_delay"), ids
        )
        decision = model.day + 1 + exponential_days(p.asylum_processing_days, u_delay)
        elsewhere = c.place_state[pop.destination[ids]] != state
        moves = elsewhere & (u_moves < p.secondary_movement_share[state])
        leave = model.day + 1 + exponential_days(p.secondary_movement_days, u_leave)
        leaving = moves & (leave < decision)
        pop.leaving[ids] = leaving
        pop.next_day[ids] = np.where(leaving, leave, decision)

    def route_of(self, ids: np.ndarray) -> np.ndarray:
        """Route slot of each person's first irregular entry into the EU (NO_ROUTE if none)."""
        route = self.model.population.entry_route[ids].astype(np.int64)
        return np.where(route >= 0, route, NO_ROUTE)

    # ----------------------------------------------------------------- the day's stage
    def decide(self, due: np.ndarray) -> None:
        """Claims due today are left or decided; return orders due today are carried out or
        not; irregular stays due for review move on or not. ``due``: people due today with a
        claim, a return order or an irregular stay."""
        model = self.model
        pop, p = model.population, model.params
        pending = self._due_in(due, Status.ASYLUM_PENDING)
        leaving = pop.leaving[pending]
        self.move_on(pending[leaving], "claim_pending")
        claims = pending[~leaving]
        p_grant = np.where(
            pop.protection_need[claims], p.recognition_if_need, p.recognition_if_no_need
        )
        granted = model.draws("asylum", claims) < p_grant
        route = self.route_of(claims)
        model.outcomes.add("asylum_granted", route[granted])
        model.outcomes.add("return_decisions", route[~granted])
        model.news.hear("protected", pop.origin[claims[granted]])
        pop.set_status(claims[granted], Status.PROTECTED)
        pop.next_day[claims[granted]] = NEVER
        rejected = claims[~granted]
        pop.rejected[rejected] = True
        self.order_return(rejected, resumed=False)

        self.carry_out_returns(self._due_in(due, Status.RETURN_ORDERED))
        self.review_irregular_stay(self._due_in(due, Status.ABSCONDED))

    def _due_in(self, due: np.ndarray, status: Status) -> np.ndarray:
        """Those of ``due`` who are in ``status`` and still due today (not moved on today)."""
        pop, day = self.model.population, self.model.day
        return due[(pop.status[due] == status) & (pop.next_day[due] == day)]

    def order_return(self, ids: np.ndarray, resumed: bool) -> None:
        """An order to leave (after a rejection, or resumed after a Dublin transfer): the
        return is tried after an exponential delay."""
        if len(ids) == 0:
            return
        model = self.model
        pop = model.population
        if resumed:
            model.outcomes.add("return_orders_resumed", self.route_of(ids))
        pop.set_status(ids, Status.RETURN_ORDERED)
        delay = exponential_days(model.params.return_delay_days, model.draws("return_delay", ids))
        pop.next_day[ids] = model.day + 1 + delay

    def move_on(self, ids: np.ndarray, reason: str) -> None:
        """People leave for another EU state (secondary movement): in transit from tomorrow."""
        if len(ids) == 0:
            return
        model = self.model
        pop, c = model.population, model.net.compiled
        model.outcomes.add(
            "secondary_movements",
            self.route_of(ids),
            split={
                "reason": np.full(len(ids), REASONS.index(reason)),
                "state": c.place_state[pop.place[ids]],
            },
        )
        pop.leaving[ids] = False
        pop.set_status(ids, Status.IN_TRANSIT)
        pop.next_day[ids] = model.day + 1

    def review_irregular_stay(self, ids: np.ndarray) -> None:
        """People staying irregularly after a return order that was not carried out: some move
        on to another EU state (toward a destination outside the state responsible for them,
        reachable from where they are) to claim again; the others stay until their next
        review."""
        model = self.model
        pop, c, p = model.population, model.net.compiled, model.params
        if len(ids) == 0:
            return
        moves = model.draws("onward_after_rejection", ids) < p.onward_movement_after_rejection
        to_go = model.beliefs.cost_to_go[  # n x destinations
            pop.nationality[ids][:, None], c.destinations[None, :], pop.place[ids][:, None]
        ]
        allowed = np.isfinite(to_go) & (
            self.destination_state[None, :] != pop.dublin_state[ids][:, None]
        )
        weight = np.where(allowed, self.destination_weight[None, :], 0.0)
        moves &= weight.sum(axis=1) > 0
        movers, weight = ids[moves], weight[moves]
        cumulative = np.cumsum(weight, axis=1)
        u = model.draws("onward_destination", movers)[:, None] * cumulative[:, -1:]
        pick = np.minimum((cumulative <= u).sum(axis=1), len(c.destinations) - 1)
        pop.destination[movers] = c.destinations[pick]
        self.move_on(movers, "after_rejection")
        stay = ids[~moves]
        delay = exponential_days(
            p.irregular_stay_review_days, model.draws("irregular_stay_delay", stay)
        )
        pop.next_day[stay] = model.day + 1 + delay

    def carry_out_returns(self, orders: np.ndarray) -> None:
        """Returns carried out = orders x the origin state's cooperation today (its stance on
        readmission), within EU capacity.

        Under a readmission deal covering third-country nationals, an order the person's own
        state would not accept may be carried out by the partner they entered the EU from. When
        the day's capacity is short, the orders with the lowest priority draws go first; the
        others wait ``RETURN_RETRY_DAYS``. Orders nobody accepts end in irregular stay.
        """
        model = self.model
        pop, c, mods = model.population, model.net.compiled, model.modifiers
        cooperation = np.maximum(model.conduct.cooperation_today(), mods.cooperation_floor)
        nationality_state = c.nationality_state[pop.nationality[orders]]
        feasible = model.draws("return_feasible", orders) < cooperation[nationality_state]
        entry_state = pop.entry_from_state[orders].astype(np.int64)
        partner_takes = np.where(
            (entry_state >= 0) & (entry_state != nationality_state),
            mods.third_country_readmission[np.maximum(entry_state, 0)],
            0.0,
        )
        to_partner = ~feasible & (model.draws("returns_third_country", orders) < partner_takes)
        feasible |= to_partner
        capacity = model.stream("returns").poisson(model.eu.return_capacity_per_day * model.scale)
        chosen = np.flatnonzero(feasible)
        if len(chosen) > capacity:
            priority = model.draws("return_priority", orders[chosen])
            order = np.argsort(priority, kind="stable")
            pop.next_day[orders[chosen[order[capacity:]]]] = model.day + RETURN_RETRY_DAYS
            chosen = np.sort(chosen[order[:capacity]])
        model.outcomes.add("returns", self.route_of(orders[chosen]))
        self.readmit_to_transit_state(orders[chosen[to_partner[chosen]]])
        candidates = orders[chosen[~to_partner[chosen]]]
        model.send_home(candidates, Status.RETURNED, None)
        model.origins.returnees(candidates, model.params.reintegration_support_forced, "deported")
        absconding = orders[~feasible]
        model.outcomes.add("absconded", self.route_of(absconding))
        model.news.hear("absconded", pop.origin[absconding])
        pop.set_status(absconding, Status.ABSCONDED)
        delay = exponential_days(
            model.params.irregular_stay_review_days,
            model.draws("irregular_stay_delay", absconding),
        )
        pop.next_day[absconding] = model.day + 1 + delay

    def readmit_to_transit_state(self, ids: np.ndarray) -> None:
        """Returned to the transit state they entered the EU from: held at the place they left
        from for that state's detention days, then on their way again."""
        model = self.model
        pop = model.population
        pop.place[ids] = pop.entry_from_place[ids]
        pop.previous_place[ids] = -1
        pop.in_country_since[ids] = model.day
        np.add.at(model.month_friction, pop.entry_from_state[ids], 1.0)  # expelled into it
        pop.set_status(ids, Status.DETAINED)
        pop.next_day[ids] = model.day + model.conduct.detention_days[pop.entry_from_state[ids]]
