"""Fit a scenario's departure rates origin by origin on the 2023 targets.

Usage::

    python tools/fit_departures.py SCENARIO [--seeds N] [--scale X] [--range LO HI]
        [--limit PLACE=LO:HI ...] [--prior W] --out FITTED.yaml

Each origin place sends one nationality (``sim/data/origins.csv``). A run counts, by
nationality, the people detected on each route, landed from each country, stopped by each
transit state and entering each transit country (the breakdown's ``nationality``,
``from_state_nationality`` and ``state_nationality`` splits), so every target of
``sim/data/targets/`` made of those counts is, to first order, a sum over origins of what that
origin's people contribute: multiply an origin's departure rate by m and its part of each count
is multiplied by m. The tool runs the scenario's seeds, writes each such target as that sum
(route arrivals, landings by country left, interceptions by state, nationality shares; not
deaths, prices, stocks or months, which no split by nationality carries), and finds one
multiplier per origin by bounded least squares (:func:`scipy.optimize.least_squares`) on the
errors divided by their tolerances, acceptance targets counted twice, with a pull of ``prior``
per unit of log multiplier toward 1. It prints the targets' linearised errors before and after
and the multipliers, and writes a scenario that extends the one fitted with the new rates
(rounded to hundreds), to be checked with ``run.py validate`` and fitted again from its own
run: the model's answer is not linear (prices, lines and beliefs move with the flows), so two
or three rounds are needed (``docs/calibration.md``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import least_squares

from sim.calibration.measures import in_months
from sim.calibration.targets import Target, Term, load_targets
from sim.errors import UserError
from sim.execution.runner import replication_seeds, simulate
from sim.network import load_network
from sim.scenario.build import scenario_parameters
from sim.scenario.loading import load_scenario

#: The split by nationality that resolves a target's split by state (``None``: the split by
#: nationality itself, filtered to the term's categories).
NATIONALITY_SPLITS = {
    "nationality": None,
    "from_state": "from_state_nationality",
    "state": "state_nationality",
    "state_segment": "state_nationality",
    "state_nationality": "state_nationality",
}


@dataclass(frozen=True)
class Linearised:
    """One target as sums over origins: ``numerator @ m`` (over ``denominator @ m``)."""

    target: Target
    numerator: np.ndarray
    denominator: np.ndarray | None

    def value(self, multipliers: np.ndarray) -> float:
        top = float(self.numerator @ multipliers)
        return top if self.denominator is None else top / float(self.denominator @ multipliers)

    def error(self, multipliers: np.ndarray) -> float:
        """Relative error, or the difference for an absolute tolerance."""
        value, observed = self.value(multipliers), self.target.observed
        if self.target.tolerance_kind == "absolute":
            return value - observed
        return value / observed - 1.0

    def weighted(self, multipliers: np.ndarray) -> float:
        """The error in tolerances, twice for an acceptance target."""
        weight = 2.0 if self.target.done_when else 1.0
        return weight * self.error(multipliers) / self.target.tolerance


def by_nationality(
    breakdown: pd.DataFrame, term: Term, route: str, nationalities: Sequence[str]
) -> np.ndarray | None:
    """Per nationality, the term's count (mean over the runs); None where no split by
    nationality carries the term."""
    if term.table == "summary":
        split, wanted = "nationality", None
    elif term.table == "breakdown" and term.by in NATIONALITY_SPLITS:
        split = NATIONALITY_SPLITS[term.by] or "nationality"
        wanted = set(term.categories)
    else:
        return None
    of_metric = breakdown[(breakdown["route"] == route) & (breakdown["metric"] == term.metric)]
    rows = of_metric[of_metric["by"] == split]
    if rows.empty:
        return None  # the metric is not split by nationality on this route
    category = rows["category"]
    if split == "nationality":
        nationality, keep = category, category.isin(wanted) if wanted else category.notna()
    else:
        state, nationality = category.str.split(":", n=1).str[0], category.str.split(":").str[1]
        if term.by == "state_nationality":
            keep = category.isin(wanted)
        else:
            keep = state.isin({c.split(":")[0] for c in wanted})
    totals = rows[keep].groupby(nationality[keep])["value"].sum() / breakdown["seed"].nunique()
    counts = np.array([totals.get(n, 0.0) for n in nationalities])
    if term.by == "state_segment":  # the states' counts on all segments, scaled to these
        segments = of_metric[of_metric["by"] == "state_segment"]
        of_states = segments[segments["category"].str.split(":").str[0].isin(state[keep])]
        chosen = of_states[of_states["category"].isin(wanted)]["value"].sum()
        total = of_states["value"].sum()
        counts = counts * (chosen / total if total > 0 else 0.0)
    return counts


def linearise(
    targets: Sequence[Target],
    breakdown: pd.DataFrame,
    monthly: pd.DataFrame,
    nationalities: Sequence[str],
) -> list[Linearised]:
    """The targets that splits by nationality carry, as sums over nationalities (over the
    months of its period for a target over part of the run, from the ``monthly`` breakdown)."""
    out = []
    for target in targets:
        if target.statistic not in ("total", "ratio"):
            continue  # means over a window, months
        months = target.months_window()
        frame = breakdown if months is None else in_months(monthly, months, "month")
        sides = []
        for terms in (target.numerator, target.denominator):
            parts = [by_nationality(frame, t, target.route, nationalities) for t in terms]
            sides.append(None if not terms or any(p is None for p in parts) else sum(parts))
        numerator, denominator = sides
        if numerator is None or (target.denominator and denominator is None):
            continue
        out.append(Linearised(target, numerator, denominator))
    return out


def fit_multipliers(
    rows: Sequence[Linearised], low: np.ndarray, high: np.ndarray, prior: float
) -> np.ndarray:
    """One multiplier per nationality within ``low``..``high`` (equal bounds hold it there):
    least squares of the errors in tolerances, with ``prior`` per unit of log multiplier
    pulling toward 1."""

    def residuals(log_m: np.ndarray) -> np.ndarray:
        m = np.exp(log_m)
        return np.concatenate([[r.weighted(m) for r in rows], prior * log_m])

    lo = np.log(low)
    hi = np.maximum(np.log(high), lo + 1e-9)  # LO = HI holds an origin (the solver needs LO < HI)
    margin = 1e-3 * (hi - lo)
    start = np.clip(0.0, lo + margin, hi - margin)  # 1 where allowed, strictly inside
    return np.exp(least_squares(residuals, start, bounds=(lo, hi)).x)


def _limits(text: Sequence[str], places: Sequence[str], default: tuple[float, float]):
    low = np.full(len(places), default[0])
    high = np.full(len(places), default[1])
    for item in text:
        place, _, bounds = item.partition("=")
        lo_text, sep, hi_text = bounds.partition(":")
        if place not in places or not sep:
            raise UserError(
                f"--limit {item!r}: expected PLACE=LO:HI with PLACE an origin place "
                f"({', '.join(places)}) and LO or HI a multiplier (either may be empty)."
            )
        try:
            if lo_text:
                low[places.index(place)] = float(lo_text)
            if hi_text:
                high[places.index(place)] = float(hi_text)
        except ValueError:
            raise UserError(f"--limit {item!r}: LO and HI must be numbers.") from None
    if np.any(low <= 0) or np.any(low > high):
        raise UserError("--range and --limit: every multiplier needs 0 < LO <= HI.")
    return low, high


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", help="the scenario whose departure rates are fitted")
    parser.add_argument("--seeds", type=int, default=3, help="runs to average (default 3)")
    parser.add_argument("--scale", type=float, default=0.3, help="agents per person (0.3)")
    parser.add_argument("--range", nargs=2, type=float, default=(0.3, 3.0), metavar=("LO", "HI"))
    parser.add_argument("--limit", action="append", default=[], metavar="PLACE=LO:HI")
    parser.add_argument("--prior", type=float, default=0.5, help="pull toward 1 (0.5)")
    parser.add_argument("--out", required=True, help="the fitted scenario to write (.yaml)")
    args = parser.parse_args(argv)
    if not 1 <= args.seeds <= 100:
        parser.error(f"--seeds must be between 1 and 100, got {args.seeds}")
    if args.prior < 0:
        parser.error(f"--prior must be 0 or more, got {args.prior:g}")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    try:
        return fit(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return UserError.exit_code


def fit(args: argparse.Namespace) -> int:
    path = Path(args.scenario)
    scenario = load_scenario(path)
    out = Path(args.out)
    if out.suffix not in (".yaml", ".yml"):
        raise UserError(f"--out {out}: the fitted scenario is a YAML file (.yaml).")
    network = load_network(scenario.network_overrides() or None)
    places = list(network.origin_places)
    nationality_of = {o["place"]: o["nationality"] for o in network.origins}
    if len(set(nationality_of.values())) != len(places):
        raise UserError(f"{path}: the fit needs one nationality per origin place.")
    nationalities = [nationality_of[p] for p in places]
    low, high = _limits(args.limit, places, tuple(args.range))
    rates = scenario_parameters(scenario, network).departure_rate

    # The seeds validate and run use for as many seeds, so that the targets' values before
    # the fit are validate's own.
    seeds = replication_seeds(scenario.seed, args.seeds)
    runs = [simulate(scenario, seed, scale=args.scale) for seed in seeds]
    breakdown = pd.concat([run.breakdown for run in runs])
    monthly = pd.concat([run.breakdown_monthly for run in runs])
    rows = linearise(load_targets(), breakdown, monthly, nationalities)
    if not rows:
        raise UserError(f"{path}: no target could be written by nationality.")
    multipliers = fit_multipliers(rows, low, high, args.prior)

    ones = np.ones(len(places))
    print(f"{'target':34s} {'before':>8s} {'after':>8s}  tolerance")
    for r in rows:
        print(
            f"{r.target.target:34s} {r.error(ones):+8.3f} {r.error(multipliers):+8.3f}"
            f"  {r.target.tolerance:g}"
        )
    fitted = {
        p: float(round(rate * m, -2)) for p, rate, m in zip(places, rates, multipliers, strict=True)
    }
    print(f"\n{'origin':12s} {'nat':4s} {'x':>6s} {'rate':>9s}")
    for p, n, m in zip(places, nationalities, multipliers, strict=True):
        print(f"{p:12s} {n:4s} {m:6.2f} {fitted[p]:9,.0f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "name": f"{scenario.name}_departures_fitted",
        "extends": str(path.resolve()),
        "description": (
            f"{scenario.name} with its departure rates fitted origin by origin by "
            f"tools/fit_departures.py ({args.seeds} seeds at scale {args.scale:g})."
        ),
        "parameters": {"departure_rate": fitted},
    }
    try:
        out.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    except OSError as error:
        raise UserError(f"--out {out}: cannot write it ({error.strerror}).") from None
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
