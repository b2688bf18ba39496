"""Figures for the comparison report, drawn with matplotlib's Agg backend.

Plotting is kept out of the model: these functions take saved tables (pandas DataFrames read
from a results folder) and return :class:`matplotlib.figure.Figure` objects, which
:func:`png_bytes` turns into PNG files and the report embeds. Figures are built without
``pyplot``, so no window or global state is involved and they work in worker processes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.statistics import ROUTE_ORDER, t_interval
from sim.network import ROUTES, Network
from sim.network.maps import draw_network

ROUTE_NAMES: dict[str, str] = {
    "all": "All routes",
    "central_med": "Central Mediterranean",
    "western_balkans": "Western Balkans",
    "atlantic": "Atlantic",
    "western_med": "Western Mediterranean",
    "eastern_med": "Eastern Mediterranean",
}
BASE_COLOUR = "#222222"
#: Colours of the other scenarios, in order (colour-blind friendly, after Okabe and Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
DPI = 100


def scenario_colours(labels: Sequence[str]) -> dict[str, str]:
    """The base (first label) in near-black, the others in distinct colours."""
    return {
        label: BASE_COLOUR if i == 0 else COLOURS[(i - 1) % len(COLOURS)]
        for i, label in enumerate(labels)
    }


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _thousands_format(value: float, _position: Any = None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2g}"


_thousands = FuncFormatter(_thousands_format)


def series_bands(series: pd.DataFrame, cumulative: bool) -> pd.DataFrame:
    """Mean and 95% t-band across seeds of one metric's daily values, per route and day.

    ``series`` has columns ``seed, day, route, value``. With ``cumulative`` the values are
    summed over days within each seed first (for flows such as arrivals). For quantities that
    are never negative the band is clipped at zero. Returns columns ``route, day, mean, lo,
    hi``.
    """
    wide = series.pivot_table(index=["route", "day"], columns="seed", values="value")
    if cumulative:
        wide = wide.fillna(0.0).groupby(level="route").cumsum()
    values = wide.to_numpy().T
    mean, lo, hi = t_interval(values)
    if np.nanmin(values, initial=0.0) >= 0:  # counts: a band below zero would mean nothing
        lo = np.maximum(lo, 0.0)
    bands = wide.index.to_frame(index=False)
    return bands.assign(mean=mean, lo=lo, hi=hi)


def timeseries_figure(
    bands: dict[str, pd.DataFrame],
    title: str,
    unit: str,
    routes: Sequence[str] = ROUTE_ORDER,
    dates: pd.Series | None = None,
) -> Figure:
    """Small multiples, one panel per route: one line per scenario with its 95% band.

    ``bands`` maps scenario label -> :func:`series_bands` output; the first is the base.
    ``dates`` (optional) maps day -> calendar date for the x axis.
    """
    colours = scenario_colours(list(bands))
    columns = 3
    rows = -(-len(routes) // columns)
    # Fixed margins rather than constrained layout: the same look, several times faster.
    fig = Figure(figsize=(12, 3.1 * rows))
    fig.subplots_adjust(left=0.07, right=0.985, bottom=0.07, top=0.9, wspace=0.22, hspace=0.3)
    axes = fig.subplots(rows, columns, sharex=True, squeeze=False).ravel()
    for ax, route in zip(axes, routes, strict=False):
        lowest = 0.0
        for k, (label, frame) in enumerate(bands.items()):
            part = frame[frame["route"] == route]
            x = part["day"].map(dates) if dates is not None else part["day"]
            # The base underneath, wide and half transparent; the scenarios on top, narrow:
            # where a scenario coincides with the base both stay visible.
            style = (
                {"linewidth": 3.2, "alpha": 0.45, "zorder": 2}
                if k == 0
                else {
                    "linewidth": 1.5,
                    "zorder": 3,
                }
            )
            ax.plot(x, part["mean"], color=colours[label], label=label, **style)
            ax.fill_between(x, part["lo"], part["hi"], color=colours[label], alpha=0.2, lw=0)
            lowest = min(lowest, float(np.nanmin(part["lo"], initial=0.0)))
        if lowest >= 0:  # counts: start the axis at zero, and give an all-zero panel a scale
            ax.set_ylim(0, max(ax.get_ylim()[1], 1.0))
        ax.set_title(ROUTE_NAMES.get(route, route), fontsize=10)
        ax.yaxis.set_major_formatter(_thousands)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in axes[len(routes) :]:
        ax.set_visible(False)
    if dates is not None:
        locator = AutoDateLocator(maxticks=6)
        axes[0].xaxis.set_major_locator(locator)
        axes[0].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    else:
        for ax in axes[len(routes) - columns : len(routes)]:
            ax.set_xlabel("day")
    axes[0].set_ylabel(unit)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(title, fontsize=12)
    return fig


def arrival_differences_figure(comparison: pd.DataFrame, base: str) -> Figure:
    """Grouped bars: the paired difference in arrivals per route for each non-base scenario,
    with its 95% interval as an error bar."""
    rows = comparison[
        (comparison["metric"] == "arrivals")
        & (comparison["scenario"] != base)
        & comparison["route"].isin(ROUTES)
    ]
    labels = list(dict.fromkeys(rows["scenario"]))
    colours = scenario_colours([base, *labels])
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(len(labels), 1)
    positions = np.arange(len(ROUTES))
    for k, label in enumerate(labels):
        part = rows[rows["scenario"] == label].set_index("route").reindex(list(ROUTES))
        diff = part["diff"].to_numpy(dtype=float)
        errors = np.vstack([diff - part["diff_lo"], part["diff_hi"] - diff]).astype(float)
        ax.bar(
            positions + (k - (len(labels) - 1) / 2) * width,
            diff,
            width,
            yerr=np.nan_to_num(errors),
            capsize=3,
            color=colours[label],
            label=label,
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(positions, [ROUTE_NAMES[r] for r in ROUTES], fontsize=9)
    ax.set_ylabel("difference in arrivals to the base (entries)")
    ax.yaxis.set_major_formatter(_thousands)
    ax.grid(axis="y", alpha=0.3)
    if labels:
        ax.legend(fontsize=9)
    ax.set_title(f"Arrivals per route: difference to {base} (95% interval over paired seeds)")
    return fig


def flow_map_figure(net: Network, leg_values: np.ndarray, title: str, diverging: bool) -> Figure:
    """The route network with legs drawn by ``leg_values`` (one per compiled leg), via
    :func:`sim.network.maps.draw_network`."""
    fig = Figure(figsize=(13, 7.7))
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.06, top=0.96)
    ax = fig.subplots()
    draw_network(net, ax, leg_values=leg_values, title=title, diverging=diverging)
    return fig
