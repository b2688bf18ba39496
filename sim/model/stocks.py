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

from sim.agents.population import N_STATUS, STRANDED_STATUSES, Population, Status
from sim.model.world import World
from sim.network import ROUTE_SLOTS

#: Stocks counted by the person's entry route (their statuses), not by their place.
BY_ENTRY_ROUTE = (("asylum_pending", Status.ASYLUM_PENDING), ("irregular_stay", Status.ABSCONDED))


class StatusCount:
    """People by status, place and entry route, counted again each day from what changed.

    The first count takes every row; from then on the population remembers who passed through
    ``set_status`` (:meth:`Population.watch`), and only those rows and the rows added since
    are looked at again: a row whose cell (status x place x entry-route slot) differs from the
    one counted last time is moved between cells. This rests on the rule that whoever moves to
    another place or gets an entry route also has their status set that day (every such
    change in ``sim/model`` does); under ``check`` every count is compared with a count of all
    the rows, and a difference is an error. Counting every row afresh (a ``bincount`` over a
    million rows) cost most of the stage.
    """

    def __init__(self, n_places: int) -> None:
        self.n_places = n_places
        self.cells = N_STATUS * n_places * ROUTE_SLOTS
        # 16-bit cells while they fit (about 9,400 on our network), one more for "not counted".
        self.dtype = np.int16 if self.cells < np.iinfo(np.int16).max else np.int32
        self.counted = np.empty(0, dtype=self.dtype)  # each row's cell when last counted
        self.n_counted = 0  # rows counted so far (the rest of ``counted`` is room to grow)
        self.stamp = np.empty(0, dtype=np.int32)  # a scratch column, to drop repeated rows
        self.counts = np.zeros(self.cells + 1, dtype=np.int64)

    def count(self, pop: Population, verify: bool = False) -> np.ndarray:
        """Today's counts, shaped (status, place, entry-route slot; slot 0: no entry route);
        with ``verify``, checked against a count of every row."""
        n, before = len(pop), self.n_counted
        if len(self.counted) < n:  # room for the people added since, "not counted" yet
            grown = np.full(max(n, 2 * len(self.counted)), self.cells, dtype=self.dtype)
            grown[: len(self.counted)] = self.counted
            self.counted = grown
            self.stamp = np.zeros(len(grown), dtype=np.int32)
        if before == 0:
            rows = np.arange(n)
            pop.watch()
        else:
            rows = np.concatenate([pop.take_touched(), np.arange(before, n)])
            # Each row once: the last of its repeats keeps its position.
            position = np.arange(len(rows), dtype=np.int32)
            self.stamp[rows] = position
            rows = rows[self.stamp[rows] == position]
        self.n_counted = n
        cell = self.cells_of(pop, rows)
        counted = self.counted[rows]
        moved = cell != counted
        self.counts += np.bincount(cell[moved], minlength=self.cells + 1)
        self.counts -= np.bincount(counted[moved], minlength=self.cells + 1)
        self.counted[rows[moved]] = cell[moved]
        if verify:
            every = np.bincount(self.cells_of(pop, np.arange(n)), minlength=self.cells)
            if not np.array_equal(every, self.counts[: self.cells]):
                raise AssertionError(
                    "stocks counted from the rows that changed status differ from a count of "
                    "every row: someone changed place or entry route without set_status"
                )
        return self.counts[: self.cells].reshape(N_STATUS, self.n_places, ROUTE_SLOTS)

    def cells_of(self, pop: Population, rows: np.ndarray) -> np.ndarray:
        """The cell of each of ``rows`` now."""
        dtype = self.dtype
        cell = pop.status[rows].astype(dtype) * dtype(self.n_places) + pop.place[rows]
        cell *= dtype(ROUTE_SLOTS)
        cell += pop.entry_route[rows] + 1  # entry route -1 (none) in slot 0: NO_ROUTE below
        return cell


def record_stocks(model: World) -> None:
    """Record today's stocks per route and per country (see the module docstring)."""
    if model.day < 0:
        return
    c = model.net.compiled
    counts = model.status_count.count(model.population, verify=model.check_conservation)
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
