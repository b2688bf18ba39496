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

import csv
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sim.errors import UserError

ROUTES: tuple[str, ...] = (
    "central_med",
    "western_balkans",
    "atlantic",
    "western_med",
    "eastern_med",
)
KINDS: tuple[str, ...] = ("origin", "hub", "departure", "entry", "destination")
MODES: tuple[str, ...] = ("land", "sea", "air")
CROSSINGS: tuple[str, ...] = ("eu_entry", "border", "none")

DATA_DIR = Path(__file__).resolve().parent / "data"

PLACE_COLUMNS = ("id", "name", "country", "lat", "lon", "kind", "routes", "source")
LEG_COLUMNS = (
    "source",
    "target",
    "mode",
    "days",
    "distance_km",
    "death_risk",
    "smuggled",
    "price_min_eur",
    "price_max_eur",
    "controlled_by",
    "route",
    "crossing",
    "source_note",
)
ORIGIN_COLUMNS = ("place", "nationality", "share", "source")
STATE_COLUMNS = ("id", "name", "eu_member", "remittances_pct_gdp", "source")

#: Attributes a scenario's ``network:`` block may override, with their types.
LEG_OVERRIDABLE: dict[str, type] = {
    "days": int,
    "distance_km": float,
    "death_risk": float,
    "price_min_eur": float,
    "price_max_eur": float,
    "smuggled": bool,
    "closed": bool,
}
PLACE_OVERRIDABLE: dict[str, type] = {"name": str, "lat": float, "lon": float}

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_STATE_PATTERN = re.compile(r"^([A-Z]{3}|EU)$")


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


# --------------------------------------------------------------------------- reading and checks


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise UserError(f"Network data file {path} is missing.")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise UserError(f"{path.name}: missing column(s) {', '.join(missing)}.")
        return [{c: (row[c] or "").strip() for c in columns} for row in reader]


def _number(value: str, where: str, column: str, kind: type = float) -> Any:
    try:
        number = kind(value)
    except ValueError:
        raise UserError(f"{where}: column '{column}' must be a number, got {value!r}.") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise UserError(f"{where}: column '{column}' must be finite, got {value!r}.")
    return number


def _flag(value: str, where: str, column: str) -> bool:
    if value not in ("0", "1"):
        raise UserError(f"{where}: column '{column}' must be 0 or 1, got {value!r}.")
    return value == "1"


def _parse_states(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    states, seen = [], set()
    for i, row in enumerate(rows, start=2):
        where = f"states.csv row {i} ({row['id']})"
        if not _STATE_PATTERN.match(row["id"]) or row["id"] in seen:
            raise UserError(f"{where}: id must be a unique ISO3 code or EU.")
        seen.add(row["id"])
        states.append(
            {
                "id": row["id"],
                "name": row["name"],
                "eu_member": _flag(row["eu_member"], where, "eu_member"),
                "remittances_pct_gdp": _number(
                    row["remittances_pct_gdp"] or "nan", where, "remittances_pct_gdp"
                )
                if row["remittances_pct_gdp"]
                else None,
                "source": row["source"],
            }
        )
    return states


def _parse_places(rows: list[dict[str, str]], state_ids: set[str]) -> list[dict[str, Any]]:
    places, seen = [], set()
    for i, row in enumerate(rows, start=2):
        where = f"places.csv row {i} ({row['id']})"
        if not _ID_PATTERN.match(row["id"]) or row["id"] in seen:
            raise UserError(f"{where}: id must be unique lower snake case.")
        seen.add(row["id"])
        if row["kind"] not in KINDS:
            raise UserError(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}.")
        if row["country"] not in state_ids:
            raise UserError(f"{where}: country {row['country']!r} is not in states.csv.")
        routes = [r for r in row["routes"].split(";") if r]
        bad = [r for r in routes if r not in ROUTES]
        if bad or not routes:
            raise UserError(f"{where}: routes must be ';'-separated ids from {', '.join(ROUTES)}.")
        lat = _number(row["lat"], where, "lat")
        lon = _number(row["lon"], where, "lon")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UserError(f"{where}: coordinates ({lat}, {lon}) are out of range.")
        places.append(
            {
                "id": row["id"],
                "name": row["name"],
                "country": row["country"],
                "lat": lat,
                "lon": lon,
                "kind": row["kind"],
                "routes": routes,
                "source": row["source"],
            }
        )
    return places


def _parse_legs(
    rows: list[dict[str, str]], place_ids: set[str], state_ids: set[str]
) -> list[dict[str, Any]]:
    legs, seen = [], set()
    for i, row in enumerate(rows, start=2):
        leg_id = f"{row['source']}-{row['target']}"
        where = f"legs.csv row {i} ({leg_id})"
        for end in ("source", "target"):
            if row[end] not in place_ids:
                raise UserError(f"{where}: {end} {row[end]!r} is not a place id in places.csv.")
        if row["source"] == row["target"] or leg_id in seen:
            raise UserError(f"{where}: legs must join two different places, once each.")
        seen.add(leg_id)
        if row["mode"] not in MODES:
            raise UserError(f"{where}: mode {row['mode']!r} is not one of {', '.join(MODES)}.")
        if row["route"] and row["route"] not in ROUTES:
            raise UserError(f"{where}: route {row['route']!r} is not one of {', '.join(ROUTES)}.")
        if row["crossing"] not in CROSSINGS:
            raise UserError(f"{where}: crossing must be one of {', '.join(CROSSINGS)}.")
        controllers = [s for s in row["controlled_by"].split(";") if s]
        unknown = [s for s in controllers if s not in state_ids]
        if unknown:
            raise UserError(f"{where}: controlled_by {unknown} not in states.csv.")
        leg = {
            "id": leg_id,
            "source": row["source"],
            "target": row["target"],
            "mode": row["mode"],
            "days": _number(row["days"], where, "days", int),
            "distance_km": _number(row["distance_km"], where, "distance_km"),
            "death_risk": _number(row["death_risk"], where, "death_risk"),
            "smuggled": _flag(row["smuggled"], where, "smuggled"),
            "price_min_eur": _number(row["price_min_eur"], where, "price_min_eur"),
            "price_max_eur": _number(row["price_max_eur"], where, "price_max_eur"),
            "controlled_by": controllers,
            "route": row["route"],
            "crossing": row["crossing"],
            "source_note": row["source_note"],
            "closed": False,
        }
        _check_leg_values(leg, where)
        legs.append(leg)
    return legs


def _check_leg_values(leg: dict[str, Any], where: str) -> None:
    if leg["days"] < 1:
        raise UserError(f"{where}: days must be at least 1, got {leg['days']}.")
    if leg["distance_km"] < 0:
        raise UserError(f"{where}: distance_km must not be negative.")
    if not 0 <= leg["death_risk"] <= 1:
        raise UserError(f"{where}: death_risk must be a probability in [0, 1].")
    if not 0 <= leg["price_min_eur"] <= leg["price_max_eur"]:
        raise UserError(f"{where}: need 0 <= price_min_eur <= price_max_eur.")


def _parse_origins(
    rows: list[dict[str, str]], places: dict[str, dict[str, Any]], state_ids: set[str]
) -> list[dict[str, Any]]:
    origins: list[dict[str, Any]] = []
    totals: dict[str, float] = {}
    for i, row in enumerate(rows, start=2):
        where = f"origins.csv row {i} ({row['place']}, {row['nationality']})"
        place = places.get(row["place"])
        if place is None or place["kind"] != "origin":
            raise UserError(f"{where}: place must be a place of kind 'origin' in places.csv.")
        if row["nationality"] not in state_ids:
            raise UserError(f"{where}: nationality {row['nationality']!r} is not in states.csv.")
        share = _number(row["share"], where, "share")
        if not 0 < share <= 1:
            raise UserError(f"{where}: share must be in (0, 1].")
        totals[row["place"]] = totals.get(row["place"], 0.0) + share
        origins.append({**row, "share": share})
    for place_id, total in totals.items():
        if abs(total - 1.0) > 1e-6:
            raise UserError(f"origins.csv: shares for place {place_id!r} sum to {total:.4f}, not 1.")
    unlisted = [p for p, v in places.items() if v["kind"] == "origin" and p not in totals]
    if unlisted:
        raise UserError(f"origins.csv: origin place(s) {unlisted} have no nationality rows.")
    return origins


@functools.lru_cache(maxsize=8)
def _read_base(data_dir: str) -> tuple[tuple, tuple, tuple, tuple]:
    """Read and validate the four data files once per directory (cached; callers copy)."""
    root = Path(data_dir)
    states = _parse_states(_read_csv(root / "states.csv", STATE_COLUMNS))
    state_ids = {s["id"] for s in states}
    places = _parse_places(_read_csv(root / "places.csv", PLACE_COLUMNS), state_ids)
    by_id = {p["id"]: p for p in places}
    legs = _parse_legs(_read_csv(root / "legs.csv", LEG_COLUMNS), set(by_id), state_ids)
    origins = _parse_origins(_read_csv(root / "origins.csv", ORIGIN_COLUMNS), by_id, state_ids)
    return tuple(states), tuple(places), tuple(legs), tuple(origins)


def _copy(rows: tuple) -> list[dict[str, Any]]:
    return [{k: (list(v) if isinstance(v, list) else v) for k, v in row.items()} for row in rows]


# --------------------------------------------------------------------------- overrides


def _apply_overrides(
    overrides: dict | None, places: list[dict[str, Any]], legs: list[dict[str, Any]]
) -> None:
    if not overrides:
        return
    unknown_sections = set(overrides) - {"places", "legs"}
    if unknown_sections:
        raise UserError(
            f"network overrides: unknown section(s) {sorted(unknown_sections)}; "
            "use 'places' and 'legs'."
        )
    for section, rows, allowed in (
        ("places", places, PLACE_OVERRIDABLE),
        ("legs", legs, LEG_OVERRIDABLE),
    ):
        by_id = {row["id"]: row for row in rows}
        for item_id, changes in (overrides.get(section) or {}).items():
            if item_id not in by_id:
                raise UserError(
                    f"network overrides: unknown {section[:-1]} id {item_id!r}"
                    f"{_suggest(item_id, by_id)}."
                )
            for attr, value in (changes or {}).items():
                if attr not in allowed:
                    raise UserError(
                        f"network overrides: {section}.{item_id}.{attr} cannot be overridden; "
                        f"allowed: {', '.join(allowed)}."
                    )
                by_id[item_id][attr] = _coerce(value, allowed[attr], f"{section}.{item_id}.{attr}")
            if section == "legs":
                _check_leg_values(by_id[item_id], f"network overrides: legs.{item_id}")


def _coerce(value: Any, kind: type, where: str) -> Any:
    if kind is bool:
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise UserError(f"network overrides: {where} must be true or false, got {value!r}.")
    if kind is str:
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"network overrides: {where} must be a number, got {value!r}.")
    if kind is int and float(value) != int(value):
        raise UserError(f"network overrides: {where} must be a whole number, got {value!r}.")
    return kind(value)


def _suggest(name: str, valid: dict | list) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(valid), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


# --------------------------------------------------------------------------- compiling


def _compile(
    places: list[dict[str, Any]],
    legs: list[dict[str, Any]],
    states: list[dict[str, Any]],
    place_index: dict[str, int],
    state_index: dict[str, int],
) -> CompiledNetwork:
    n_places, n_legs = len(places), len(legs)
    source = np.array([place_index[leg["source"]] for leg in legs], dtype=np.int32)
    target = np.array([place_index[leg["target"]] for leg in legs], dtype=np.int32)
    counts = np.bincount(source, minlength=n_places)
    out_start = np.zeros(n_places + 1, dtype=np.int32)
    np.cumsum(counts, out=out_start[1:])
    eu = {s["id"] for s in states if s["eu_member"]}
    route_bit = {r: 1 << i for i, r in enumerate(ROUTES)}
    return CompiledNetwork(
        n_places=n_places,
        n_legs=n_legs,
        out_start=out_start,
        leg_source=source,
        leg_target=target,
        leg_mode=np.array([MODES.index(leg["mode"]) for leg in legs], dtype=np.int8),
        leg_days=np.array([leg["days"] for leg in legs], dtype=np.int16),
        leg_distance_km=np.array([leg["distance_km"] for leg in legs], dtype=np.float32),
        leg_death_risk=np.array([leg["death_risk"] for leg in legs], dtype=np.float64),
        leg_smuggled=np.array([leg["smuggled"] for leg in legs], dtype=bool),
        leg_price_min=np.array([leg["price_min_eur"] for leg in legs], dtype=np.float64),
        leg_price_max=np.array([leg["price_max_eur"] for leg in legs], dtype=np.float64),
        leg_route=np.array(
            [ROUTES.index(leg["route"]) if leg["route"] else -1 for leg in legs], dtype=np.int8
        ),
        leg_eu_entry=np.array([leg["crossing"] == "eu_entry" for leg in legs], dtype=bool),
        leg_border=np.array([leg["crossing"] != "none" for leg in legs], dtype=bool),
        leg_controller=np.array(
            [state_index[leg["controlled_by"][0]] if leg["controlled_by"] else -1 for leg in legs],
            dtype=np.int16,
        ),
        leg_closed=np.array([leg["closed"] for leg in legs], dtype=bool),
        place_kind=np.array([KINDS.index(p["kind"]) for p in places], dtype=np.int8),
        place_state=np.array([state_index[p["country"]] for p in places], dtype=np.int16),
        place_is_eu=np.array([p["country"] in eu for p in places], dtype=bool),
        place_lat=np.array([p["lat"] for p in places], dtype=np.float64),
        place_lon=np.array([p["lon"] for p in places], dtype=np.float64),
        place_route_mask=np.array(
            [sum(route_bit[r] for r in p["routes"]) for p in places], dtype=np.uint8
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
