"""Daily counters per route, and the tidy tables and summary of a run.

Counters are kept in agent units in one array ``flows[day, metric, route]`` (route slot 5 holds
legs and places with no route) and turned into persons (divided by the scale) only when tables
are made. Flows declared with ``splits`` are also totalled per route and category of each split
(``splits[(metric, dimension)][route, category]``), for the ``breakdown`` table. Definitions of
every metric are in ``docs/model.md``.

Days of the warm-up before the run (negative days) count too, all in one extra row kept apart
(:attr:`Outcomes.warmup_flows`): the tables and the summary start at the run's first day, and
the conservation check (which needs every flow since the first person set out) reads
:meth:`Outcomes.flow_totals`. The warm-up's split totals are kept apart too
(:attr:`Outcomes.warmup_splits`): the ``breakdown`` table is over the run, like the summary.
Stocks are not recorded during the warm-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd

from sim.network import MODES, ROUTE_SLOTS, ROUTES, SEGMENTS, Network
from sim.outputs.admissions import PATHWAYS
from sim.outputs.metrics import BY_NAME, FLOW_METRICS, RATIO_METRICS, REASONS, STOCK_METRICS
from sim.outputs.metrics import METRICS as METRIC_LIST

ROUTE_LABELS = (*ROUTES, "all")

METRICS = tuple(m.name for m in METRIC_LIST)
FLOW_INDEX = {name: k for k, name in enumerate(FLOW_METRICS)}
STOCK_INDEX = {name: k for k, name in enumerate(STOCK_METRICS)}
#: The category of a split that a count without it falls in (e.g. counts by the reference).
UNATTRIBUTED = "unattributed"
BREAKDOWN_COLUMNS = ["scenario", "seed", "route", "metric", "by", "category", "value"]
BREAKDOWN_MONTHLY_COLUMNS = [*BREAKDOWN_COLUMNS[:-1], "month", "value"]


def split_categories(network: Network) -> dict[str, list[str]]:
    """The categories of every split dimension (:data:`~sim.outputs.metrics.SPLITS`) for a
    run on ``network``."""
    states, nationalities = list(network.state_ids), list(network.nationalities)
    with_nationality = [f"{s}:{n}" for s in states for n in nationalities]
    with_segment = [f"{s}:{g}" for s in states for g in SEGMENTS]
    return {
        "mode": list(MODES),
        "segment": list(SEGMENTS),
        "state": states,
        "from_state": states,
        "nationality": nationalities,
        "pathway": list(PATHWAYS),
        "place": list(network.place_ids),
        "reason": list(REASONS),
        "state_segment": with_segment,
        "from_state_segment": with_segment,
        "state_nationality": with_nationality,
        "from_state_nationality": with_nationality,
    }


class Outcomes:
    """Counters of a run: flows added during each day, stocks taken at its end, and the
    split totals of flows declared with ``splits``.

    ``categories`` names the categories of each split dimension (e.g. ``{"segment": SEGMENTS,
    "state": network.state_ids, ...}``); a dimension it does not name is not counted.
    """

    def __init__(
        self,
        days: int,
        scale: float,
        start_date: dt.date,
        categories: dict[str, list[str]] | None = None,
    ) -> None:
        self.days = days
        self.scale = scale
        self.start_date = start_date
        # Row 0 sums the warm-up's days; row d + 1 is the run's day d.
        self._flows = np.zeros((days + 1, len(FLOW_METRICS), ROUTE_SLOTS))
        self.flows = self._flows[1:]
        self.warmup_flows = self._flows[0]
        self.stocks = np.zeros((days, len(STOCK_METRICS), ROUTE_SLOTS))
        self._row = 1
        self.categories = {
            dim: [*labels, UNATTRIBUTED] for dim, labels in (categories or {}).items()
        }
        # The calendar months of the run (YYYY-MM), and each counter row's month row: 0 for
        # the warm-up's row, 1 + the month's position for a day of the run.
        dates = [start_date + dt.timedelta(days=d) for d in range(days)]
        self.months = sorted({f"{d:%Y-%m}" for d in dates})
        self._month_row = np.array(
            [0, *(1 + self.months.index(f"{d:%Y-%m}") for d in dates)], dtype=np.int64
        )
        # Split totals per month row (the warm-up's apart, in row 0), per route and category.
        self.monthly_splits = {
            (m.name, dim): np.zeros((len(self.months) + 1, ROUTE_SLOTS, len(self.categories[dim])))
            for m in METRIC_LIST
            for dim in m.splits
            if dim in self.categories
        }
        # Per flow metric: its index, whether it counts people or events (whole numbers, not
        # EUR), and per dimension it is split by, its monthly tables (looked up once: add is
        # called dozens of times a day).
        self._adding = {
            name: (
                k,
                BY_NAME[name].unit != "EUR",
                [
                    (dim, self.monthly_splits[(name, dim)])
                    for dim in BY_NAME[name].splits
                    if (name, dim) in self.monthly_splits
                ],
            )
            for name, k in FLOW_INDEX.items()
        }

    @property
    def splits(self) -> dict[tuple[str, str], np.ndarray]:
        """Split totals over the run: ``splits[(metric, dimension)][route, category]``."""
        return {key: table[1:].sum(axis=0) for key, table in self.monthly_splits.items()}

    @property
    def warmup_splits(self) -> dict[tuple[str, str], np.ndarray]:
        """The warm-up's split totals, kept apart like its flows."""
        return {key: table[0] for key, table in self.monthly_splits.items()}

    @property
    def today(self) -> int:
        """The day counted now (negative: a day of the warm-up)."""
        return self._row - 1 if self._row > 0 else -1

    @today.setter
    def today(self, day: int) -> None:
        self._row = day + 1 if day >= 0 else 0

    def add(
        self,
        metric: str,
        route_slot: np.ndarray,
        weights: np.ndarray | None = None,
        split: dict[str, np.ndarray] | None = None,
    ) -> None:
        """Add to ``metric`` today: one per entry of ``route_slot`` (or ``weights`` each).

        ``split`` gives, per dimension the metric is split by, each entry's category index;
        a dimension not given counts as ``unattributed``.
        """
        n = len(route_slot)
        if n == 0:
            return
        index, whole, tables = self._adding[metric]
        counts = np.bincount(route_slot, weights=weights, minlength=ROUTE_SLOTS)
        self._flows[self._row, index] += counts
        if not tables:
            return
        rows = np.asarray(route_slot, dtype=np.int64)
        month = self._month_row[self._row]
        for dim, monthly in tables:
            table = monthly[month]
            width = table.shape[1]
            category = (split or {}).get(dim)
            flat = rows * width + (width - 1 if category is None else np.asarray(category))
            if whole and weights is None and n < table.size // 4:
                # A few counts into a large table: added one by one, the same whole numbers.
                np.add.at(table.reshape(-1), flat, 1.0)
            else:
                table += np.bincount(flat, weights=weights, minlength=table.size).reshape(
                    table.shape
                )

    def add_total(self, metric: str, route_slot: int, amount: float) -> None:
        """Add ``amount`` to ``metric`` on one route slot today (unattributed in splits)."""
        self.add(metric, np.array([route_slot]), np.array([float(amount)]))

    def set_stock(self, metric: str, per_route: np.ndarray) -> None:
        """Record today's level of a stock, per route slot (nothing during the warm-up)."""
        if self._row > 0:
            self.stocks[self._row - 1, STOCK_INDEX[metric]] = per_route

    def route_totals(self, metric: str, through_day: int) -> np.ndarray:
        """One flow (agent units) per route slot, from the warm-up's first day through
        ``through_day``."""
        last_row = through_day + 1 if through_day >= 0 else 0
        return self._flows[: last_row + 1, FLOW_INDEX[metric]].sum(axis=0)

    def flow_totals(self, through_day: int) -> np.ndarray:
        """Every flow (agent units) summed over routes, from the warm-up's first day through
        ``through_day`` (negative: a day of the warm-up), as an array over metrics."""
        last_row = through_day + 1 if through_day >= 0 else 0
        return self._flows[: last_row + 1].sum(axis=(0, 2))

    def persons_flows(self) -> np.ndarray:
        """Flows in persons (money stays in EUR, days in person-days)."""
        return self.flows / self.scale

    def _per_route(self, values: np.ndarray) -> np.ndarray:
        """Append the 'all' column (sum over every slot, including no route), drop slot 5."""
        total = values.sum(axis=-1, keepdims=True)
        return np.concatenate([values[..., : len(ROUTES)], total], axis=-1)

    def daily_table(self) -> dict[str, np.ndarray]:
        """Metric -> (days x 6) array in persons; routes then 'all'."""
        flows = self._per_route(self.persons_flows())
        stocks = self._per_route(self.stocks / self.scale)
        table = {name: flows[:, k] for name, k in FLOW_INDEX.items()}
        table.update({name: stocks[:, k] for name, k in STOCK_INDEX.items()})
        for m in RATIO_METRICS:
            num, den = table[m.numerator], table[m.denominator]
            with np.errstate(invalid="ignore", divide="ignore"):
                table[m.name] = np.where(den > 0, m.per * num / den, np.nan)
        return table

    def summary_values(self) -> dict[str, np.ndarray]:
        """Metric -> 6 values: flows totalled, stocks at the end, ratios as run averages."""
        flows = self._per_route(self.persons_flows().sum(axis=0))
        stocks = self._per_route(self.stocks[-1] / self.scale)
        summary = {name: flows[k] for name, k in FLOW_INDEX.items()}
        summary.update({name: stocks[k] for name, k in STOCK_INDEX.items()})
        for m in RATIO_METRICS:
            num, den = summary[m.numerator], summary[m.denominator]
            with np.errstate(invalid="ignore", divide="ignore"):
                summary[m.name] = np.where(den > 0, m.per * num / den, np.nan)
        return summary

    def timeseries_frame(self, scenario: str, seed: int) -> pd.DataFrame:
        """Tidy table: scenario, seed, day, date, route, metric, value (persons)."""
        table = self.daily_table()
        days = np.arange(self.days)
        dates = [(self.start_date + dt.timedelta(days=int(d))).isoformat() for d in days]
        frames = []
        for metric in METRICS:
            values = table[metric]
            for r, route in enumerate(ROUTE_LABELS):
                frames.append(
                    pd.DataFrame(
                        {
                            "day": days,
                            "date": dates,
                            "route": route,
                            "metric": metric,
                            "value": values[:, r],
                        }
                    )
                )
        frame = pd.concat(frames, ignore_index=True)
        frame.insert(0, "seed", seed)
        frame.insert(0, "scenario", scenario)
        return frame

    def _split_rows(self, metric: str, dim: str, table: np.ndarray) -> Iterator[tuple]:
        """``(route, metric, by, category, value)`` of one split's totals (route slot x
        category) in persons, routes then 'all', the zeros left out."""
        per_route = self._per_route(table.T / self.scale).T
        for r, route in enumerate(ROUTE_LABELS):
            for k in np.flatnonzero(per_route[r]):
                yield route, metric, dim, self.categories[dim][k], float(per_route[r, k])

    def breakdown_frame(self, scenario: str, seed: int) -> pd.DataFrame:
        """Tidy table of the split flows over the run: scenario, seed, route, metric, by
        (the dimension), category, value (persons). Categories never counted on a route are
        left out (their value is 0)."""
        rows = [
            (scenario, seed, *row)
            for (metric, dim), table in self.splits.items()
            for row in self._split_rows(metric, dim, table)
        ]
        return pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)

    def breakdown_monthly_frame(self, scenario: str, seed: int) -> pd.DataFrame:
        """The breakdown per calendar month: scenario, seed, route, metric, by, category,
        month (YYYY-MM), value (persons); as :meth:`breakdown_frame`, zeros left out."""
        rows = [
            (scenario, seed, *row[:-1], month, row[-1])
            for (metric, dim), monthly in self.monthly_splits.items()
            for m, month in enumerate(self.months)
            for row in self._split_rows(metric, dim, monthly[m + 1])
        ]
        return pd.DataFrame(rows, columns=BREAKDOWN_MONTHLY_COLUMNS)

    def summary_frame(self, scenario: str, seed: int) -> pd.DataFrame:
        """Tidy table: scenario, seed, route, metric, value (persons, EUR or days)."""
        summary = self.summary_values()
        rows = [
            (scenario, seed, route, metric, float(summary[metric][r]))
            for metric in METRICS
            for r, route in enumerate(ROUTE_LABELS)
        ]
        return pd.DataFrame(rows, columns=["scenario", "seed", "route", "metric", "value"])
