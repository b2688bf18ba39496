"""Calibration targets as data: what the world reported for 2023, and what in the model it is
compared with.

``sim/data/targets/targets_2023.csv`` holds one row per target: the observed figure, its source,
a tolerance, and the **like-for-like comparison** written as an expression over the run's
tables (``output``), for example::

    summary:detections                                 arrivals on the row's route seen there
    breakdown:dead_missing:segment=sea                 deaths at sea on the route
    breakdown:interceptions:state_segment=LBY_W:sea|LBY_E:sea
    summary:returns / summary:return_decisions         a ratio
    country_stocks:stranded:country=LBY_W|LBY_E        a stock per transit country
    monthly:detections                                 the monthly series (with Frontex's)

A term is ``table:metric`` or ``table:metric:by=cat|cat`` (categories summed); terms are added
with ``+``, and one ``/`` divides two sums. ``statistic`` says how the terms become one number
(``total``, ``ratio``, ``mean`` over the ``period`` for stocks, ``correlation`` with the Frontex
monthly series, ``month_ratio`` of two months, ``peak_month``); a ``total`` or ``ratio`` whose
``period`` is a span of months (``2023-01..2023-06``) sums its terms over those months only,
like a source that reports part of a year. ``tolerance_kind`` says how the
simulated number is judged: ``relative`` (``|simulated / observed - 1| <= tolerance``),
``absolute`` (``|simulated - observed| <= tolerance``, e.g. 10 points of a share) or
``at_least`` (``simulated >= tolerance``, for correlations). ``done_when`` marks the targets
the calibration issue's acceptance thresholds name.

The Frontex monthly detections (``frontex_monthly_2019_2023.csv``) and IOM's deaths by route
(``iom_dead_missing_2014_2023.csv``) are copied from ``../shared/data`` with their sources.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.network import ROUTES
from sim.outputs.metrics import FLOW_METRICS

TARGETS_DIR = Path(__file__).resolve().parent.parent / "data" / "targets"
TARGETS_FILE = TARGETS_DIR / "targets_2023.csv"
FRONTEX_FILE = TARGETS_DIR / "frontex_monthly_2019_2023.csv"
#: Frontex route names (as in the shared data's README) -> the model's route ids.
FRONTEX_ROUTES = {
    "Central Mediterranean": "central_med",
    "Western Balkan": "western_balkans",
    "Western African": "atlantic",
    "Western Mediterranean": "western_med",
    "Eastern Mediterranean": "eastern_med",
}
TABLES = ("summary", "breakdown", "country_stocks", "monthly")
STATISTICS = ("total", "ratio", "mean", "correlation", "month_ratio", "peak_month")
TOLERANCE_KINDS = ("relative", "absolute", "at_least")
COLUMNS = (
    "target", "metric", "route", "period", "observed", "tolerance", "tolerance_kind",
    "done_when", "unit", "statistic", "output", "source",
)  # fmt: skip


@dataclass(frozen=True)
class Term:
    """One table entry: ``table:metric`` on the target's route, optionally one split
    (``by``) with the categories summed."""

    table: str
    metric: str
    by: str | None = None
    categories: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The term as written."""
        split = f":{self.by}={'|'.join(self.categories)}" if self.by else ""
        return f"{self.table}:{self.metric}{split}"


@dataclass(frozen=True)
class Target:
    """One row of the targets file (see the module docstring)."""

    target: str
    metric: str
    route: str
    period: str
    observed: float
    tolerance: float
    tolerance_kind: str
    done_when: bool
    unit: str
    statistic: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    source: str

    @property
    def output(self) -> str:
        """The comparison as written in the file."""
        text = " + ".join(t.text for t in self.numerator)
        if self.denominator:
            text += " / " + " + ".join(t.text for t in self.denominator)
        return text

    def window(self) -> tuple[dt.date, dt.date] | None:
        """``period`` as first and last day, for ``mean`` over a window (else None)."""
        if ".." not in self.period or self.statistic != "mean":
            return None
        first, last = self.period.split("..")
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)

    def months_window(self) -> tuple[str, str] | None:
        """``period`` as first and last calendar month (``YYYY-MM``) of a ``total`` or
        ``ratio`` over part of the run, such as ``2023-01..2023-06`` (else None: the whole
        run). Its terms are then summed over those months: ``breakdown`` terms from the
        monthly breakdown, ``summary`` terms (flows only) from the time series."""
        if ".." not in self.period or self.statistic not in ("total", "ratio"):
            return None
        first, last = self.period.split("..")
        for month in (first, last):
            dt.datetime.strptime(month, "%Y-%m")  # a ValueError if it is not YYYY-MM
        if first > last:
            raise ValueError(f"{first} is after {last}")
        return first, last

    def months(self) -> tuple[str, str]:
        """``period`` of a ``month_ratio`` as (numerator month, denominator month), YYYY-MM."""
        top, bottom = self.period.split("/")
        return top, bottom

    def within(self, simulated: float) -> bool:
        """Whether ``simulated`` meets the tolerance (False when it is not a number)."""
        if simulated != simulated:  # NaN: nothing to compare
            return False
        if self.tolerance_kind == "at_least":
            return simulated >= self.tolerance
        if self.tolerance_kind == "absolute":
            return abs(simulated - self.observed) <= self.tolerance
        return abs(simulated / self.observed - 1) <= self.tolerance


class TargetError(ValueError):
    """A malformed term or row (the caller names the file and row)."""


def parse_term(text: str) -> Term:
    """A :class:`Term` from ``table:metric[:by=cat|cat]``."""
    parts = text.strip().split(":", 2)
    if len(parts) < 2 or not all(parts[:2]):
        raise TargetError(f"'{text.strip()}' is not table:metric[:by=category|...]")
    table, metric = parts[0], parts[1]
    if table not in TABLES:
        raise TargetError(f"table '{table}' is not one of {', '.join(TABLES)}")
    if len(parts) == 2:
        return Term(table, metric)
    by, _, categories = parts[2].partition("=")
    if not by or not categories:
        raise TargetError(f"'{parts[2]}' is not by=category|category")
    return Term(table, metric, by, tuple(c for c in categories.split("|") if c))


def parse_output(text: str) -> tuple[tuple[Term, ...], tuple[Term, ...]]:
    """Numerator and denominator terms of an ``output`` expression."""
    top, _, bottom = text.partition("/")
    numerator = tuple(parse_term(t) for t in top.split("+"))
    denominator = tuple(parse_term(t) for t in bottom.split("+")) if bottom.strip() else ()
    return numerator, denominator


def _target(row: dict[str, str]) -> Target:
    missing = [c for c in COLUMNS if not (row.get(c) or "").strip()]
    if missing:
        raise TargetError(f"empty or missing column(s) {', '.join(missing)}")
    if row["route"] not in (*ROUTES, "all"):
        raise TargetError(f"route '{row['route']}' is not one of {', '.join(ROUTES)}, all")
    if row["statistic"] not in STATISTICS:
        raise TargetError(f"statistic '{row['statistic']}' is not one of {', '.join(STATISTICS)}")
    if row["tolerance_kind"] not in TOLERANCE_KINDS:
        raise TargetError(f"tolerance_kind '{row['tolerance_kind']}' is not one of "
                          f"{', '.join(TOLERANCE_KINDS)}")  # fmt: skip
    try:
        observed, tolerance = float(row["observed"]), float(row["tolerance"])
    except ValueError:
        raise TargetError("observed and tolerance must be numbers") from None
    if row["tolerance_kind"] == "relative" and observed == 0:
        raise TargetError("a relative tolerance needs an observed value other than 0")
    numerator, denominator = parse_output(row["output"])
    if (row["statistic"] == "ratio") != bool(denominator):
        raise TargetError("a ratio needs one '/' in output, and only a ratio has one")
    target = Target(
        target=row["target"].strip(),
        metric=row["metric"].strip(),
        route=row["route"].strip(),
        period=row["period"].strip(),
        observed=observed,
        tolerance=tolerance,
        tolerance_kind=row["tolerance_kind"],
        done_when=row["done_when"].strip() in ("1", "true"),
        unit=row["unit"].strip(),
        statistic=row["statistic"],
        numerator=numerator,
        denominator=denominator,
        source=row["source"].strip(),
    )
    try:
        target.window()
        months = target.months_window()
        if target.statistic == "month_ratio":
            target.months()
    except ValueError:
        raise TargetError(
            f"period '{target.period}' does not fit statistic {target.statistic}"
        ) from None
    if months is not None:
        stocks = [t.text for t in (*numerator, *denominator) if t.table == "summary"
                  and t.metric not in FLOW_METRICS]  # fmt: skip
        if stocks:
            raise TargetError(
                f"{', '.join(stocks)}: over the months of period '{target.period}' only flows "
                "can be summed (a summary term must name a flow such as detections)"
            )
    return target


@functools.lru_cache(maxsize=4)
def load_targets(path: str | Path = TARGETS_FILE) -> tuple[Target, ...]:
    """Every target of a targets file; a bad row is a :class:`UserError` naming file and row."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise UserError(f"{path}: cannot read the targets file ({error.strerror}).") from None
    targets: list[Target] = []
    for line, row in enumerate(rows, start=2):
        try:
            targets.append(_target(row))
        except TargetError as error:
            raise UserError(f"{path}, line {line}: {error}.") from None
    names = [t.target for t in targets]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UserError(f"{path}: target names must be unique; repeated: {', '.join(repeated)}.")
    return tuple(targets)


@functools.lru_cache(maxsize=1)
def frontex_monthly() -> pd.DataFrame:
    """Frontex detections per model route and month: columns ``route, month`` (YYYY-MM),
    ``detections``."""
    table = pd.read_csv(FRONTEX_FILE)
    table = table[table["route"].isin(FRONTEX_ROUTES)].copy()
    table["route"] = table["route"].map(FRONTEX_ROUTES)
    table["month"] = [
        f"{y:04d}-{m:02d}" for y, m in zip(table["year"], table["month"], strict=True)
    ]
    return table[["route", "month", "detections"]].reset_index(drop=True)
