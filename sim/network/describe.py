"""Readable views of the network: the summary ``run.py network`` prints, and its JSON form."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sim.network.io import KINDS, MODES, ROUTES, SEGMENTS
from sim.network.loading import Network


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
        _table(
            "Dated changes (sim/data/changes.csv)",
            ["date", "change", "target", "attribute", "value"],
            [
                [
                    c["date"].isoformat(),
                    c["id"] + ("" if c["enabled"] else " (off)"),
                    c["target"],
                    c["attribute"],
                    f"{c['value']:g}",
                ]
                for c in net.changes
            ],
        ),
    ]
    return "\n\n".join(parts)


def _plain(value: Any) -> Any:
    """A value as JSON has it: dates as ISO text, a missing number (NaN) as null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_json(net: Network) -> dict[str, Any]:
    """The network as plain JSON-ready data: places, legs, origins, states and the year's
    dated changes."""
    rows = {
        "places": net.places,
        "legs": net.legs,
        "origins": net.origins,
        "states": net.states,
        "changes": net.changes,
    }
    return {
        "routes": list(ROUTES),
        "kinds": list(KINDS),
        "modes": list(MODES),
        "segments": list(SEGMENTS),
        **{
            name: [{k: _plain(v) for k, v in row.items()} for row in table]
            for name, table in rows.items()
        },
    }


# --------------------------------------------------------------------------- docs/network.md

TABLES_START = "<!-- network tables: generated from sim/data by `make docs` -->"
TABLES_END = "<!-- end of network tables -->"


def _number(value: float) -> str:
    """A number as the docs show it: thousands separated, no trailing zeros."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def _md(header: list[str], align: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown_tables(net: Network) -> str:
    """The summary and the tables of places, legs, origins, states and dated changes, as
    Markdown for docs/network.md (so the page never drifts from the data)."""
    places = _md(
        ["id", "name", "country", "lat", "lon", "kind", "routes"],
        ["---", "---", "---", "---:", "---:", "---", "---"],
        [
            [f"`{p['id']}`", p["name"], p["country"], f"{p['lat']:.2f}", f"{p['lon']:.2f}",
             p["kind"], ", ".join(p["routes"])]
            for p in net.places
        ],
    )  # fmt: skip
    legs = _md(
        ["leg", "mode", "segment", "days", "km", "risk", "smuggled", "price EUR", "ctrl",
         "route", "crossing", "sources"],
        ["---", "---", "---", "---:", "---:", "---:", ":---:", "---:", "---", "---", "---", "---"],
        [
            [f"`{leg['id']}`", leg["mode"], leg["segment"] + (" (fence)" if leg["fence"] else ""),
             leg["days"], _number(leg["distance_km"]), f"{leg['death_risk']:g}",
             "yes" if leg["smuggled"] else "",
             f"{_number(leg['price_min_eur'])}-{_number(leg['price_max_eur'])}",
             ";".join(leg["controlled_by"]), leg["route"], leg["crossing"], leg["source_note"]]
            for leg in net.legs
        ],
    )  # fmt: skip
    origins = _md(
        ["place", "nationality", "share", "source"],
        ["---", "---", "---:", "---"],
        [
            [f"`{o['place']}`", o["nationality"], f"{o['share']:g}", o["source"]]
            for o in net.origins
        ],
    )
    states = _md(
        ["id", "name", "EU member", "remittances, % of GDP", "GDP, billion USD", "source"],
        ["---", "---", ":---:", "---:", "---:", "---"],
        [
            [s["id"], s["name"], "yes" if s["eu_member"] else "", f"{s['remittances_pct_gdp']:g}",
             "" if math.isnan(s["gdp_usd_bn"]) else _number(s["gdp_usd_bn"]), s["source"]]
            for s in net.states
        ],
    )  # fmt: skip
    changes = _md(
        ["date", "id", "kind", "target", "attribute", "value", "source"],
        ["---", "---", "---", "---", "---", "---:", "---"],
        [
            [c["date"].isoformat(), f"`{c['id']}`", c["kind"], f"`{c['target']}`",
             c["attribute"], f"{c['value']:g}", c["source"]]
            for c in net.changes
        ],
    )  # fmt: skip
    return "\n\n".join(
        [
            "## Summary (`python run.py network`)",
            f"```\n{summary_text(net)}\n```",
            "## Places",
            places,
            "Coordinates are city centres (or the landing area) from public gazetteers, rounded "
            "to 0.01 degree. Where a place stands for a wider area the `source` column says so.",
            "## Legs",
            "Sorted by source place (file order) and target, i.e. in compiled order. `risk` is "
            "`death_risk` per person per crossing; prices in EUR; `ctrl` is `controlled_by` in "
            "the order the states are met; `segment` says what kind of stretch the leg is (and "
            "whether it is a fence). The sources of each figure are in the last column "
            "(`source_note` in `legs.csv`).",
            legs,
            "## Origins",
            origins,
            "## States",
            states,
            "## Dated changes",
            "The changes of 2023 (`changes.csv`), applied on their day; a scenario switches one "
            "off or moves it with `network: {changes: {<id>: {enabled: false}}}`.",
            changes,
        ]
    )


def with_network_tables(page: str, net: Network) -> str:
    """``page`` (docs/network.md) with the text between the table markers regenerated."""
    head, rest = page.split(TABLES_START, 1)
    _, tail = rest.split(TABLES_END, 1)
    return f"{head}{TABLES_START}\n{markdown_tables(net)}\n{TABLES_END}{tail}"
