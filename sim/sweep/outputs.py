"""The outputs a sweep records for each run: a metric, on a route, over a time window.

An :class:`Output` is one number per run, computed in the worker from the run's daily time
series (so only these numbers travel back, not the tables):

- a **flow** (arrivals, deaths, ...): ``total`` over the window (default), or the daily
  ``mean``, ``max`` or ``min``;
- a **stock** (stranded, detained, ...): its level at the window's ``end`` (default), or the
  daily ``mean``, ``max`` or ``min`` over the window;
- a **ratio** (``mean_price``, ``days_in_transit``, ``deaths_per_1000_attempts``): the ratio of
  the window's totals (``total``, the only statistic), NaN when the denominator is 0.

Metrics are those of the registry (:mod:`sim.outputs.metrics`) and the comparison's derived
ones (:data:`sim.analysis.statistics.DERIVED_METRICS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.analysis.statistics import DERIVED_METRICS
from sim.outputs.counters import ROUTE_LABELS
from sim.outputs.metrics import METRICS, Metric

Statistic = Literal["total", "mean", "end", "max", "min"]
#: Every metric an output may name, by name.
OUTPUT_METRICS: dict[str, Metric] = {m.name: m for m in (*METRICS, *DERIVED_METRICS)}
#: The statistics each kind of metric allows, the default first.
STATISTICS: dict[str, tuple[str, ...]] = {
    "flow": ("total", "mean", "max", "min"),
    "stock": ("end", "mean", "max", "min"),
    "ratio": ("total",),
}


@dataclass(frozen=True)
class Output:
    """One recorded output: its column ``name``, ``metric``, ``route``, the window as day
    indices of the run (``first_day`` to ``last_day``, inclusive) and the ``statistic``."""

    name: str
    metric: str
    route: str
    first_day: int
    last_day: int
    statistic: str

    def needs(self) -> tuple[str, ...]:
        """The time-series metrics this output is computed from."""
        metric = OUTPUT_METRICS[self.metric]
        if metric.kind == "ratio":
            return (metric.numerator, metric.denominator)
        return (metric.name,)


def daily_series(table: dict[str, np.ndarray], outputs: list[Output]) -> dict[tuple, np.ndarray]:
    """``{(metric, route): values by day}`` for every series ``outputs`` need, from a run's
    daily ``table`` (:meth:`sim.outputs.counters.Outcomes.daily_table`: metric -> days x
    routes, in the order of ``ROUTE_LABELS``)."""
    wanted = {(m, o.route) for o in outputs for m in o.needs()}
    return {(m, route): table[m][:, ROUTE_LABELS.index(route)] for m, route in wanted}


def compute(output: Output, series: dict[tuple, np.ndarray]) -> float:
    """The value of ``output`` from the daily ``series`` of one run."""
    window = slice(output.first_day, output.last_day + 1)
    metric = OUTPUT_METRICS[output.metric]
    if metric.kind == "ratio":
        numerator = series[(metric.numerator, output.route)][window].sum()
        denominator = series[(metric.denominator, output.route)][window].sum()
        return float(metric.per * numerator / denominator) if denominator > 0 else float("nan")
    values = series[(metric.name, output.route)][window]
    if output.statistic == "total":
        return float(values.sum())
    if output.statistic == "end":
        return float(values[-1])
    return float(getattr(np, output.statistic)(values))


def compute_all(table: dict[str, np.ndarray], outputs: list[Output]) -> dict[str, float]:
    """``{output name: value}`` of one run's daily ``table`` (see :func:`daily_series`)."""
    series = daily_series(table, outputs)
    return {output.name: compute(output, series) for output in outputs}
