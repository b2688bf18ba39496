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
import numpy as np

from sim.network.io import (
    DATA_DIR,
    KINDS,
    MODES,
    ROUTES,
    _apply_overrides,
    _copy,
    _read_base,
)


@dataclass
class CompiledNetwork:
    """The network as flat numpy arrays (legs in CSR order), for the vectorised model step."""

    n_places: int
    n_legs: int
    out_start: np.ndarray
    leg_source: np.ndarray
    leg_target: np.ndarray
    leg_mode: np.ndarray
    leg_days: np.ndarray
    leg_distance_km: np.ndarray
    leg_death_risk: np.ndarray
    leg_smuggled: np.ndarray
    leg_price_min: np.ndarray
    leg_price_max: np.ndarray
    leg_route: np.ndarray
    leg_eu_entry: np.ndarray
    leg_border: np.ndarray
    leg_controller: np.ndarray
    leg_closed: np.ndarray
    place_kind: np.ndarray
    place_state: np.ndarray
    place_is_eu: np.ndarray
    place_lat: np.ndarray
    place_lon: np.ndarray
    place_route_mask: np.ndarray


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


# --------------------------------------------------------------------------- compiling


def _compile(
    places: list[dict[str, Any]],
    legs: list[dict[str, Any]],
    states: list[dict[str, Any]],
    place_index: dict[str, int],
    state_index: dict[str, int],
) -> CompiledNetwork:
    def per_leg(value: Any, dtype: Any) -> np.ndarray:
        return np.array([value(leg) for leg in legs], dtype=dtype)

    def per_place(value: Any, dtype: Any) -> np.ndarray:
        return np.array([value(place) for place in places], dtype=dtype)

    source = per_leg(lambda leg: place_index[leg["source"]], np.int32)
    out_start = np.zeros(len(places) + 1, dtype=np.int32)
    np.cumsum(np.bincount(source, minlength=len(places)), out=out_start[1:])
    eu = {s["id"] for s in states if s["eu_member"]}
    return CompiledNetwork(
        n_places=len(places),
        n_legs=len(legs),
        out_start=out_start,
        leg_source=source,
        leg_target=per_leg(lambda leg: place_index[leg["target"]], np.int32),
        leg_mode=per_leg(lambda leg: MODES.index(leg["mode"]), np.int8),
        leg_days=per_leg(lambda leg: leg["days"], np.int16),
        leg_distance_km=per_leg(lambda leg: leg["distance_km"], np.float32),
        leg_death_risk=per_leg(lambda leg: leg["death_risk"], np.float64),
        leg_smuggled=per_leg(lambda leg: leg["smuggled"], bool),
        leg_price_min=per_leg(lambda leg: leg["price_min_eur"], np.float64),
        leg_price_max=per_leg(lambda leg: leg["price_max_eur"], np.float64),
        leg_route=per_leg(lambda leg: ROUTES.index(leg["route"]) if leg["route"] else -1, np.int8),
        leg_eu_entry=per_leg(lambda leg: leg["crossing"] == "eu_entry", bool),
        leg_border=per_leg(lambda leg: leg["crossing"] != "none", bool),
        leg_controller=per_leg(
            lambda leg: state_index[leg["controlled_by"][0]] if leg["controlled_by"] else -1,
            np.int16,
        ),
        leg_closed=per_leg(lambda leg: leg["closed"], bool),
        place_kind=per_place(lambda p: KINDS.index(p["kind"]), np.int8),
        place_state=per_place(lambda p: state_index[p["country"]], np.int16),
        place_is_eu=per_place(lambda p: p["country"] in eu, bool),
        place_lat=per_place(lambda p: p["lat"], np.float64),
        place_lon=per_place(lambda p: p["lon"], np.float64),
        place_route_mask=per_place(
            lambda p: sum(1 << ROUTES.index(r) for r in set(p["routes"])), np.uint8
        ),
    )


def load_network(overrides: dict | None = None, data_dir: Path | None = None) -> Network:
    """Load the route network from ``data_dir`` (default ``sim/data``) and apply overrides.

    ``overrides`` is a scenario's ``network:`` block, ``{"places": {id: {attr: value}},
    "legs": {"source-target": {attr: value}}}``; see ``LEG_OVERRIDABLE`` and
    ``PLACE_OVERRIDABLE``. Raises :class:`sim.errors.UserError` for malformed data files and
    for unknown ids or attributes in ``overrides``.
    """
    root = str(Path(data_dir or DATA_DIR).resolve())
    base_states, base_places, base_legs, base_origins = _read_base(root)
    states, places = _copy(base_states), _copy(base_places)
    legs, origins = _copy(base_legs), _copy(base_origins)
    _apply_overrides(overrides, places, legs)

    place_ids = [p["id"] for p in places]
    place_index = {pid: i for i, pid in enumerate(place_ids)}
    state_ids = [s["id"] for s in states]
    state_index = {sid: i for i, sid in enumerate(state_ids)}
    legs.sort(key=lambda leg: (place_index[leg["source"]], place_index[leg["target"]]))
    leg_ids = [leg["id"] for leg in legs]

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
        nationalities=sorted({o["nationality"] for o in origins}),
        compiled=_compile(places, legs, states, place_index, state_index),
        origin_places=[p["id"] for p in places if p["kind"] == "origin"],
    )


# --------------------------------------------------------------------------- views


def _table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [title]
    for j, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_text(net: Network) -> str:
    """A readable summary: places per kind and route, legs per route and mode, crossings."""
    kinds = {k: sum(p["kind"] == k for p in net.places) for k in KINDS}
    route_rows = []
    for route in ROUTES:
        legs = [leg for leg in net.legs if leg["route"] == route]
        route_rows.append(
            [route, sum(route in p["routes"] for p in net.places), len(legs)]
            + [sum(leg["mode"] == m for leg in legs) for m in MODES]
            + [sum(leg["crossing"] == "eu_entry" for leg in legs)]
        )
    unrouted = [leg for leg in net.legs if not leg["route"]]
    route_rows.append(
        ["(none)", "", len(unrouted)]
        + [sum(leg["mode"] == m for leg in unrouted) for m in MODES]
        + [sum(leg["crossing"] == "eu_entry" for leg in unrouted)]
    )
    closed = [leg["id"] for leg in net.legs if leg["closed"]]
    parts = [
        f"Route network: {len(net.places)} places, {len(net.legs)} legs, "
        f"{len(net.origin_places)} origin places, {len(net.nationalities)} nationalities, "
        f"{len(net.states)} states.",
        _table("Places by kind", ["kind", "places"], [[k, v] for k, v in kinds.items()]),
        _table(
            "Places and legs by route",
            ["route", "places", "legs", *MODES, "eu_entry"],
            route_rows,
        ),
        f"Closed legs: {', '.join(closed) if closed else 'none'}",
    ]
    return "\n\n".join(parts)


def to_json(net: Network) -> dict[str, Any]:
    """The network as plain JSON-ready data: places, legs, origins and states."""
    return {
        "routes": list(ROUTES),
        "kinds": list(KINDS),
        "modes": list(MODES),
        "places": [dict(p) for p in net.places],
        "legs": [dict(leg) for leg in net.legs],
        "origins": [dict(o) for o in net.origins],
        "states": [dict(s) for s in net.states],
    }
