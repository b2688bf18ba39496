"""Stock-taking at the end of each day: who is where, per route and per country.

:func:`record_stocks` (the stage "stocks recorded") counts, from the people themselves, the
stocks the outputs report: per route, people stranded in transit countries (in transit, waiting
for a seat, working, detained, waiting for an SMO), settled there, waiting for a seat and
detained, by the route of their place; asylum claims pending and people staying irregularly
after a return order, by their entry route; per country, stranded and settled
(:class:`sim.outputs.by_country.CountryStocks`). Nothing is recorded during the warm-up.
``tests/test_properties.py`` recounts every stock from all the rows.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import N_STATUS, STRANDED_STATUSES, Status
from sim.model.world import World
from sim.network import ROUTE_SLOTS

#: Stocks counted by the person's entry route (their statuses), not by their place.
BY_ENTRY_ROUTE = (("asylum_pending", Status.ASYLUM_PENDING), ("irregular_stay", Status.ABSCONDED))


def record_stocks(model: World) -> None:
    """Record today's stocks per route and per country (see the module docstring)."""
    if model.day < 0:
        return
    pop, c = model.population, model.net.compiled
    # One count of people by status, place and entry route serves every stock: a pass over
    # whole columns is cheaper than picking out the rows still on their way. (16-bit codes
    # while they fit: len(Status) x places x route slots is about 9,400 on our network.)
    cells = N_STATUS * c.n_places * ROUTE_SLOTS
    dtype = np.int16 if cells <= np.iinfo(np.int16).max else np.int32
    code = pop.status.astype(dtype) * dtype(c.n_places) + pop.place
    code *= dtype(ROUTE_SLOTS)
    code += pop.entry_route + 1  # entry route -1 (none) in slot 0, moved to NO_ROUTE below
    counts = np.bincount(code, minlength=cells).reshape(N_STATUS, c.n_places, ROUTE_SLOTS)
    by_status_place = counts.sum(axis=2)
    transit = c.place_is_transit
    stranded = by_status_place[list(STRANDED_STATUSES)].sum(axis=0) * transit
    settled = by_status_place[Status.SETTLED] * transit
    for metric, at_place in (
        ("stranded", stranded),
        ("settled", settled),
        ("waiting_for_seat", by_status_place[Status.WAITING_FOR_SEAT] * transit),
        ("detained", by_status_place[Status.DETAINED]),
    ):
        model.outcomes.set_stock(
            metric, np.bincount(c.place_route, at_place, minlength=ROUTE_SLOTS)
        )
    for metric, in_status in BY_ENTRY_ROUTE:
        by_entry = np.roll(counts[in_status].sum(axis=0), -1)  # no entry route -> NO_ROUTE
        model.outcomes.set_stock(metric, by_entry)
    model.country_stocks.record(model.day, c.place_state, stranded=stranded, settled=settled)
