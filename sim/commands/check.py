"""``mixmig check SCENARIO...``: validate scenario files without running them."""

from __future__ import annotations

import argparse
import sys

from sim.errors import UserError
from sim.scenario.loading import load_scenario


def main(args: argparse.Namespace) -> int:
    """Load every scenario; print one line for each good file and one paragraph for each bad
    one (every file is checked, not only up to the first mistake); 2 if any file is bad."""
    bad = 0
    for path in args.scenarios:
        try:
            scenario = load_scenario(path)
        except UserError as error:
            bad += 1
            print(f"error: {error}", file=sys.stderr)
            continue
        print(f"OK  {path}: {scenario.summary_line()}")
    if bad and len(args.scenarios) > 1:
        print(f"{bad} of {len(args.scenarios)} files have mistakes.", file=sys.stderr)
    return UserError.exit_code if bad else 0
