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
    status = pop.status
    # One count of people by status and place serves every place-based stock, one by status
    # and entry route the others. Both run over whole columns: a contiguous pass over every
    # row is cheaper than picking out the rows still on their way. (Small enough for 16-bit
    # arithmetic: len(Status) x places is in the thousands.)
    by_status_place = np.bincount(
        status.astype(np.int16) * np.int16(c.n_places) + pop.place,
        minlength=N_STATUS * c.n_places,
    ).reshape(N_STATUS, c.n_places)
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
    # Entry route -1 (none) is counted in slot 0 here and moved to NO_ROUTE.
    by_status_entry = np.bincount(
        status.astype(np.int16) * np.int16(ROUTE_SLOTS) + pop.entry_route + 1,
        minlength=N_STATUS * ROUTE_SLOTS,
    ).reshape(N_STATUS, ROUTE_SLOTS)
    for metric, in_status in BY_ENTRY_ROUTE:
        counts = np.roll(by_status_entry[in_status], -1)  # entry route r at r, none at NO_ROUTE
        model.outcomes.set_stock(metric, counts)
    model.country_stocks.record(model.day, c.place_state, stranded=stranded, settled=settled)
