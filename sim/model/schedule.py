"""The calendar of people's next events: finding who is due today without looking at everyone.

Every active person has a ``next_day``; a day's stages act only on those due that day. Most
rows belong to people whose story has ended (protected, returned for good, dead...), so
:class:`Schedule` keeps the rows with a future event (:attr:`Schedule.live`), refreshed every
30 days from the arrays; rows added since the last refresh (people who set out since) are
appended as they come. Rows that reached a final status since the refresh stay until the next
one: they are never due, and the stocks count statuses, so they do no harm.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import NEVER
from sim.model.world import World

#: Days between refreshes of the rows with a future event.
REFRESH_DAYS = 30


class Schedule:
    """Rows of people with a future event, and who among them is due today."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.live = np.empty(0, dtype=np.int64)
        self._rows = 0  # rows of the population looked at so far
        self._refreshed = None  # the day of the last refresh

    def due_today(self) -> np.ndarray:
        """Rows of the people whose next event falls today, in row order."""
        model = self.model
        pop, day = model.population, model.day
        if self._refreshed is None or day - self._refreshed >= REFRESH_DAYS:
            self.live = np.flatnonzero(pop.next_day != NEVER)
            self._rows, self._refreshed = len(pop), day
        elif self._rows < len(pop):
            self.live = np.concatenate([self.live, np.arange(self._rows, len(pop))])
            self._rows = len(pop)
        return self.live[pop.next_day[self.live] == day]
