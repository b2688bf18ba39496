"""The migrants: one row per person in a set of numpy arrays.

A million people as Python objects would make a simulated year take an hour, so a person is a
row index into the arrays of :class:`Population`. Rows are appended into arrays reserved for
the people the run expects (``sim.model.origins.expected_people``; rows never written cost no
memory), which double if that proves too few, and a row is never removed: a person who dies,
is protected or goes home keeps their row with a final status, so ids are stable for a whole
run.

Every change of status goes through :meth:`Population.set_status`, which keeps a running count
per status; :meth:`Population.check` compares those counts with the arrays, which is how the
model proves that people are conserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

NEVER = np.iinfo(np.int32).max
"""``next_day`` of a person with nothing more to do in this run."""


class Status(IntEnum):
    """Where a person stands. Statuses from ``PROTECTED`` on are final for the run."""

    AT_ORIGIN = 0  # set out (or back home and setting out again); first decision pending
    IN_TRANSIT = 1  # at a place on the way, choosing the next leg or waiting for a seat
    WORKING = 2  # at a hub, working and saving for the next leg
    ON_LEG = 3  # travelling a leg
    DETAINED = 4  # held after an interception or pullback; stranded in a transit country
    SMO_APPLICANT = 5  # waiting for a Safe Mobility Office decision
    WAITING_FOR_SEAT = 6  # in line for a seat on a smuggled leg (``leg`` is the leg wanted)
    SETTLED = 7  # living and working in a transit country, not moving on for now
    ASYLUM_PENDING = 8  # claimed asylum in the EU, claim pending
    RETURN_ORDERED = 9  # claim rejected, ordered to leave, return pending
    ABSCONDED = 10  # return order not carried out: stays irregularly, may move on and claim again
    PROTECTED = 11  # granted protection
    LEGALLY_ADMITTED = 12  # travelled on a legal pathway
    RETURNED = 13  # returned to the country of origin (forced return)
    RETURNED_VOLUNTARILY = 14  # went home from a transit country with assisted voluntary return
    DEAD_MISSING = 15  # died or went missing on a leg
    GAVE_UP = 16  # gave up and went home

    # Not a member. Numpy asks an operand's class for __array_ufunc__, and an Enum class
    # answers a missing name in Python (EnumType.__getattr__, Python 3.11): ``array ==
    # Status.X`` took 2.3 us against 0.9 with this (ndarray's own: "no override").
    __array_ufunc__ = np.ndarray.__array_ufunc__


N_STATUS = len(Status)
FIRST_FINAL = Status.PROTECTED
#: Statuses of people counted as stranded when they are at a place in a transit country.
STRANDED_STATUSES = (
    Status.IN_TRANSIT,
    Status.WORKING,
    Status.DETAINED,
    Status.SMO_APPLICANT,
    Status.WAITING_FOR_SEAT,
)
#: Statuses in which a person holds a leg: travelling it, or in line for a seat on it.
HOLDS_LEG = (Status.ON_LEG, Status.WAITING_FOR_SEAT)

# name -> dtype of every per-person array. Together about 80 bytes a person.
FIELDS: dict[str, np.dtype] = {
    "key": np.dtype(np.uint64),  # who the person is, whatever their row (their random draws)
    "status": np.dtype(np.int8),
    "place": np.dtype(np.int16),  # current place (or the start of the current leg)
    "previous_place": np.dtype(np.int16),  # where they came from (not an immediate way back)
    "leg": np.dtype(np.int16),  # leg travelled or waited for, -1 otherwise
    "next_day": np.dtype(np.int32),  # day of the person's next event (decision, arrival...)
    "origin": np.dtype(np.int16),  # origin place
    "nationality": np.dtype(np.int16),  # index into Network.nationalities
    "protection_need": np.dtype(np.bool_),
    "budget": np.dtype(np.float32),  # EUR available
    "earnings": np.dtype(np.float32),  # EUR saved per day while working
    "risk_tolerance": np.dtype(np.float32),  # 0..1; higher discounts perceived risk
    "risk_perception": np.dtype(np.float32),  # multiplier on the rumoured death risk
    "destination": np.dtype(np.int16),  # intended destination place
    "attempts": np.dtype(np.int16),  # border or sea crossings attempted
    "failures": np.dtype(np.int16),  # crossings that ended in interception or pushback
    "set_out_day": np.dtype(np.int32),  # day the journey began (negative: before the run)
    "entry_route": np.dtype(np.int8),  # route of first irregular entry into the EU, -1 none
    "entry_day": np.dtype(np.int32),  # day of first irregular entry into the EU
    "entry_from_state": np.dtype(np.int16),  # state they entered the EU from, -1 none
    "entry_from_place": np.dtype(np.int16),  # place they entered the EU from, -1 none
    "smo_applied": np.dtype(np.bool_),  # has applied to a Safe Mobility Office
    "dublin_state": np.dtype(np.int16),  # EU state responsible for their claim (Dublin), -1 none
    "dublin_place": np.dtype(np.int16),  # where that state takes them back, -1 none
    "leaving": np.dtype(np.bool_),  # will leave their pending claim for another EU state
    "rejected": np.dtype(np.bool_),  # has had a claim rejected
    "in_country_since": np.dtype(np.int32),  # day they entered the state they are in
}


#: The columns that do not start at zero for a person added (:meth:`Population.add`).
NONZERO_DEFAULTS = {
    "leg": -1,
    "previous_place": -1,
    "entry_route": -1,
    "entry_day": NEVER,
    "entry_from_state": -1,
    "entry_from_place": -1,
    "dublin_state": -1,
    "dublin_place": -1,
}


@dataclass(frozen=True)
class MigrantView:
    """A readable snapshot of one person, for teaching and debugging (see ``model.migrant``)."""

    id: int
    status: str
    place: str
    leg: str | None
    next_day: int | None
    origin: str
    nationality: str
    protection_need: bool
    budget_eur: float
    earnings_eur_per_day: float
    risk_tolerance: float
    risk_perception: float
    destination: str
    attempts: int
    failures: int
    days_in_transit: int
    entry_route: str | None


class Population:
    """Columns of per-person arrays that grow by doubling; ``len(pop)`` people so far."""

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = max(int(capacity), 16)
        self._arrays = {name: np.zeros(self._capacity, dtype) for name, dtype in FIELDS.items()}
        self.status_count = np.zeros(N_STATUS, dtype=np.int64)
        # While watched: the ids passed to set_status since take_touched.
        self._touched: list[np.ndarray] | None = None
        self._resize(0)

    def __len__(self) -> int:
        return self.size

    def _resize(self, size: int) -> None:
        """Make ``size`` rows the live part, exposed as plain attributes (views of the
        columns): pop.status, pop.place, ... (read thousands of times a day, so no lookup
        through ``__getattr__``)."""
        self.size = size
        for name, array in self._arrays.items():
            setattr(self, name, array[:size])

    def __getstate__(self) -> dict:
        # The views are rebuilt on unpickling, so that they stay views of the columns.
        return {k: v for k, v in self.__dict__.items() if k not in FIELDS}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._resize(self.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the per-person arrays (allocated capacity included)."""
        return sum(a.nbytes for a in self._arrays.values())

    def add(self, n: int, **columns: np.ndarray | float | int) -> np.ndarray:
        """Append ``n`` people with the given column values; return their ids.

        Columns not given start at zero, except ``leg``, ``previous_place``, ``entry_route``,
        ``entry_from_state``, ``entry_from_place``, ``dublin_state`` and ``dublin_place`` (-1)
        and ``entry_day`` (``NEVER``).
        """
        if n <= 0:
            return np.empty(0, dtype=np.int64)
        needed = self.size + n
        if needed > self._capacity:
            self._grow(max(needed, 2 * self._capacity))
        unknown = set(columns) - set(FIELDS)
        if unknown:
            raise KeyError(f"unknown population columns: {sorted(unknown)}")
        ids = np.arange(self.size, needed)
        # Rows past the live part were never written: they are zero already.
        for name, value in {**NONZERO_DEFAULTS, **columns}.items():
            self._arrays[name][self.size : needed] = value
        self._resize(needed)
        self.status_count += np.bincount(self.status[ids], minlength=N_STATUS)
        return ids

    def _grow(self, capacity: int) -> None:
        for name, old in self._arrays.items():
            new = np.zeros(capacity, old.dtype)
            new[: self.size] = old[: self.size]
            self._arrays[name] = new
        self._capacity = capacity
        self._resize(self.size)

    def set_status(self, ids: np.ndarray, status: int) -> None:
        """Move people ``ids`` (no repeats) to ``status``, keeping the per-status counts."""
        if len(ids) == 0:
            return
        column = self.status
        self.status_count -= np.bincount(column[ids], minlength=N_STATUS)
        column[ids] = status
        self.status_count[status] += len(ids)
        if self._touched is not None:
            self._touched.append(ids)

    def watch(self, on: bool = True) -> None:
        """Start (or stop) remembering who passes through :meth:`set_status` (for one reader:
        the crackdown roster, ``sim.model.roster``)."""
        self._touched = [] if on else None

    def take_touched(self) -> np.ndarray:
        """The ids passed to :meth:`set_status` since the last call or :meth:`watch`, with
        repeats, in no order; forgotten once taken."""
        touched, self._touched = self._touched or [], []
        return np.concatenate(touched) if touched else np.empty(0, dtype=np.int64)

    def count(self, *statuses: int) -> int:
        """How many people are in any of ``statuses`` now."""
        return int(sum(self.status_count[s] for s in statuses))

    def active_count(self) -> int:
        """People not yet in a final status (the ones who make an agent-step each day)."""
        return int(self.status_count[:FIRST_FINAL].sum())

    def check(self) -> list[str]:
        """Problems with the arrays' consistency (an empty list when all is well)."""
        problems = []
        status = self.status
        if status.size and (status.min() < 0 or status.max() >= N_STATUS):
            problems.append("a status code is out of range")
        actual = np.bincount(status, minlength=N_STATUS)[:N_STATUS]
        if not np.array_equal(actual, self.status_count):
            diff = {
                Status(s).name: int(self.status_count[s] - actual[s])
                for s in range(N_STATUS)
                if actual[s] != self.status_count[s]
            }
            problems.append(f"status counts drifted from the arrays (counted - actual): {diff}")
        if int(self.status_count.sum()) != self.size:
            problems.append(
                f"{int(self.status_count.sum())} people in statuses but {self.size} rows"
            )
        holds_leg = np.isin(status, HOLDS_LEG)
        if np.any(self.leg[holds_leg] < 0):
            problems.append("someone on a leg or in line for a seat has no leg")
        if np.any(self.leg[~holds_leg] >= 0):
            problems.append("someone off any leg and not in line still holds a leg")
        return problems
