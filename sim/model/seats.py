"""Waiting for a seat: a line per smuggled leg, served in the order people joined it.

A person who chose a smuggled leg and can pay for it joins the leg's line
(:meth:`SeatQueue.join`): status ``waiting_for_seat``, the leg wanted in ``population.leg``,
and a next event ``seat_patience_days`` ahead. Each day (:meth:`SeatQueue.serve`), the seats the
leg's smuggling networks sell today (their capacities, times the weather on sea legs) go to the
first people in line; people who joined on the same day are in the random order of their own
draws (``seats``). A person whose patience runs out before a seat comes leaves the line on that
day and chooses again (possibly the same leg: then they join at the back). So a day costs what
happens that day: people in line do nothing until a seat or their patience comes.

The line keeps its entries as arrays (person, leg, the day their patience runs out). An entry
is still good while the person is waiting with that deadline (nobody joins twice in a day and
patience is the same all run, so the deadline names the day they joined, and with it the leg);
anything that moved them in the meantime makes it stale, and stale entries are dropped when the
line is served. People in line decide again only when their patience runs out, so an entry
goes stale on its deadline, or when people are taken out of line otherwise: an expulsion says
so (:meth:`SeatQueue.taken_out_of_line`) and the whole line is checked that day (under
``check``, every day, against the deadline alone). Smugglers see the demand of the month in
the people joining their lines (``SmugglingMarket.record_requests``), so prices and capacities
still respond to queues.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import Status
from sim.model.world import World


class SeatQueue:
    """People in line for seats on smuggled legs."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.ids = np.empty(0, dtype=np.int64)
        self.leg = np.empty(0, dtype=np.int16)
        self.deadline = np.empty(0, dtype=np.int32)
        self._joining: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._disturbed = False  # people were taken out of line other than by their patience

    def __len__(self) -> int:
        return len(self.ids) + sum(len(ids) for ids, _, _ in self._joining)

    def join(self, ids: np.ndarray, legs: np.ndarray) -> None:
        """People ``ids`` join the lines of ``legs`` today, in the order of their own draws."""
        if len(ids) == 0:
            return
        model = self.model
        pop = model.population
        order = np.argsort(model.draws("seats", ids))  # draws do not tie
        ids, legs = ids[order], legs[order]
        deadline = model.day + model.params.seat_patience_days
        pop.set_status(ids, Status.WAITING_FOR_SEAT)
        pop.leg[ids] = legs
        pop.next_day[ids] = deadline
        self._joining.append((ids, legs.astype(np.int16), np.full(len(ids), deadline, np.int32)))
        model.market.record_requests(legs, 1.0 / model.scale)

    def taken_out_of_line(self) -> None:
        """People in line may have been moved today other than by their patience running out
        (an expulsion): the whole line is checked when it is next served."""
        self._disturbed = True

    def still_in_line(self, ids: np.ndarray, deadline: np.ndarray) -> np.ndarray:
        """Which entries (``ids`` with their ``deadline``) are still good today."""
        model = self.model
        pop = model.population
        if self._disturbed or model.check_conservation:
            still = (pop.next_day[ids] == deadline) & (pop.status[ids] == Status.WAITING_FOR_SEAT)
            if not self._disturbed and not np.array_equal(still, deadline > model.day):
                raise AssertionError(
                    "someone left the line for a seat before their patience ran out, and the "
                    "line was not told (SeatQueue.taken_out_of_line)"
                )
            self._disturbed = False
            return still
        return deadline > model.day

    def serve(self) -> None:
        """Sell today's seats to the first in each line; those served set off."""
        model = self.model
        pop = model.population
        ids = np.concatenate([self.ids, *(j[0] for j in self._joining)])
        leg = np.concatenate([self.leg, *(j[1] for j in self._joining)])
        deadline = np.concatenate([self.deadline, *(j[2] for j in self._joining)])
        self._joining = []
        still = self.still_in_line(ids, deadline)
        ids, leg, deadline = ids[still], leg[still], deadline[still]
        # A stable sort by leg keeps each line in the order people joined it.
        order = np.argsort(leg, kind="stable")
        ids, leg, deadline = ids[order], leg[order], deadline[order]
        market = model.market
        seats = market.seats_today(
            model.stream("seat_rounding").random(len(market.slot_leg)),
            model.scale,
            model.seasons.weather,
        )
        line_leg = leg.astype(np.int64)
        has_seat, slot = market.seats_for_line(line_leg, seats)
        served = np.flatnonzero(has_seat)
        price = market.price[slot[served]]
        can_pay = pop.budget[ids[served]] >= price
        # Served but short of money (prices rose since they joined): they leave the line and
        # decide again tomorrow; their seat goes unsold today.
        leaving = ids[served[~can_pay]]
        pop.leg[leaving] = -1
        pop.set_status(leaving, Status.IN_TRANSIT)
        pop.next_day[leaving] = model.day + 1
        boarding, price = served[can_pay], price[can_pay]
        boarding_legs = line_leg[boarding]
        market.record_sales(slot[boarding], price, 1.0 / model.scale)
        model.travel.board(ids[boarding], boarding_legs, price)
        route = model.net.compiled.leg_route_slot[boarding_legs]
        split = model.travel.leg_split(boarding_legs)
        model.outcomes.add("seats_sold", route, split=split)
        model.outcomes.add("smuggler_revenue", route, price, split=split)
        waiting = ~has_seat
        self.ids, self.leg, self.deadline = ids[waiting], leg[waiting], deadline[waiting]
