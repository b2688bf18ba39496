"""The report's composition section: who arrives, where people die, who intercepts them.

Built from the saved ``breakdown`` tables of a comparison (flows split by nationality, segment,
state and pathway; see ``docs/model.md``), one table per split: for each route and category,
each scenario's persons (mean over its seeds) and their share of the route's total, so that
arrivals by nationality compare with the sources' nationality mixes and deaths at sea with
IOM's sea counts.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis import plots
from sim.analysis.comparison import SavedComparison
from sim.analysis.render import Block, Heading, Para, Table, number
from sim.analysis.statistics import ROUTE_ORDER
from sim.execution.tables import BREAKDOWN

#: The splits the section shows: (metric, split, title).
COMPOSITION: tuple[tuple[str, str, str], ...] = (
    ("arrivals", "nationality", "Arrivals by nationality (entries)"),
    ("dead_missing", "segment", "Dead and missing by segment"),
    ("interceptions", "state", "Interceptions by intercepting state"),
    ("legal_admissions", "pathway", "Legal admissions by pathway"),
)
#: Categories shown per route (the largest in the base); the rest are summed as "others".
TOP = 6


def _means(frame: pd.DataFrame, metric: str, by: str, route: str) -> pd.Series:
    """Persons per category on ``route``, mean over the run's seeds (absent = 0)."""
    part = frame[(frame["metric"] == metric) & (frame["by"] == by) & (frame["route"] == route)]
    seeds = max(frame["seed"].nunique(), 1)
    return part.groupby("category")["value"].sum() / seeds


def composition_table(tables: dict[str, pd.DataFrame], base: str, metric: str, by: str) -> Table:
    """One row per route and category: each scenario's persons and share of the route."""
    labels = list(tables)
    rows: list[list[str]] = []
    for route in ROUTE_ORDER:
        means = {label: _means(frame, metric, by, route) for label, frame in tables.items()}
        if all(m.sum() <= 0 for m in means.values()):
            continue
        reference = means.get(base, next(iter(means.values())))
        order = list(reference.sort_values(ascending=False).index)
        others = [c for m in means.values() for c in m.index if c not in order]
        order += sorted(set(others))
        shown, rest = order[:TOP], order[TOP:]
        for category in [*shown, *(["others"] if rest else [])]:
            row = [plots.ROUTE_NAMES.get(route, route), category]
            for label in labels:
                m = means[label]
                value = m.reindex(rest).sum() if category == "others" else m.get(category, 0.0)
                total = m.sum()
                share = f" ({100 * value / total:.0f}%)" if total > 0 else ""
                row.append(f"{number(value)}{share}")
            rows.append(row)
    return Table(["Route", by.replace("_", " ").capitalize(), *labels], rows, set())


def composition_section(saved: SavedComparison) -> list[Block]:
    """Composition tables for the splits in :data:`COMPOSITION` (none if nothing was saved)."""
    tables = {label: saved.run_table(label, BREAKDOWN) for label in saved.labels}
    tables = {label: frame for label, frame in tables.items() if frame is not None and len(frame)}
    if not tables:
        return []
    blocks: list[Block] = [
        Heading(2, "Composition"),
        Para(
            "Persons over the run, mean over seeds, and their share of the route's total in "
            "brackets, by category: arrivals by nationality (compare the nationality mixes of "
            "landings), deaths by segment (IOM counts deaths at sea and in the Sahara apart), "
            "interceptions by the state that intercepts (as coast guards report them) and legal "
            "admissions by pathway. The largest categories in the base are shown, the rest "
            "summed as others."
        ),
    ]
    for metric, by, title in COMPOSITION:
        table = composition_table(tables, saved.base, metric, by)
        if table.rows:
            blocks += [Heading(3, title), table]
    return blocks
