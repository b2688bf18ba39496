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

#: Route slots from counts by entry-route slot (slot 0: no entry route, counted as NO_ROUTE,
#: the last route slot).
ENTRY_SLOT_ORDER = np.roll(np.arange(ROUTE_SLOTS), -1)
#: Stocks counted by the person's entry route (their statuses), not by their place.
BY_ENTRY_ROUTE = (("asylum_pending", Status.ASYLUM_PENDING), ("irregular_stay", Status.ABSCONDED))


class StatusCount:
    """People by status, place and entry route, counted again each day from what changed.

    Each row's cell (status x place x entry-route slot) is computed over whole columns, a cheap
    pass; only the rows whose cell differs from the one counted last time are moved between
    cells. Counting every row afresh (a ``bincount`` over a million rows) cost most of the
    stage. The counts are exact: every row is in the cell of its current values.
    """

    def __init__(self, n_places: int) -> None:
        self.n_places = n_places
        self.cells = N_STATUS * n_places * ROUTE_SLOTS
        # 16-bit cells while they fit (about 9,400 on our network). A row's cell is stored one
        # below its index in ``counts`` (an entry route of -1, none, gives -1 in slot 0), and
        # ``cells - 1`` marks a row not counted yet (index ``cells``, outside the table).
        self.dtype = np.int16 if self.cells < np.iinfo(np.int16).max else np.int32
        self.counted = np.empty(0, dtype=self.dtype)  # each row's cell when last counted
        self.counts = np.zeros(self.cells + 1, dtype=np.int64)
        self._cell = np.empty(0, dtype=self.dtype)  # today's cells (kept: a pass less to make)

    def count(self, pop: Population) -> np.ndarray:
        """Today's counts, shaped (status, place, entry-route slot; slot 0: no entry route)."""
        dtype, n = self.dtype, len(pop)
        if len(self.counted) < n:  # people added since: not counted yet
            size = max(n, 2 * len(self.counted))
            grown = np.full(size, self.cells - 1, dtype=dtype)
            grown[: len(self.counted)] = self.counted
            self.counted, self._cell = grown, np.empty(size, dtype=dtype)
        cell = self._cell[:n]
        np.multiply(pop.status, dtype(self.n_places), out=cell)
        cell += pop.place
        cell *= dtype(ROUTE_SLOTS)
        cell += pop.entry_route
        counted = self.counted[:n]
        moved = np.flatnonzero(cell != counted)
        now, before = cell[moved], counted[moved]
        np.add.at(self.counts, now.astype(np.int64) + 1, 1)  # few rows move in a day
        np.subtract.at(self.counts, before.astype(np.int64) + 1, 1)
        counted[moved] = now
        return self.counts[: self.cells].reshape(N_STATUS, self.n_places, ROUTE_SLOTS)


def record_stocks(model: World) -> None:
    """Record today's stocks per route and per country (see the module docstring)."""
    if model.day < 0:
        return
    c = model.net.compiled
    counts = model.status_count.count(model.population)
    by_status_place = counts[..., 0].copy()  # counts.sum(axis=2), slot by slot (faster)
    for slot in range(1, ROUTE_SLOTS):
        by_status_place += counts[..., slot]
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
        by_entry = counts[in_status].sum(axis=0)[ENTRY_SLOT_ORDER]
        model.outcomes.set_stock(metric, by_entry)
    model.country_stocks.record(model.day, c.place_state, stranded=stranded, settled=settled)
