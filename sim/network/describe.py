"""Readable views of the network: the summary ``run.py network`` prints, and its JSON form."""

from __future__ import annotations

from typing import Any

from sim.network.io import KINDS, MODES, ROUTES
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
