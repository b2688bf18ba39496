"""Picking the legs, places, states and nationalities a policy block names, as index arrays."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from sim.network import MODES, ROUTES, Network


def state_indices(network: Network, states: Iterable[str]) -> np.ndarray:
    """Indices of ``states`` in ``network.state_ids``."""
    return np.array([network.state_index[s] for s in states], dtype=np.int64)


def place_indices(network: Network, places: Iterable[str]) -> np.ndarray:
    """Indices of ``places`` in ``network.place_ids``."""
    return np.array([network.place_index[p] for p in places], dtype=np.int64)


def places_in_states(network: Network, states: Iterable[str]) -> np.ndarray:
    """Indices of every place located in one of ``states``."""
    wanted = state_indices(network, states)
    return np.flatnonzero(np.isin(network.compiled.place_state, wanted))


def leg_mask(network: Network, legs: Iterable[str]) -> np.ndarray:
    """Boolean mask over compiled legs: True for the legs named."""
    mask = np.zeros(network.compiled.n_legs, dtype=bool)
    mask[[network.leg_index[leg] for leg in legs]] = True
    return mask


def legs_controlled_by(network: Network, states: Iterable[str]) -> np.ndarray:
    """Boolean mask over compiled legs: True where any of ``states`` is among the leg's
    ``controlled_by`` states (the full list, not only the first EU or non-EU one)."""
    wanted = set(states)
    return np.array([bool(wanted & set(leg["controlled_by"])) for leg in network.legs])


def legs_out_of(network: Network, places: np.ndarray) -> np.ndarray:
    """Boolean mask over compiled legs: True for legs leaving one of ``places`` (indices)."""
    return np.isin(network.compiled.leg_source, places)


def sea_legs_of_routes(network: Network, routes: Iterable[str]) -> np.ndarray:
    """Boolean mask over compiled legs: sea legs counted for one of ``routes``."""
    c = network.compiled
    wanted = [ROUTES.index(r) for r in routes]
    return (c.leg_mode == MODES.index("sea")) & np.isin(c.leg_route, wanted)


def scheduled_air_legs_into(network: Network, state: str) -> np.ndarray:
    """Boolean mask: scheduled (not smuggled) flights across a border into ``state``."""
    c = network.compiled
    into = c.place_state[c.leg_target] == network.state_index[state]
    return (c.leg_mode == MODES.index("air")) & c.leg_border & ~c.leg_smuggled & into


def nationality_mask(network: Network, selection: Iterable[str]) -> np.ndarray:
    """Boolean mask over ``network.nationalities``; ``["all"]`` selects every one."""
    selection = list(selection)
    if selection == ["all"]:
        return np.ones(len(network.nationalities), dtype=bool)
    return np.isin(np.array(network.nationalities), selection)


def route_slots_of_legs(network: Network, legs: np.ndarray) -> np.ndarray:
    """The route slots of the legs ``legs`` (indices or a boolean mask), for spending."""
    return np.unique(network.compiled.leg_route_slot[legs])
