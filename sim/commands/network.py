"""``mixmig network [--json] [--map PATH]``: summarise the route network; draw its map."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.network import load_network, summary_text, to_json
from sim.network.maps import draw_network


def main(args: argparse.Namespace) -> int:
    """Print the network's summary (or every place and leg as JSON); draw the map if asked."""
    net = load_network()
    if args.json:
        print(json.dumps(to_json(net), indent=2, ensure_ascii=False))
    else:
        print(summary_text(net))
    if args.map:
        path = Path(args.map)
        path.parent.mkdir(parents=True, exist_ok=True)
        draw_network(net, path, title="mixmig route network")
        # With --json, standard output is the JSON alone (so it can be piped).
        print(f"map written to {path}", file=sys.stderr if args.json else sys.stdout)
    return 0
