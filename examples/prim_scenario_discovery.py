"""Scenario discovery on a finished sweep with EMA Workbench's PRIM.

Which combinations of factor values lead to the outcomes of interest, say the quarter of runs
with the fewest Central Mediterranean arrivals? PRIM (the Patient Rule Induction Method) peels
the factor space down to a box of simple ranges, one per factor it restricts, that holds many
of those runs (coverage) and few others (density). This script reads a sweep folder into EMA
Workbench's (experiments, outcomes) layout with ``sim.sweep.workbench``, classifies the runs,
runs PRIM and prints the box it finds:

    python examples/prim_scenario_discovery.py results/map \
        --output arrivals.central_med --lowest 0.25

Needs the workbench extra (``pip install 'mixmig[workbench]'``). See docs/sweeps.md.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from sim.errors import UserError
from sim.sweep.workbench import experiments_and_outcomes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # EMA Workbench warns about optional parallel back ends
    from ema_workbench.analysis import prim


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a finished sweep's folder (runs.parquet, manifest.json)")
    parser.add_argument("--output", required=True, help="the output column to classify on")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--lowest", type=float, help="cases: this share of runs with the lowest")
    which.add_argument("--highest", type=float, help="cases: this share with the highest")
    which.add_argument("--below", type=float, help="cases: runs whose output is below VALUE")
    which.add_argument("--above", type=float, help="cases: runs whose output is above VALUE")
    parser.add_argument("--threshold", type=float, default=0.8,
                        help="the density PRIM peels towards (default 0.8)")  # fmt: skip
    return parser.parse_args(argv)


def classifier(args: argparse.Namespace):
    """A function of the outcomes dict giving True for the runs of interest."""

    def classify(outcomes: dict[str, np.ndarray]) -> np.ndarray:
        y = outcomes[args.output]
        if args.below is not None:
            return y < args.below
        if args.above is not None:
            return y > args.above
        if args.highest is not None:
            return y >= np.quantile(y, 1 - args.highest)
        return y <= np.quantile(y, args.lowest if args.lowest is not None else 0.25)

    return classify


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        experiments, outcomes = experiments_and_outcomes(args.folder)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.output not in outcomes:
        print(f"error: no output '{args.output}'; outputs: {', '.join(outcomes)}", file=sys.stderr)
        return 2
    classify = classifier(args)
    cases = classify(outcomes)
    print(f"{len(cases)} runs, {int(cases.sum())} of interest ({args.output})")
    if cases.all() or not cases.any():
        print("every run or none is of interest: nothing to discover")
        return 0
    finder = prim.setup_prim((experiments, outcomes), classify, threshold=args.threshold)
    box = finder.find_box()
    print(
        f"box: coverage {box.coverage:.2f} (share of the runs of interest inside), "
        f"density {box.density:.2f} (share of the runs inside that are of interest), "
        f"mass {box.mass:.2f} (share of all runs inside)"
    )
    # The box's limits: one column per factor, rows lower and upper (a set for a category);
    # a factor is restricted where they differ from the whole space's.
    limits, whole = box.box_lim, finder.box_init
    restricted = [name for name in limits.columns if not limits[name].equals(whole[name])]
    if not restricted:
        print("PRIM restricted no factor: the runs of interest are spread over the whole space")
        return 0
    print("restricted factors (the box's limits):")
    for name in restricted:
        low, high = limits[name].iloc[0], limits[name].iloc[1]
        shown = sorted(low) if isinstance(low, set) else f"{low:g} to {high:g}"
        print(f"  {name}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
