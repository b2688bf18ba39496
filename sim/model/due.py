"""Who acts today, by the status they were in when found due.

The stage "people due today" finds everyone whose next event falls today, with their status
(``MigrationModel.due``, ``due_status``); each later stage takes the ones in its statuses
(``MigrationModel.due_in``). That is the same as looking at their status when the stage
comes, because no earlier stage of the day moves people out of those statuses, nor into
them with a next event today (a leg, a claim, a return order or a delay is at least a day).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import N_STATUS, Status


def status_table(*statuses: Status) -> np.ndarray:
    """A lookup table indexed by the status column: True for ``statuses``."""
    return np.isin(np.arange(N_STATUS), statuses)


#: People who decide when their day comes (those in line: when their patience runs out).
DECIDING = status_table(
    Status.AT_ORIGIN,
    Status.IN_TRANSIT,
    Status.WORKING,
    Status.DETAINED,
    Status.WAITING_FOR_SEAT,
    Status.SETTLED,
)
#: People in the asylum system: a claim, a return order or an irregular stay.
IN_ASYLUM_SYSTEM = status_table(Status.ASYLUM_PENDING, Status.RETURN_ORDERED, Status.ABSCONDED)
#: People on a leg (it ends when they are due), and people in line for a seat.
ON_LEG = status_table(Status.ON_LEG)
WAITING = status_table(Status.WAITING_FOR_SEAT)
#: People at home after a return, forced or assisted.
HOME_AFTER_RETURN = status_table(Status.RETURNED, Status.RETURNED_VOLUNTARILY)
