"""The validation report: how a scenario's runs compare with the 2023 figures.

:func:`validation_blocks` builds the report's blocks (rendered by :mod:`sim.analysis.render`)
from the validation table (:func:`sim.calibration.measures.pool_measures`) and the runs'
measures: a one-line verdict on the acceptance targets, the fit table, the monthly arrivals
against Frontex per route with bands, the nationality shares, and one line per target saying
whether and how far it is off. :func:`write_validation` writes ``validation.csv``,
``validation.html``, ``validation.md`` and ``figures/`` into a folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter

from sim.analysis import plots
from sim.analysis.render import Block, Figure, Heading, Para, Table, number, render
from sim.calibration.measures import VALIDATION_COLUMNS, monthly_bands
from sim.execution.files import write_bytes_atomic, write_table_atomic, write_text_atomic
from sim.network import ROUTES

BAND_SEEDS = "95% t-interval of the mean over seeds (chance in the simulation only)"
BAND_DRAWS = (
    "95% t-interval over posterior draws × seeds (parameter uncertainty and chance together)"
)


def _value(value: float, unit: str) -> str:
    if value != value:
        return "–"
    if unit in ("correlation", "November / October") or "share" in unit:
        return f"{value:.2f}"
    if unit == "month":
        return f"{value:.0f}"
    return number(value)


def _tolerance(row: pd.Series) -> str:
    if row["tolerance_kind"] == "at_least":
        return f"≥ {row['tolerance']:.2f}"
    if row["tolerance_kind"] == "absolute":
        return f"± {row['tolerance']:g}"
    return f"± {row['tolerance']:.0%}"


def verdict(row: pd.Series) -> str:
    """One line on a target: within or outside, and by how much."""
    name, sim = row["target"], row["simulated"]
    if sim != sim:
        return f"{name}: not measured (the runs have no output it is compared with)."
    state = "within" if row["within"] else "outside"
    if row["tolerance_kind"] == "at_least":
        return f"{name}: {state} ({sim:.2f} against at least {row['tolerance']:.2f})."
    if row["tolerance_kind"] == "absolute":
        gap, unit = sim - row["observed"], row["unit"]
        return (
            f"{name}: {state} ({_value(sim, unit)} against {_value(row['observed'], unit)}, "
            f"{gap:+.2f}; tolerance ± {row['tolerance']:g})."
        )
    direction = "too high" if row["rel_error"] > 0 else "too low"
    return (
        f"{name}: {state} ({row['rel_error']:+.0%}, {direction}; tolerance "
        f"± {row['tolerance']:.0%})."
    )


def summary_line(table: pd.DataFrame) -> str:
    """The report's verdict: acceptance targets within, all targets within."""
    done = table[table["done_when"]]
    return (
        f"{int(done['within'].sum())} of {len(done)} acceptance targets and "
        f"{int(table['within'].sum())} of {len(table)} targets in all are within tolerance."
    )


def _error(row: pd.Series) -> str:
    """The error column: relative for relative targets, the gap in the target's own unit for
    the others (a month, a correlation, a share: a percentage of those says nothing)."""
    if row["simulated"] != row["simulated"]:
        return "–"
    if row["tolerance_kind"] == "relative":
        return f"{row['rel_error']:+.0%}" if row["rel_error"] == row["rel_error"] else "–"
    return f"{row['simulated'] - row['observed']:+.2f}"


def fit_table(table: pd.DataFrame) -> Table:
    """The fit table: target, route, period, observed, simulated (interval), error, tolerance,
    within."""
    rows, strong = [], set()
    for i, row in enumerate(table.itertuples(index=False)):
        r = pd.Series(row._asdict())
        interval = (
            f"{_value(r['lo'], r['unit'])}–{_value(r['hi'], r['unit'])}"
            if r["lo"] == r["lo"]
            else ""
        )
        rows.append([
            r["target"] + (" *" if r["done_when"] else ""), r["route"], r["period"],
            _value(r["observed"], r["unit"]), _value(r["simulated"], r["unit"]), interval,
            _error(r), _tolerance(r), "yes" if r["within"] else "no",
        ])  # fmt: skip
        if not r["within"]:
            strong.add((i, 8))
    headers = ["target", "route", "period", "observed", "simulated", "interval", "error",
               "tolerance", "within"]  # fmt: skip
    return Table(headers, rows, strong)


def _thousands(value: float, _position: Any = None) -> str:
    return f"{value:,.0f}"


def monthly_figure(runs: Sequence[dict[str, Any]], band: str) -> MplFigure:
    """Monthly arrivals per route: the model's mean with its band, and Frontex's."""
    fig = MplFigure(figsize=(7.5, 2.2 * len(ROUTES)), dpi=plots.DPI)
    axes = fig.subplots(len(ROUTES), 1)
    for ax, route in zip(axes, ROUTES, strict=True):
        bands = monthly_bands(runs, route)
        x = range(len(bands))
        ax.fill_between(x, bands["lo"], bands["hi"], color="#9ecae1", alpha=0.6, label=band)
        ax.plot(x, bands["mean"], color="#08519c", marker="o", ms=3, label="model (mean)")
        ax.plot(x, bands["observed"], color="#d94801", marker="s", ms=3, label="Frontex")
        ax.set_title(plots.ROUTE_NAMES.get(route, route), fontsize=9, loc="left")
        ax.set_xticks(list(x))
        ax.set_xticklabels([m[2:] for m in bands["month"]], fontsize=7)
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.tick_params(axis="y", labelsize=7)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.subplots_adjust(left=0.12, right=0.98, top=0.97, bottom=0.04, hspace=0.55)
    return fig


def shares_table(table: pd.DataFrame) -> Table:
    """Nationality shares per route: observed and simulated, in points."""
    shares = table[table["statistic"] == "ratio"]
    shares = shares[shares["target"].str.startswith("share_")]
    rows, strong = [], set()
    for i, row in enumerate(shares.itertuples(index=False)):
        nationality = row.target.rsplit("_", 1)[-1]
        known = row.simulated == row.simulated
        rows.append([row.route, nationality, row.period, f"{row.observed:.0%}",
                     f"{row.simulated:.0%}" if known else "–",
                     f"{(row.simulated - row.observed) * 100:+.0f}" if known else "–"])  # fmt: skip
        if not row.within:
            strong.add((i, 5))
    return Table(["route", "nationality", "period", "observed", "simulated", "points"], rows,
                 strong)  # fmt: skip


def validation_blocks(
    table: pd.DataFrame, runs: Sequence[dict[str, Any]], settings: str, band: str = BAND_SEEDS
) -> list[Block]:
    """The report's blocks, in order."""
    return [
        Heading(1, "Validation against the 2023 figures"),
        Para(summary_line(table)),
        Para(settings),
        Para(
            "Acceptance targets (the calibration issue's thresholds) are marked *. Each target is "
            "compared like for like with one output of the model (the output column of "
            "validation.csv and sim/data/targets/targets_2023.csv); intervals are the "
            f"{band}."
        ),
        Heading(2, "Fit"),
        fit_table(table),
        Heading(2, "Monthly arrivals against Frontex"),
        Para(f"Lines: the model's mean and Frontex's detections per month; band: the {band}."),
        Figure(
            "monthly", "Monthly arrivals per route, model and Frontex", monthly_figure(runs, band)
        ),
        Heading(2, "Nationality shares"),
        shares_table(table),
        Heading(2, "Verdict per target"),
        *[Para(verdict(row)) for _, row in table.iterrows()],
    ]


def write_validation(
    folder: Path, table: pd.DataFrame, runs: Sequence[dict[str, Any]], settings: str,
    band: str = BAND_SEEDS,
) -> tuple[Path, Path]:  # fmt: skip
    """Write ``validation.csv`` (its columns first, then the target's declaration),
    ``validation.html``, ``validation.md`` and ``figures/monthly.png``; return the report
    paths."""
    columns = VALIDATION_COLUMNS + [c for c in table.columns if c not in VALIDATION_COLUMNS]
    write_table_atomic(folder / "validation.csv", table[columns])
    blocks = validation_blocks(table, runs, settings, band)
    images = {}
    for block in blocks:
        if isinstance(block, Figure):
            images[block.name] = plots.png_bytes(block.figure)
            write_bytes_atomic(folder / "figures" / f"{block.name}.png", images[block.name])
    page, markdown = render(blocks, images)
    markdown = markdown.replace("Full tables: comparison.csv", "Full table: validation.csv")
    return (
        write_text_atomic(folder / "validation.html", page),
        write_text_atomic(folder / "validation.md", markdown),
    )
