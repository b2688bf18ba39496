"""Readable views of the model's people, for teaching and debugging."""

from __future__ import annotations

from sim.agents.population import NEVER, MigrantView, Status
from sim.model.world import World
from sim.network import ROUTES


def migrant_view(model: World, i: int) -> MigrantView:
    """A readable view of person ``i``."""
    pop = model.population
    if not 0 <= i < len(pop):
        raise IndexError(f"no person {i}: ids run from 0 to {len(pop) - 1}")
    ids = model.net.place_ids
    leg, route, next_day = int(pop.leg[i]), int(pop.entry_route[i]), int(pop.next_day[i])
    return MigrantView(
        id=i,
        status=Status(int(pop.status[i])).name.lower(),
        place=ids[int(pop.place[i])],
        leg=model.net.leg_ids[leg] if leg >= 0 else None,
        next_day=None if next_day == NEVER else next_day,
        origin=ids[int(pop.origin[i])],
        nationality=model.net.nationalities[int(pop.nationality[i])],
        protection_need=bool(pop.protection_need[i]),
        budget_eur=round(float(pop.budget[i]), 2),
        earnings_eur_per_day=round(float(model.wage[pop.place[i]] * pop.earnings[i]), 2),
        risk_tolerance=round(float(pop.risk_tolerance[i]), 3),
        risk_perception=round(float(pop.risk_perception[i]), 3),
        destination=ids[int(pop.destination[i])],
        attempts=int(pop.attempts[i]),
        failures=int(pop.failures[i]),
        days_in_transit=model.day - int(pop.set_out_day[i]),
        entry_route=ROUTES[route] if route >= 0 else None,
    )
