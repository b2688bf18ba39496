"""Stocks of people in transit per country: stranded and settled, reported apart.

The route tables (:mod:`sim.outputs.counters`) give the stocks per route; a researcher
comparing with IOM's counts (e.g. 697,532 migrants in Libya, Jul-Sep 2023) needs them per
country, and needs those moving on (stranded: in transit, waiting for a seat, working,
detained, waiting for an SMO) apart from those who have settled. :class:`CountryStocks` keeps
both per day and per state (agent units), and gives them in persons as a tidy table
(``country_stocks.csv``: scenario, seed, day, date, country, metric, value).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: The per-country stocks, in the order they are kept.
COUNTRY_METRICS = ("stranded", "settled")
#: The columns of the tidy table (``country_stocks.csv``).
COUNTRY_STOCK_COLUMNS = ["scenario", "seed", "day", "date", "country", "metric", "value"]


class CountryStocks:
    """Daily stocks per country (state id), in agents; persons on reading."""

    def __init__(self, days: int, scale: float, state_ids: list[str]) -> None:
        self.scale = scale
        self.state_ids = list(state_ids)
        self.values = np.zeros((days, len(COUNTRY_METRICS), len(self.state_ids)))

    def record(self, day: int, place_state: np.ndarray, **at_place: np.ndarray) -> None:
        """Record day ``day``'s stocks given per place (``stranded=..., settled=...``)."""
        for k, metric in enumerate(COUNTRY_METRICS):
            self.values[day, k] = np.bincount(
                place_state, weights=at_place[metric], minlength=len(self.state_ids)
            )

    def persons(self, metric: str, country: str) -> np.ndarray:
        """The daily stock ``metric`` of ``country`` in persons."""
        k, s = COUNTRY_METRICS.index(metric), self.state_ids.index(country)
        return self.values[:, k, s] / self.scale

    def frame(self, scenario: str, seed: int, start_date: dt.date) -> pd.DataFrame:
        """Tidy table of the countries with anyone in them during the run, in persons."""
        days, _, _ = self.values.shape
        seen = np.flatnonzero(self.values.sum(axis=(0, 1)) > 0)
        dates = [(start_date + dt.timedelta(days=d)).isoformat() for d in range(days)]
        frames = [
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "seed": seed,
                    "day": np.arange(days),
                    "date": dates,
                    "country": self.state_ids[s],
                    "metric": metric,
                    "value": self.values[:, k, s] / self.scale,
                }
            )
            for s in seen
            for k, metric in enumerate(COUNTRY_METRICS)
        ]
        if not frames:
            return pd.DataFrame(columns=COUNTRY_STOCK_COLUMNS)
        return pd.concat(frames, ignore_index=True)
