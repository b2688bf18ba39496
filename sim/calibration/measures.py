"""The model's side of each target: measured on one run, then pooled over runs.

:func:`measure_run` reduces one run's tables (``summary``, ``breakdown``,
``breakdown_monthly``, ``country_stocks``, ``timeseries``) to what the targets need: for each
target its numerator and denominator (a denominator of 1 when it has none; terms over a span of
months summed over those months) and the monthly arrivals per route. It is small enough to
travel back from a worker and to be written to disk as each evaluation finishes.

:func:`pool_measures` turns the measures of several runs (the seeds of one scenario or of one
calibration evaluation) into the validation table: per target the simulated value (a ratio of
the means over runs, so that a ratio is not a mean of ratios), a 95% t-interval over the runs'
own values, the relative error and whether it is within the tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.statistics import t_interval
from sim.calibration.targets import Target, Term, frontex_monthly

VALIDATION_COLUMNS = [
    "target", "route", "period", "observed", "simulated", "lo", "hi",
    "rel_error", "tolerance", "within",
]  # fmt: skip
MONTHLY_METRIC = "detections"  # as Frontex counts its monthly series


def tables_of(result: Any) -> dict[str, pd.DataFrame]:
    """The tables of one run (a :class:`~sim.execution.runner.RunResult`) that targets are
    measured on; ``country_stocks`` when the run has them."""
    tables = {
        "summary": result.summary,
        "breakdown": result.breakdown,
        "breakdown_monthly": getattr(result, "breakdown_monthly", None),
        "timeseries": result.timeseries,
    }
    stocks = getattr(result, "country_stocks", None)
    if stocks is not None:
        tables["country_stocks"] = stocks
    return tables


def in_months(frame: pd.DataFrame, months: tuple[str, str], column: str) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` (a month, or a date) falls in ``months``."""
    month = frame[column].astype(str).str[:7]
    return frame[(month >= months[0]) & (month <= months[1])]


def _flows_by_month(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The time series summed per route, metric and calendar month (``month``, YYYY-MM)."""
    month = timeseries["date"].astype(str).str[:7].rename("month")
    table = timeseries.groupby([timeseries["route"], timeseries["metric"], month])["value"].sum()
    return table.reset_index()


def _over_months(
    tables: dict[str, pd.DataFrame], months: tuple[str, str]
) -> dict[str, pd.DataFrame] | None:
    """The tables a target over ``months`` is measured on: the flows summed over those months
    as its ``summary``, those months of the monthly breakdown as its ``breakdown``; None when
    the run has none of those months or no monthly breakdown."""
    flows = in_months(tables["flows_by_month"], months, "month")
    monthly = tables.get("breakdown_monthly")
    if flows.empty or monthly is None:
        return None
    return {**tables, "summary": flows, "breakdown": in_months(monthly, months, "month")}


def _term_value(term: Term, route: str, tables: dict[str, pd.DataFrame], target: Target) -> float:
    if term.table == "summary":
        frame = tables["summary"]
        rows = frame[(frame["route"] == route) & (frame["metric"] == term.metric)]
        return float(rows["value"].sum())
    if term.table == "breakdown":
        frame = tables["breakdown"]
        rows = frame[
            (frame["route"] == route)
            & (frame["metric"] == term.metric)
            & (frame["by"] == term.by)
            & (frame["category"].isin(term.categories))
        ]
        return float(rows["value"].sum())
    if term.table == "country_stocks":
        frame = tables.get("country_stocks")
        if frame is None or frame.empty:
            return float("nan")  # a run without per-country stocks
        rows = frame[(frame["metric"] == term.metric) & frame["country"].isin(term.categories)]
        window = target.window()
        if window is not None:
            dates = pd.to_datetime(rows["date"]).dt.date
            rows = rows[(dates >= window[0]) & (dates <= window[1])]
        if rows.empty:
            return float("nan")
        return float(rows.groupby("day")["value"].sum().mean())
    return float("nan")  # monthly terms are measured by monthly_arrivals


def monthly_arrivals(flows_by_month: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Arrivals per route and calendar month (``YYYY-MM``) of one run (from
    :func:`_flows_by_month`)."""
    rows = flows_by_month[flows_by_month["metric"] == MONTHLY_METRIC]
    out: dict[str, dict[str, float]] = {}
    for route, month, value in zip(rows["route"], rows["month"], rows["value"], strict=True):
        out.setdefault(str(route), {})[str(month)] = float(value)
    return out


def measure_run(tables: dict[str, pd.DataFrame], targets: Sequence[Target]) -> dict[str, Any]:
    """One run's measures: ``{"terms": {target: [numerator, denominator]}, "monthly":
    {route: {month: arrivals}}}`` from its tables (keys ``summary``, ``breakdown``,
    ``breakdown_monthly``, ``timeseries`` and, when the run has them, ``country_stocks``). A
    target over a span of months the run does not have is not measured (NaN)."""
    tables = {**tables, "flows_by_month": _flows_by_month(tables["timeseries"])}
    terms = {}
    for target in targets:
        if target.statistic in ("correlation", "month_ratio", "peak_month"):
            continue
        months = target.months_window()
        frames = tables if months is None else _over_months(tables, months)
        if frames is None:
            terms[target.target] = [float("nan"), float("nan") if target.denominator else 1.0]
            continue
        top = sum(_term_value(t, target.route, frames, target) for t in target.numerator)
        bottom = (
            sum(_term_value(t, target.route, frames, target) for t in target.denominator)
            if target.denominator
            else 1.0
        )
        terms[target.target] = [top, bottom]
    return {"terms": terms, "monthly": monthly_arrivals(tables["flows_by_month"])}


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom != 0, top / np.where(bottom != 0, bottom, 1), np.nan)


def _mean(values: np.ndarray) -> np.ndarray:
    """The mean of the finite values, as a one-element array (NaN if there are none)."""
    finite = values[np.isfinite(values)]
    return np.array([finite.mean() if len(finite) else np.nan])


def _monthly_matrix(runs: Sequence[dict[str, Any]], route: str) -> tuple[list[str], np.ndarray]:
    months = sorted({m for run in runs for m in run["monthly"].get(route, {})})
    matrix = np.array(
        [[run["monthly"].get(route, {}).get(m, 0.0) for m in months] for run in runs], float
    ).reshape(len(runs), len(months))
    return months, matrix


def _correlation(simulated: np.ndarray, observed: np.ndarray) -> float:
    if len(simulated) < 3 or np.std(simulated) == 0 or np.std(observed) == 0:
        return float("nan")
    return float(np.corrcoef(simulated, observed)[0, 1])


def _monthly_statistic(target: Target, runs: Sequence[dict[str, Any]]) -> tuple[float, np.ndarray]:
    """The pooled value and each run's value of a monthly target."""
    months, matrix = _monthly_matrix(runs, target.route)
    if not months:
        return float("nan"), np.full(len(runs), np.nan)
    if target.statistic == "correlation":
        frontex = frontex_monthly()
        frontex = frontex[frontex["route"] == target.route].set_index("month")["detections"]
        known = [i for i, m in enumerate(months) if m in frontex.index]
        observed = frontex.reindex([months[i] for i in known]).to_numpy(float)
        per_run = np.array([_correlation(row[known], observed) for row in matrix])
        return _correlation(matrix.mean(axis=0)[known], observed), per_run
    if target.statistic == "month_ratio":
        top, bottom = target.months()
        if top not in months or bottom not in months:
            return float("nan"), np.full(len(runs), np.nan)
        i, j = months.index(top), months.index(bottom)
        per_run = _ratio(matrix[:, i], matrix[:, j])
        pooled = _ratio(matrix[:, i].mean(keepdims=True), matrix[:, j].mean(keepdims=True))
        return float(pooled[0]), per_run
    # peak_month: the calendar month (1-12) with the most arrivals
    per_run = np.array([int(months[int(np.argmax(row))][5:]) for row in matrix], float)
    return float(int(months[int(np.argmax(matrix.mean(axis=0)))][5:])), per_run


def pool_measures(runs: Sequence[dict[str, Any]], targets: Sequence[Target]) -> pd.DataFrame:
    """The validation table (:data:`VALIDATION_COLUMNS`, plus ``done_when``, ``statistic``,
    ``unit``, ``output`` and ``source``) of ``runs`` (each a :func:`measure_run` result)."""
    rows = []
    for target in targets:
        if runs and target.target in runs[0]["terms"]:
            pairs = np.array([run["terms"][target.target] for run in runs], dtype=float)
            top, bottom = pairs[:, 0], pairs[:, 1]
            per_run = _ratio(top, bottom)
            simulated = float(_ratio(_mean(top), _mean(bottom))[0])
        elif runs:
            simulated, per_run = _monthly_statistic(target, runs)
        else:
            simulated, per_run = float("nan"), np.array([np.nan])
        _, lo, hi = t_interval(per_run)
        if target.statistic == "correlation":
            lo, hi = np.clip(lo, -1, 1), np.clip(hi, -1, 1)
        rel_error = simulated / target.observed - 1 if target.observed else float("nan")
        rows.append({
            "target": target.target, "route": target.route, "period": target.period,
            "observed": target.observed, "simulated": simulated, "lo": float(lo[0]),
            "hi": float(hi[0]), "rel_error": rel_error, "tolerance": target.tolerance,
            "within": target.within(simulated), "tolerance_kind": target.tolerance_kind,
            "done_when": target.done_when, "statistic": target.statistic, "unit": target.unit,
            "output": target.output, "source": target.source,
        })  # fmt: skip
    return pd.DataFrame(rows)


def monthly_bands(runs: Sequence[dict[str, Any]], route: str) -> pd.DataFrame:
    """Monthly arrivals on ``route``: ``month, mean, lo, hi`` over the runs, and Frontex's
    ``observed`` for the same months."""
    months, matrix = _monthly_matrix(runs, route)
    mean, lo, hi = t_interval(matrix) if months else (np.array([]),) * 3
    frontex = frontex_monthly()
    frontex = frontex[frontex["route"] == route].set_index("month")["detections"]
    return pd.DataFrame({
        "month": months, "mean": mean, "lo": np.maximum(lo, 0), "hi": hi,
        "observed": frontex.reindex(months).to_numpy(float),
    })  # fmt: skip
