"""Figures of a sweep, from its saved tables: index bars, scatter plots and policy maps.

- :func:`index_figure`: one output's sensitivity indices per factor as bars with their 95%
  intervals (Sobol' and FAST: first-order and total; Morris: mu* and sigma; RBD-FAST: S1);
- :func:`scatter_figure`: one output against each factor, one dot per run;
- :func:`map_figure`: for a grid, the mean of one output over replications on the plane of
  two factors (a policy map), averaged over any other factors.

Like :mod:`sim.analysis.plots`, figures are built without ``pyplot`` (no window, no global
state) and saved with :func:`sim.analysis.plots.png_bytes`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.plots import COLOURS

#: Bar colours of the indices, in the order they are drawn.
INDEX_COLOURS = {"S1": COLOURS[0], "ST": COLOURS[1], "mu_star": COLOURS[0],
                 "sigma": COLOURS[1]}  # fmt: skip
INDEX_LABELS = {"S1": "first order (S1)", "ST": "total (ST)", "mu_star": "mu* (mean |effect|)",
                "sigma": "sigma (spread of effects)"}  # fmt: skip
MAX_SCATTER_PANELS = 12


def index_figure(indices: pd.DataFrame, output: str) -> Figure:
    """Bars of one output's indices per factor, with 95% intervals where SALib gives them."""
    rows = indices[(indices["output"] == output) & indices["index"].isin(INDEX_COLOURS)]
    factors = list(dict.fromkeys(rows["factor"]))
    kinds = [k for k in INDEX_COLOURS if k in set(rows["index"])]
    fig = Figure(figsize=(7, 0.5 + 0.45 * len(factors) * max(len(kinds), 1) + 0.8))
    ax = fig.add_subplot()
    height = 0.8 / max(len(kinds), 1)
    y = np.arange(len(factors))
    for k, kind in enumerate(kinds):
        part = rows[rows["index"] == kind].set_index("factor").reindex(factors)
        values = part["value"].to_numpy(float)
        errors = np.vstack([values - part["lo"].to_numpy(float), part["hi"] - values])
        has_error = np.isfinite(errors).all()
        ax.barh(y + (k - (len(kinds) - 1) / 2) * height, values, height=height,
                xerr=errors if has_error else None, color=INDEX_COLOURS[kind],
                label=INDEX_LABELS[kind], capsize=3)  # fmt: skip
    ax.set_yticks(y, factors, fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.grid(axis="x", alpha=0.3)
    method = rows["method"].iloc[0] if len(rows) else ""
    ax.set_title(f"{output}: sensitivity indices ({method})", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def scatter_figure(runs: pd.DataFrame, factors: list[str], output: str) -> Figure:
    """One panel per factor (at most :data:`MAX_SCATTER_PANELS`): the output of each
    successful run against the factor's value."""
    ok = runs[runs["error"].isna()]
    shown = factors[:MAX_SCATTER_PANELS]
    columns = min(3, len(shown))
    rows = -(-len(shown) // columns)
    height = 3 * rows + 0.5
    fig = Figure(figsize=(4 * columns, height))
    # Fixed margins (in inches) rather than tight_layout: the same look, much faster.
    fig.subplots_adjust(left=0.8 / (4 * columns), right=0.98, bottom=0.6 / height,
                        top=1 - 0.75 / height, wspace=0.3, hspace=0.45)  # fmt: skip
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, factor in zip(axes, shown, strict=False):
        x = ok[factor]
        if not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x):
            levels = list(dict.fromkeys(sorted(x.astype(str))))
            x = x.astype(str).map({level: i for i, level in enumerate(levels)})
            ax.set_xticks(range(len(levels)), levels, fontsize=8)
            ax.set_xlim(-0.5, len(levels) - 0.5)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.scatter(x, ok[output], s=8, alpha=0.5, color=COLOURS[0], linewidths=0)
        ax.set_xlabel(factor, fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    axes[0].set_ylabel(output, fontsize=9)
    fig.suptitle(f"{output} against each factor (one dot per run)", fontsize=11)
    return fig


def map_figure(points: pd.DataFrame, x: str, y: str, output: str) -> Figure:
    """A heat map of one output's mean over replications on the grid of factors ``x`` and
    ``y`` (``points`` is ``points.csv``), averaged over other factors; each cell is labelled
    with its value."""
    rows = points[points["output"] == output]
    table = rows.pivot_table(index=y, columns=x, values="mean", aggfunc="mean")
    table = table.sort_index().sort_index(axis=1)
    fig = Figure(figsize=(1.2 + 1.1 * table.shape[1], 1.2 + 0.7 * table.shape[0]))
    ax = fig.add_subplot()
    image = ax.imshow(table.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(table.shape[1]), [_label(v) for v in table.columns], fontsize=8)
    ax.set_yticks(range(table.shape[0]), [_label(v) for v in table.index], fontsize=8)
    ax.set_xlabel(x, fontsize=9)
    ax.set_ylabel(y, fontsize=9)
    finite = table.to_numpy(float)[np.isfinite(table.to_numpy(float))]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), value in np.ndenumerate(table.to_numpy(float)):
        colour = "black" if value > middle else "white"
        ax.text(j, i, _number(value), ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(f"{output}: mean over replications", fontsize=10)
    fig.tight_layout()
    return fig


def _number(value: float) -> str:
    if not np.isfinite(value):
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _label(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
