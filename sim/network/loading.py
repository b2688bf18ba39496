"""The route network: places joined by land, sea and air legs, loaded from ``sim/data``.

The network is data. ``places.csv`` lists the places (origins, hubs, departure points, EU entry
points and destinations), ``legs.csv`` the directed legs between them, ``origins.csv`` the
nationalities that set out from each origin place and ``states.csv`` the states (and the EU).
:func:`load_network` reads and validates these files, applies a scenario's ``network:`` overrides
and returns a :class:`Network`: a ``networkx.DiGraph`` for reasoning about paths, plus a
:class:`CompiledNetwork` of numpy arrays for the vectorised daily step.

The compiled legs are sorted by source place index, then target place index, so the legs leaving
place ``p`` are ``out_start[p]:out_start[p + 1]`` (compressed sparse rows). A migrant's leg choice
at ``p`` is then one draw over that slice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from sim.network.changes import apply_change_overrides
from sim.network.compiled import CompiledNetwork, compile_network
from sim.network.io import (
    DATA_DIR,
    apply_overrides,
    copy_rows,
    read_base,
    read_changes,
    read_visa_free,
)


@dataclass
class Network:
    """The route network: tables as lists of dicts, a directed graph and the compiled arrays.

    ``legs`` and ``leg_ids`` are in compiled (CSR) order; ``places``/``place_ids`` and
    ``states``/``state_ids`` in file order. Each leg dict carries its ``id`` (``source-target``)
    and a ``closed`` flag (False unless a scenario closes it).
    """

    graph: nx.DiGraph
    places: list[dict[str, Any]]
    legs: list[dict[str, Any]]
    origins: list[dict[str, Any]]
    states: list[dict[str, Any]]
    place_ids: list[str]
    place_index: dict[str, int]
    leg_ids: list[str]
    leg_index: dict[str, int]
    state_ids: list[str]
    state_index: dict[str, int]
    nationalities: list[str]
    compiled: CompiledNetwork
    origin_places: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # dated, in date order


def load_network(overrides: dict | None = None, data_dir: Path | None = None) -> Network:
    """Load the route network from ``data_dir`` (default ``sim/data``) and apply overrides.

    ``overrides`` is a scenario's ``network:`` block, ``{"places": {id: {attr: value}},
    "legs": {"source-target": {attr: value}}, "changes": {id: {enabled, date}}}``; see
    ``LEG_OVERRIDABLE``, ``PLACE_OVERRIDABLE`` and ``sim.network.changes``. Raises
    :class:`sim.errors.UserError` for malformed data files and for unknown ids or attributes
    in ``overrides``.
    """
    root = str(Path(data_dir or DATA_DIR).resolve())
    base_states, base_places, base_legs, base_origins = read_base(root)
    states, places = copy_rows(base_states), copy_rows(base_places)
    legs, origins = copy_rows(base_legs), copy_rows(base_origins)
    apply_overrides(overrides, places, legs)
    changes = copy_rows(read_changes(root))
    apply_change_overrides((overrides or {}).get("changes"), changes)

    place_ids = [p["id"] for p in places]
    place_index = {pid: i for i, pid in enumerate(place_ids)}
    state_ids = [s["id"] for s in states]
    state_index = {sid: i for i, sid in enumerate(state_ids)}
    legs.sort(key=lambda leg: (place_index[leg["source"]], place_index[leg["target"]]))
    leg_ids = [leg["id"] for leg in legs]

    nationalities = sorted({o["nationality"] for o in origins})
    graph = nx.DiGraph()
    for place in places:
        graph.add_node(place["id"], **place)
    for leg in legs:
        graph.add_edge(leg["source"], leg["target"], **leg)

    return Network(
        graph=graph,
        places=places,
        legs=legs,
        origins=origins,
        states=states,
        place_ids=place_ids,
        place_index=place_index,
        leg_ids=leg_ids,
        leg_index={lid: i for i, lid in enumerate(leg_ids)},
        state_ids=state_ids,
        state_index=state_index,
        nationalities=nationalities,
        compiled=compile_network(places, legs, states, nationalities, read_visa_free(root)),
        origin_places=[p["id"] for p in places if p["kind"] == "origin"],
        changes=changes,
    )
