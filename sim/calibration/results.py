"""What a calibration writes: the posterior, the fitted point, the fit history and the plots.

- ``posterior.parquet``: the last generation's particles, a column per free parameter,
  ``weight`` (normalised) and ``distance`` (in tolerances); ``particles.parquet``: every
  generation's, with ``generation``;
- ``history.csv``: per generation its threshold (``epsilon``), particles, evaluations,
  acceptance rate, effective sample size and median distance;
- ``fitted.yaml``: the fitted point (the posterior's weighted median of each free parameter),
  the best particle (the lowest distance), each with the path it goes to, and how and when;
- ``fit.csv``: the validation table at the fitted point (every target, not only those fitted);
- ``figures/posterior.png`` (weighted histograms of each parameter over its prior's range) and
  ``figures/epsilon.png`` (the threshold and median distance per generation).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.analysis.plots import DPI, png_bytes
from sim.execution.files import write_bytes_atomic, write_table_atomic, write_text_atomic
from sim.sweep.design import Factor


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which the cumulative weight reaches one half."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][np.searchsorted(cumulative, 0.5)])


def fitted_point(posterior: pd.DataFrame, names: list[str]) -> dict[str, float]:
    """The posterior's weighted median of each free parameter."""
    weights = posterior["weight"].to_numpy(float)
    return {n: weighted_median(posterior[n].to_numpy(float), weights) for n in names}


def best_particle(posterior: pd.DataFrame, names: list[str]) -> dict[str, float]:
    """The particle with the lowest distance."""
    row = posterior.loc[posterior["distance"].idxmin()]
    return {n: float(row[n]) for n in names}


def posterior_figure(posterior: pd.DataFrame, factors: dict[str, Factor]) -> Figure:
    """Weighted histograms of each free parameter, over its prior's range."""
    columns = min(3, len(factors))
    rows = -(-len(factors) // columns)
    fig = Figure(figsize=(3.2 * columns, 2.4 * rows), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax, (name, factor) in zip(axes, factors.items(), strict=False):
        edges = (
            np.geomspace(factor.low, factor.high, 21)
            if factor.distribution == "loguniform"
            else np.linspace(factor.low, factor.high, 21)
        )
        ax.hist(posterior[name], bins=edges, weights=posterior["weight"], color="#0072B2")
        if factor.distribution == "loguniform":
            ax.set_xscale("log")
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in axes[len(factors) :]:
        ax.set_visible(False)
    fig.subplots_adjust(left=0.05, right=0.97, top=0.9, bottom=0.12, hspace=0.6, wspace=0.25)
    return fig


def epsilon_figure(history: pd.DataFrame) -> Figure:
    """The acceptance threshold and the median distance per generation (log scale)."""
    fig = Figure(figsize=(5, 3), dpi=DPI)
    ax = fig.subplots()
    shown = history[history["epsilon"] < 1e11]
    ax.plot(shown["generation"], shown["epsilon"], marker="o", label="threshold (epsilon)")
    ax.plot(history["generation"], history["median_distance"], marker="s",
            label="median distance")  # fmt: skip
    ax.axhline(1.0, color="grey", lw=0.8, ls="--", label="every target at its tolerance")
    ax.set_yscale("log")
    ax.set_xlabel("generation")
    ax.set_ylabel("distance (tolerances)")
    ax.legend(fontsize=7)
    fig.subplots_adjust(left=0.15, right=0.97, top=0.95, bottom=0.17)
    return fig


def write_fit(
    folder: Path,
    fit: Any,
    factors: dict[str, Factor],
    paths: dict[str, str],
    modes: dict[str, str],
    fit_table: pd.DataFrame,
    describe: dict[str, Any],
) -> dict[str, float]:
    """Write every file of the module docstring; return the fitted point."""
    names = list(factors)
    write_table_atomic(folder / "posterior.parquet", fit.posterior)
    write_table_atomic(folder / "particles.parquet", fit.particles)
    write_table_atomic(folder / "history.csv", fit.history)
    write_table_atomic(folder / "fit.csv", fit_table)
    point = fitted_point(fit.posterior, names)
    best = best_particle(fit.posterior, names)
    record = {
        "how": describe,
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "fitted_point": {n: {"value": point[n], "path": paths[n], "mode": modes[n]} for n in names},
        "best_particle": {n: {"value": best[n], "path": paths[n], "mode": modes[n]} for n in names},
    }
    write_text_atomic(folder / "fitted.yaml", yaml.safe_dump(record, sort_keys=False))
    for name, figure in (
        ("posterior", posterior_figure(fit.posterior, factors)),
        ("epsilon", epsilon_figure(fit.history)),
    ):
        write_bytes_atomic(folder / "figures" / f"{name}.png", png_bytes(figure))
    return point
