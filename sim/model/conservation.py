"""Conservation: everyone who set out is in exactly one status, and the flows add up.

:func:`assert_conserved` runs every day under ``--check`` and in the tests. It checks that the
per-status counts match the arrays, that every row is one person who set out (the departures
counted since the warm-up's first day), that the people in each final status match the counted
flows into it (dead and missing, protected, legally admitted, gave up; returned at most returns,
returned voluntarily at most assisted voluntary returns), that nobody on a leg or in line for a
seat lacks one, and that every active person has a future event.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import FIRST_FINAL, Status
from sim.model.world import World
from sim.outputs.counters import FLOW_INDEX


class ConservationError(AssertionError):
    """People were created or lost: a bug in the model, not a user error."""


def assert_conserved(model: World) -> None:
    """Raise :class:`ConservationError` unless people are conserved on ``model``'s day."""
    pop = model.population
    problems = pop.check()
    flows = model.outcomes.flow_totals(model.day)

    def total(metric: str) -> int:
        return int(round(flows[FLOW_INDEX[metric]]))

    if total("departures") != len(pop):
        problems.append(f"{total('departures')} departures != {len(pop)} rows")
    expected = {
        Status.DEAD_MISSING: total("dead_missing"),
        Status.PROTECTED: total("asylum_granted"),
        Status.LEGALLY_ADMITTED: total("legal_admissions"),
        Status.GAVE_UP: total("gave_up"),
    }
    for status, count in expected.items():
        if pop.count(status) != count:
            problems.append(f"{pop.count(status)} people {status.name} but {count} counted")
    if pop.count(Status.RETURNED) > total("returns"):
        problems.append("more people RETURNED than returns counted")
    if pop.count(Status.RETURNED_VOLUNTARILY) > total("voluntary_returns"):
        problems.append("more people RETURNED_VOLUNTARILY than voluntary returns counted")
    stuck_in_past = (pop.next_day < model.day + 1) & (pop.status < FIRST_FINAL)
    if np.any(stuck_in_past):
        problems.append(f"{int(stuck_in_past.sum())} active people have no future event")
    if problems:
        raise ConservationError(f"day {model.day}: " + "; ".join(problems))
