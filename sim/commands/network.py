"""``mixmig network [--json] [--ids] [--map PATH]``: summarise the route network, list the ids a
scenario may use, draw its map."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.errors import UserError
from sim.execution.folders import check_can_create
from sim.network import MODES, ROUTES, Network, load_network, summary_text, to_json
from sim.network.maps import draw_network


def ids_text(net: Network) -> str:
    """Every id a scenario may name, by kind: places (by kind, with name and country), states,
    nationalities, legs, routes and modes."""
    lines = [f"Places ({len(net.places)}), by kind: id (name, country)"]
    for kind in dict.fromkeys(p["kind"] for p in net.places):
        lines.append(f"  {kind}:")
        lines += [
            f"    {p['id']} ({p['name']}, {p['country']})" for p in net.places if p["kind"] == kind
        ]
    lines.append(f"States ({len(net.states)}): id (name)")
    lines += [
        f"  {s['id']} ({s['name']}{', EU member' if s['eu_member'] else ''})" for s in net.states
    ]
    lines.append(f"Nationalities ({len(net.nationalities)}), ISO 3166 alpha-3:")
    lines.append("  " + ", ".join(net.nationalities))
    lines.append(f"Legs ({len(net.legs)}): id (mode, route)")
    lines += [f"  {leg['id']} ({leg['mode']}, {leg['route'] or 'no route'})" for leg in net.legs]
    lines.append("Routes: " + ", ".join(ROUTES))
    lines.append("Modes: " + ", ".join(MODES))
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """Print the network's summary (or its ids, or every place and leg as JSON); draw the map
    if asked."""
    net = load_network()
    if args.json:
        print(json.dumps(to_json(net), indent=2, ensure_ascii=False))
    elif getattr(args, "ids", False):
        print(ids_text(net))
    else:
        print(summary_text(net))
    if args.map:
        path = Path(args.map)
        check_can_create(path.parent)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            draw_network(net, path, title="mixmig route network")
        except OSError as error:
            raise UserError(f"--map {path}: cannot write ({error.strerror or error}).") from None
        # With --json, standard output is the JSON alone (so it can be piped).
        print(f"map written to {path}", file=sys.stderr if args.json else sys.stdout)
    return 0
