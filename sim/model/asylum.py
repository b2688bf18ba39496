"""Asylum and returns: claims decided, return orders carried out or not, people back home.

:class:`Asylum` takes the claims of people who reach a destination (:meth:`Asylum.claim`) and
has one stage of the day, :meth:`Asylum.decide`: claims due today are granted (protection) or
rejected with an order to leave; return orders due today are carried out when the person's
state cooperates (or, under a deal covering third-country nationals, the state they entered the
EU from takes them), within the EU's daily return capacity; the others abscond. People returned
may set out again, as their reintegration support allows (``Origins.returnees``).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import NEVER, Status
from sim.model.world import World
from sim.network import NO_ROUTE

#: Days a return order that found no capacity today waits before it is tried again.
RETURN_RETRY_DAYS = 30


def exponential_days(mean: float, u: np.ndarray) -> np.ndarray:
    """Whole days of an exponential delay with ``mean``, from uniforms ``u`` in [0, 1)."""
    return (-mean * np.log1p(-u)).astype(np.int32)


class Asylum:
    """Asylum claims, decisions and returns."""

    def __init__(self, model: World) -> None:
        self.model = model

    def claim(self, ids: np.ndarray) -> None:
        """People ``ids`` claim asylum today; the claim is decided after a processing delay
        (exponential around the mean processing time, at least a day)."""
        model = self.model
        pop = model.population
        pop.set_status(ids, Status.ASYLUM_PENDING)
        mean = model.params.asylum_processing_days
        pop.next_day[ids] = model.day + 1 + exponential_days(mean, model.draws("asylum_delay", ids))

    def route_of(self, ids: np.ndarray) -> np.ndarray:
        """Route slot of each person's first irregular entry into the EU (NO_ROUTE if none)."""
        route = self.model.population.entry_route[ids].astype(np.int64)
        return np.where(route >= 0, route, NO_ROUTE)

    def decide(self, due: np.ndarray) -> None:
        """Decide claims due today; carry out return orders due today."""
        model = self.model
        pop, p = model.population, model.params
        claims = self._due_in(due, Status.ASYLUM_PENDING)
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
        pop.set_status(rejected, Status.RETURN_ORDERED)
        delay = exponential_days(p.return_delay_days, model.draws("return_delay", rejected))
        pop.next_day[rejected] = model.day + 1 + delay

        self.carry_out_returns(self._due_in(due, Status.RETURN_ORDERED))

    def _due_in(self, due: np.ndarray, status: Status) -> np.ndarray:
        """Those of ``due`` who are in ``status`` and still due today (not moved on today)."""
        pop, day = self.model.population, self.model.day
        return due[(pop.status[due] == status) & (pop.next_day[due] == day)]

    def carry_out_returns(self, orders: np.ndarray) -> None:
        """Returns carried out = orders x the origin state's cooperation, within EU capacity.

        Under a readmission deal covering third-country nationals, an order the person's own
        state would not accept may be carried out by the partner they entered the EU from. When
        the day's capacity is short, the orders with the lowest priority draws go first; the
        others wait ``RETURN_RETRY_DAYS``.
        """
        model = self.model
        pop, c, mods = model.population, model.net.compiled, model.modifiers
        cooperation = np.maximum(model.conduct.cooperation, mods.cooperation_floor)
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
        model.news.hear("absconded", pop.origin[absconding])
        pop.set_status(absconding, Status.ABSCONDED)
        pop.next_day[absconding] = NEVER

    def readmit_to_transit_state(self, ids: np.ndarray) -> None:
        """Returned to the transit state they entered the EU from: held at the place they left
        from for that state's detention days, then on their way again."""
        model = self.model
        pop = model.population
        pop.place[ids] = pop.entry_from_place[ids]
        pop.previous_place[ids] = -1
        pop.set_status(ids, Status.DETAINED)
        pop.next_day[ids] = model.day + model.conduct.detention_days[pop.entry_from_state[ids]]
