"""Who a crackdown can round up today, kept from day to day.

Under a crackdown (:meth:`sim.model.settlement.Settlement.expel`) every irregular migrant at
the places of the states cracking down (settled, in transit, working or waiting for a seat; not
the state's own nationals) may be rounded up each day. Finding them by a look at every row
each day cost a tenth of a baseline run once Algeria's expulsions were in it, so the
:class:`Roster` keeps them: a person's place and status change only through
``Population.set_status`` (every change of place in ``sim/model`` sets a status too), so each
day only the people whose status was set since, and the people added, are looked at again.
The places changing (a crackdown starting or ending) means a full look; under ``check`` every
day's roster is compared with one, and a difference is an error.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import Status
from sim.model.due import status_table
from sim.model.world import World

#: Statuses of people a crackdown can round up (not those held, travelling, or registered with
#: a Safe Mobility Office).
EXPELLABLE = (Status.IN_TRANSIT, Status.WORKING, Status.WAITING_FOR_SEAT, Status.SETTLED)
EXPELLABLE_STATUS = status_table(*EXPELLABLE)


class Roster:
    """The people a crackdown can round up, by the places cracking down."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.places: np.ndarray | None = None  # the places it is kept for (None: not kept)
        self.at_place = np.zeros(0, dtype=bool)  # by place: one of them?
        self.ids = np.empty(0, dtype=np.int64)
        self.rows = 0  # rows looked at so far
        self.mark = np.zeros(0, dtype=np.int32)  # a scratch column: who changed today
        self.marks = 0

    def today(self, places: np.ndarray) -> np.ndarray:
        """The people at ``places`` a crackdown can round up now (in no particular order)."""
        pop = self.model.population
        if len(places) == 0:
            if self.places is not None:
                pop.watch(False)
                self.places, self.ids = None, np.empty(0, dtype=np.int64)
            return self.ids
        if self.places is None or not np.array_equal(places, self.places):
            self.places = places
            self.at_place = np.zeros(self.model.net.compiled.n_places, dtype=bool)
            self.at_place[places] = True
            self.ids = self.look(places)
            pop.watch()
        else:
            changed = np.concatenate([pop.take_touched(), np.arange(self.rows, len(pop))])
            if len(self.mark) < len(pop):
                self.mark = np.zeros(max(len(pop), 2 * len(self.mark)), dtype=np.int32)
                self.marks = 0
            self.marks += 1
            self.mark[changed] = self.marks
            kept = self.ids[self.mark[self.ids] != self.marks]
            self.ids = np.concatenate([kept, np.unique(self.eligible(changed))])
        self.rows = len(pop)
        if self.model.check_conservation and not np.array_equal(
            np.sort(self.ids), self.look(places)
        ):
            raise AssertionError(
                "the crackdown's roster differs from a look at every row: someone changed "
                "place without set_status"
            )
        return self.ids

    def look(self, places: np.ndarray) -> np.ndarray:
        """The people at ``places`` a crackdown can round up, from every row (in order): a pass
        over the place column a place (a crackdown's few)."""
        column = self.model.population.place
        at = column == places[0]
        for place in places[1:]:
            at |= column == place
        return self.eligible(np.flatnonzero(at))

    def eligible(self, ids: np.ndarray) -> np.ndarray:
        """Those of ``ids`` at the roster's places, in a status to round up, and foreigners
        there (a state rounds up and expels foreigners, not its own citizens: Tunisians at Sfax
        and Algerians at Oran are at home)."""
        model = self.model
        pop, c = model.population, model.net.compiled
        place = pop.place[ids]
        there = self.at_place[place]
        ids, place = ids[there], place[there]
        expellable = EXPELLABLE_STATUS[pop.status[ids]]
        ids, place = ids[expellable], place[expellable]
        return ids[c.nationality_state[pop.nationality[ids]] != c.place_state[place]]
