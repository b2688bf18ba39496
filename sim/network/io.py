"""Reading and checking the network's data files, and applying a scenario's overrides.

The constants here (route ids, kinds of place, modes, columns) are the vocabulary of the data
files; :mod:`sim.network` re-exports them and builds the graph and compiled arrays.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import math
import re
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.network.changes import CHANGE_COLUMNS, parse_changes

ROUTES: tuple[str, ...] = (
    "central_med",
    "western_balkans",
    "atlantic",
    "western_med",
    "eastern_med",
)
#: Route slots in counters and per-leg arrays: the routes, then one for legs and places that
#: count for no route (``NO_ROUTE``).
NO_ROUTE = len(ROUTES)
ROUTE_SLOTS = len(ROUTES) + 1
#: The day the network's data describe (the prices, capacities and risks of legs.csv are those
#: reported for 2023): measures in force before it are part of what the data show.
DATA_DATE = dt.date(2023, 1, 1)
KINDS: tuple[str, ...] = ("origin", "hub", "departure", "entry", "destination")
MODES: tuple[str, ...] = ("land", "sea", "air")
CROSSINGS: tuple[str, ...] = ("eu_entry", "border", "none")
#: What kind of stretch a leg is, as the sources count deaths and interceptions (IOM Missing
#: Migrants counts sea crossings and the Sahara apart): a sea crossing, a desert crossing, a
#: land border, travel inland, or a flight. Each mode allows some of them (``SEGMENT_MODES``).
SEGMENTS: tuple[str, ...] = ("sea", "desert", "land_border", "inland", "air")
SEGMENT_MODES: dict[str, str] = {
    "sea": "sea",
    "desert": "land",
    "land_border": "land",
    "inland": "land",
    "air": "air",
}

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

PLACE_COLUMNS = tuple("id name country lat lon kind routes source".split())
LEG_COLUMNS = tuple(
    "source target mode days distance_km death_risk smuggled price_min_eur price_max_eur "
    "controlled_by route crossing segment fence source_note".split()
)
ORIGIN_COLUMNS = ("place", "nationality", "share", "source")
STATE_COLUMNS = ("id", "name", "eu_member", "remittances_pct_gdp", "gdp_usd_bn", "source")

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
#: A state id: ISO3, or ISO3 with a suffix for a part of a divided country (``LBY_W``), or EU.
_STATE_PATTERN = re.compile(r"^([A-Z]{3}(_[A-Z]{1,3})?|EU)$")


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


def _convert(
    row: dict[str, str],
    where: str,
    floats: tuple[str, ...] = (),
    ints: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    lists: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Convert the named columns of one CSV row; raise UserError naming the file and row."""
    out: dict[str, Any] = dict(row)
    for column in floats + ints:
        try:
            out[column] = (int if column in ints else float)(row[column])
        except ValueError:
            message = f"column '{column}' must be a number, got {row[column]!r}."
            raise UserError(f"{where}: {message}") from None
        if not math.isfinite(out[column]):
            raise UserError(f"{where}: column '{column}' must be finite.")
    for column in flags:
        if row[column] not in ("0", "1"):
            raise UserError(f"{where}: column '{column}' must be 0 or 1, got {row[column]!r}.")
        out[column] = row[column] == "1"
    for column in lists:
        out[column] = [item for item in row[column].split(";") if item]
    return out


def _require(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise UserError(f"{where}: {message}")


def _parse_states(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = []
    for i, row in enumerate(rows, start=2):
        where = f"states.csv row {i} ({row['id']})"
        gdp_given = row["gdp_usd_bn"] != ""
        floats = ("remittances_pct_gdp", "gdp_usd_bn") if gdp_given else ("remittances_pct_gdp",)
        state = _convert(row, where, floats=floats, flags=("eu_member",))
        if not gdp_given:
            state["gdp_usd_bn"] = math.nan  # no GDP (Western Sahara): offers have no weight
        _require(not gdp_given or state["gdp_usd_bn"] > 0, where, "gdp_usd_bn must be positive.")
        _require(
            bool(_STATE_PATTERN.match(row["id"])) and all(s["id"] != row["id"] for s in states),
            where,
            "id must be a unique ISO3 code (with a suffix such as _W for a part of a divided "
            "country) or EU.",
        )
        states.append(state)
    return states


def _parse_places(rows: list[dict[str, str]], state_ids: set[str]) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        where = f"places.csv row {i} ({row['id']})"
        place = _convert(row, where, floats=("lat", "lon"), lists=("routes",))
        _require(bool(_ID_PATTERN.match(row["id"])), where, "id must be lower snake case.")
        _require(row["id"] not in seen, where, "duplicate place id.")
        _require(row["kind"] in KINDS, where, f"kind {row['kind']!r} is not one of {KINDS}.")
        _require(
            row["country"] in state_ids, where, f"country {row['country']!r} not in states.csv."
        )
        _require(
            bool(place["routes"]) and all(r in ROUTES for r in place["routes"]),
            where,
            f"routes must be ';'-separated ids from {ROUTES}.",
        )
        _require(
            -90 <= place["lat"] <= 90 and -180 <= place["lon"] <= 180, where, "bad coordinates."
        )
        seen.add(row["id"])
        places.append(place)
    return places


def _parse_legs(
    rows: list[dict[str, str]], place_ids: set[str], state_ids: set[str]
) -> list[dict[str, Any]]:
    legs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        leg_id = f"{row['source']}-{row['target']}"
        where = f"legs.csv row {i} ({leg_id})"
        leg = _convert(
            row,
            where,
            floats=("distance_km", "death_risk", "price_min_eur", "price_max_eur"),
            ints=("days",),
            flags=("smuggled", "fence"),
            lists=("controlled_by",),
        )
        for end in ("source", "target"):
            _require(row[end] in place_ids, where, f"{end} {row[end]!r} is not in places.csv.")
        _require(row["source"] != row["target"], where, "a leg must join two different places.")
        _require(leg_id not in seen, where, "duplicate leg.")
        _require(row["mode"] in MODES, where, f"mode {row['mode']!r} is not one of {MODES}.")
        _require(row["route"] in ROUTES + ("",), where, f"route must be empty or in {ROUTES}.")
        _require(row["crossing"] in CROSSINGS, where, f"crossing must be one of {CROSSINGS}.")
        _require(row["segment"] in SEGMENTS, where, f"segment must be one of {SEGMENTS}.")
        _require(
            SEGMENT_MODES[row["segment"]] == row["mode"],
            where,
            f"segment {row['segment']!r} is for {SEGMENT_MODES[row['segment']]} legs, "
            f"not {row['mode']} ones.",
        )
        _require(
            not leg["fence"] or row["crossing"] == "eu_entry",
            where,
            "a fence (fence 1) is on a land leg entering the EU (crossing eu_entry).",
        )
        _require(
            row["segment"] != "land_border" or row["crossing"] != "none",
            where,
            "a land_border leg must cross a border (crossing eu_entry or border).",
        )
        unknown = [s for s in leg["controlled_by"] if s not in state_ids]
        _require(not unknown, where, f"controlled_by {unknown} not in states.csv.")
        _check_leg_values(leg, where)
        seen.add(leg_id)
        legs.append({"id": leg_id, **leg, "closed": False})
    return legs


def _check_leg_values(leg: dict[str, Any], where: str) -> None:
    _require(leg["days"] >= 1, where, f"days must be at least 1, got {leg['days']}.")
    _require(leg["distance_km"] >= 0, where, "distance_km must not be negative.")
    _require(0 <= leg["death_risk"] <= 1, where, "death_risk must be a probability in [0, 1].")
    _require(
        0 <= leg["price_min_eur"] <= leg["price_max_eur"],
        where,
        "need 0 <= price_min_eur <= price_max_eur.",
    )


def _parse_origins(
    rows: list[dict[str, str]], places: dict[str, dict[str, Any]], state_ids: set[str]
) -> list[dict[str, Any]]:
    origins: list[dict[str, Any]] = []
    totals: dict[str, float] = {}
    for i, row in enumerate(rows, start=2):
        where = f"origins.csv row {i} ({row['place']}, {row['nationality']})"
        origin = _convert(row, where, floats=("share",))
        kind = places.get(row["place"], {}).get("kind")
        _require(kind == "origin", where, "place must be a place of kind 'origin'.")
        _require(row["nationality"] in state_ids, where, "nationality not in states.csv.")
        _require(0 < origin["share"] <= 1, where, "share must be in (0, 1].")
        totals[row["place"]] = totals.get(row["place"], 0.0) + origin["share"]
        origins.append(origin)
    for place_id, total in totals.items():
        _require(abs(total - 1.0) < 1e-6, "origins.csv", f"shares for {place_id!r} sum to {total}.")
    unlisted = [p for p, v in places.items() if v["kind"] == "origin" and p not in totals]
    _require(not unlisted, "origins.csv", f"origin place(s) {unlisted} have no rows.")
    return origins


@functools.lru_cache(maxsize=8)
def read_base(data_dir: str) -> tuple[tuple, tuple, tuple, tuple]:
    """Read and validate the four data files once per directory (cached; callers copy)."""
    root = Path(data_dir)
    states = _parse_states(_read_csv(root / "states.csv", STATE_COLUMNS))
    state_ids = {s["id"] for s in states}
    places = _parse_places(_read_csv(root / "places.csv", PLACE_COLUMNS), state_ids)
    by_id = {p["id"]: p for p in places}
    legs = _parse_legs(_read_csv(root / "legs.csv", LEG_COLUMNS), set(by_id), state_ids)
    origins = _parse_origins(_read_csv(root / "origins.csv", ORIGIN_COLUMNS), by_id, state_ids)
    return tuple(states), tuple(places), tuple(legs), tuple(origins)


@functools.lru_cache(maxsize=8)
def read_changes(data_dir: str) -> tuple[dict[str, Any], ...]:
    """The dated changes of ``changes.csv``, validated against the base network (cached)."""
    states, _, legs, _ = read_base(data_dir)
    rows = _read_csv(Path(data_dir) / "changes.csv", CHANGE_COLUMNS)
    return tuple(
        parse_changes(rows, {leg["id"] for leg in legs}, {state["id"] for state in states})
    )


@functools.lru_cache(maxsize=8)
def read_visa_free(data_dir: str) -> dict[str, set[str]]:
    """State -> nationalities that may enter it without a visa (``visa_free.csv``)."""
    entries: dict[str, set[str]] = {}
    for row in _read_csv(Path(data_dir) / "visa_free.csv", ("state", "nationality", "source")):
        entries.setdefault(row["state"], set()).add(row["nationality"])
    return entries


def copy_rows(rows: tuple) -> list[dict[str, Any]]:
    return [{k: (list(v) if isinstance(v, list) else v) for k, v in row.items()} for row in rows]


# --------------------------------------------------------------------------- overrides


def apply_overrides(
    overrides: dict | None, places: list[dict[str, Any]], legs: list[dict[str, Any]]
) -> None:
    if not overrides:
        return
    unknown_sections = set(overrides) - {"places", "legs", "changes"}
    if unknown_sections:
        raise UserError(
            f"network overrides: unknown section(s) {sorted(unknown_sections)}; "
            "use 'places', 'legs' and 'changes'."
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
    close = difflib.get_close_matches(name, list(valid), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
