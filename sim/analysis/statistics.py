"""Statistics over seeds: pure functions of saved ``summary`` tables, nothing else.

- :func:`t_interval`: the mean over seeds and its Student-t interval;
- :func:`wide_summary`: the summary as one row per (scenario, seed) and one column per
  (route, metric), with the derived per-seed metrics (:data:`DERIVED_METRICS`);
- :func:`compare_wide`: per scenario, route and metric, the mean, the base's mean over the same
  seeds and the paired difference, each with its 95% interval;
- :func:`displacement`: how much of the arrivals lost on squeezed routes reappear on others.

Everything above (plots, the report, the ``compare`` command) builds on these; they import
nothing of the model, so ``python run.py report DIR`` needs only the saved tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from sim.errors import UserError
from sim.network import ROUTES
from sim.outputs.metrics import Metric

#: Route ids in the order of report tables: ``all`` first, then the five routes.
ROUTE_ORDER: tuple[str, ...] = ("all", *ROUTES)
COMPARISON_COLUMNS = [
    "scenario", "route", "metric", "mean", "lo", "hi",
    "base_mean", "diff", "diff_lo", "diff_hi", "rel_diff",
]  # fmt: skip
DISPLACEMENT_COLUMNS = [
    "scenario", "squeezed_routes", "arrivals_lost", "arrivals_gained_elsewhere",
    "ratio", "ratio_lo", "ratio_hi", "seeds",
]  # fmt: skip
#: Metrics the comparison derives per seed from the model's own (declared like them).
DERIVED_METRICS: tuple[Metric, ...] = (
    Metric("deaths_per_1000_attempts", "ratio", "deaths per 1,000 attempts",
           "Death rate at crossings",
           "dead and missing per 1,000 crossing attempts, per seed (empty without attempts)",
           numerator="dead_missing", denominator="attempts", per=1000.0, headline=True),
)  # fmt: skip
ARRIVALS = "arrivals"


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, ...]:
    """Column-wise mean and two-sided t-interval of ``values`` (rows = seeds; NaN ignored).

    Returns ``(mean, lo, hi)`` with ``lo, hi = mean ∓ t(0.5 + level/2, n−1) · sd / √n``. With
    one finite value the interval is the value itself; with none, NaN.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    finite = np.isfinite(values)
    n = finite.sum(axis=0)
    filled = np.where(finite, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        squares = np.where(finite, (values - mean) ** 2, 0.0).sum(axis=0)
        sd = np.sqrt(squares / np.maximum(n - 1, 1))
        # One quantile per distinct number of seeds (scipy's ppf is slow element by element).
        counts, where = np.unique(n, return_inverse=True)
        quantile = student_t.ppf(0.5 + level / 2, np.maximum(counts - 1, 1))[where.ravel()]
        half = np.where(n > 1, quantile * sd / np.sqrt(n), 0.0)
    return mean, mean - half, mean + half


def _route_key(route: str) -> tuple[int, str]:
    return (ROUTE_ORDER.index(route), "") if route in ROUTE_ORDER else (len(ROUTE_ORDER), route)


def wide_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Summary rows as a table: one row per (scenario, seed), one column per (route, metric).

    Values a run left undefined (a ratio with nothing to divide by) or did not report are NaN
    and are left out of means and intervals. Derived metrics (:data:`DERIVED_METRICS`) are
    computed per seed, NaN where the denominator is 0. Columns are ordered by route (``all``
    first) and by each metric's first appearance in ``summary``.
    """
    metrics = list(dict.fromkeys(summary["metric"]))
    routes = sorted(dict.fromkeys(summary["route"]), key=_route_key)
    wide = summary.set_index(["scenario", "seed", "route", "metric"])["value"].astype(float)
    if wide.index.duplicated().any():
        raise UserError("summary tables repeat a (scenario, seed, route, metric) row.")
    wide = wide.unstack(["route", "metric"])
    for derived in DERIVED_METRICS:
        numerator, denominator = derived.numerator, derived.denominator
        if numerator not in metrics or denominator not in metrics or derived.name in metrics:
            continue
        metrics.append(derived.name)
        for route in routes:
            top = wide.get((route, numerator))
            bottom = wide.get((route, denominator))
            if top is None or bottom is None:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                wide[(route, derived.name)] = np.where(
                    bottom > 0, derived.per * top / bottom, np.nan
                )
    columns = pd.MultiIndex.from_tuples(
        [(r, m) for r in routes for m in metrics if (r, m) in wide.columns],
        names=["route", "metric"],
    )
    return wide.reindex(columns=columns).sort_index(
        level=["scenario", "seed"], sort_remaining=False
    )


def compare_wide(wide: pd.DataFrame, labels: Sequence[str], base: str) -> pd.DataFrame:
    """The comparison table (``COMPARISON_COLUMNS``) from a :func:`wide_summary`.

    Differences are paired by seed: only seeds where both the scenario and the base finished
    (and the value is defined) enter ``base_mean``, ``diff`` and its interval.
    """
    base_rows = wide.loc[base] if base in wide.index.get_level_values(0) else None
    frames = []
    for label in labels:
        if label not in wide.index.get_level_values(0):
            continue
        rows = wide.loc[label]
        mean, lo, hi = t_interval(rows.to_numpy())
        if base_rows is not None:
            seeds = rows.index.intersection(base_rows.index)
            other = rows.loc[seeds].to_numpy()
            reference = base_rows.loc[seeds].to_numpy()
            paired = np.isfinite(other) & np.isfinite(reference)
            reference = np.where(paired, reference, np.nan)
            base_mean = t_interval(reference)[0]
            diff, diff_lo, diff_hi = t_interval(np.where(paired, other - reference, np.nan))
        else:
            base_mean = diff = diff_lo = diff_hi = np.full(len(mean), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel_diff = np.where(base_mean != 0, diff / base_mean, np.nan)
        frame = pd.DataFrame(
            {
                "scenario": label,
                "route": rows.columns.get_level_values(0),
                "metric": rows.columns.get_level_values(1),
                "mean": mean,
                "lo": lo,
                "hi": hi,
                "base_mean": base_mean,
                "diff": diff,
                "diff_lo": diff_lo,
                "diff_hi": diff_hi,
                "rel_diff": rel_diff,
            }
        )
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    return pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]


def displacement(wide: pd.DataFrame, labels: Sequence[str], base: str) -> pd.DataFrame:
    """Route displacement of arrivals for each non-base scenario (``DISPLACEMENT_COLUMNS``).

    The *squeezed* routes are those where the scenario clearly lowers arrivals: the 95%
    interval of the paired difference lies below zero (with one seed: the difference is
    negative). Per seed, ``lost`` is the arrivals lost on them and ``gained`` the net change on
    all other routes; the ratio is ``mean(gained) / mean(lost)`` (1 = every lost arrival
    reappears elsewhere, 0 = none does, negative = arrivals fell elsewhere too), with a 95%
    t-interval by the delta method over seeds. With no squeezed route the ratio is empty.
    """
    rows = []
    base_present = base in wide.index.get_level_values(0)
    columns = [(r, ARRIVALS) for r in ROUTES if (r, ARRIVALS) in wide.columns]
    for label in labels:
        if label == base or not base_present or not columns:
            continue
        if label not in wide.index.get_level_values(0):
            continue
        seeds = wide.loc[label].index.intersection(wide.loc[base].index)
        if len(seeds) == 0:
            continue
        diffs = (
            wide.loc[label].loc[seeds, columns].to_numpy()
            - wide.loc[base].loc[seeds, columns].to_numpy()
        )
        squeezed = t_interval(diffs)[2] < 0
        lost = -diffs[:, squeezed].sum(axis=1)
        gained = diffs[:, ~squeezed].sum(axis=1)
        ratio = ratio_lo = ratio_hi = np.nan
        if squeezed.any() and lost.mean() > 0:
            ratio = gained.mean() / lost.mean()
            _, lo, hi = t_interval((gained - ratio * lost) / lost.mean())
            ratio_lo, ratio_hi = ratio + lo[0], ratio + hi[0]
        rows.append(
            {
                "scenario": label,
                "squeezed_routes": ";".join(
                    r for (r, _), s in zip(columns, squeezed, strict=True) if s
                ),
                "arrivals_lost": lost.mean(),
                "arrivals_gained_elsewhere": gained.mean(),
                "ratio": ratio,
                "ratio_lo": ratio_lo,
                "ratio_hi": ratio_hi,
                "seeds": len(seeds),
            }
        )
    return pd.DataFrame(rows, columns=DISPLACEMENT_COLUMNS)
