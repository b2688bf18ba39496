"""``mixmig check SCENARIO...``: validate scenario files without running them."""

from __future__ import annotations

import argparse

from sim.scenario.loading import load_scenario


def main(args: argparse.Namespace) -> int:
    """Load every scenario (stopping at the first mistake, a UserError); print one line each."""
    for path in args.scenarios:
        scenario = load_scenario(path)
        print(f"OK  {path}: {scenario.summary_line()}")
    return 0
