"""What a finished sweep writes beside runs.parquet: the design, the analysis and the figures.

:func:`write_design` writes ``design.csv`` (the sampled design, before any run);
:func:`write_analysis` reads nothing but the plan and the runs table and writes
``points.csv`` (per design point and output: mean over replications and its 95% interval),
``sensitivity.csv`` (:func:`sim.sweep.sensitivity.analyse`) and ``figures/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.plots import png_bytes
from sim.execution.files import write_bytes_atomic, write_table_atomic
from sim.sweep.design import Design
from sim.sweep.figures import index_figure, map_figure, scatter_figure
from sim.sweep.sensitivity import analyse, point_summary
from sim.sweep.tasks import Plan


def design_table(design: Design) -> pd.DataFrame:
    """``point``, each factor's value, and ``x.<factor>``: the sampler's raw coordinate (for a
    list of values, the index before rounding down) that SALib's analyses take."""
    table = pd.DataFrame([design.values(p) for p in range(design.points)])
    table.insert(0, "point", range(design.points))
    for j, factor in enumerate(design.factors):
        table[f"x.{factor.name}"] = design.x[:, j]
    return table


def write_design(folder: Path, design: Design) -> Path:
    """Write ``design.csv``; return its path."""
    return write_table_atomic(folder / "design.csv", design_table(design))


def file_name(output: str) -> str:
    """An output's name as part of a file name (dots kept, other characters replaced)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in output)


def write_analysis(folder: Path, plan: Plan, runs: pd.DataFrame) -> list[str]:
    """Write ``points.csv``, ``sensitivity.csv`` (not for a grid) and the figures; return notes
    on outputs that could not be analysed."""
    design, outputs = plan.design, plan.outputs
    factors = [f.name for f in design.factors]
    points = point_summary(runs, design, outputs)
    write_table_atomic(folder / "points.csv", points)
    figures = folder / "figures"
    notes: list[str] = []
    if design.spec.method != "grid":
        indices, notes = analyse(design, runs, outputs)
        write_table_atomic(folder / "sensitivity.csv", indices)
        for output in dict.fromkeys(indices["output"]):
            figure = index_figure(indices, output)
            write_bytes_atomic(figures / f"indices-{file_name(output)}.png", png_bytes(figure))
    else:
        varied = [f for j, f in enumerate(factors) if len(set(design.x[:, j])) > 1]
        if len(varied) >= 2:
            for output in outputs:
                if points.loc[points["output"] == output, "mean"].notna().any():
                    figure = map_figure(points, varied[0], varied[1], output)
                    path = figures / f"map-{file_name(output)}.png"
                    write_bytes_atomic(path, png_bytes(figure))
    if runs["error"].isna().any():
        for output in outputs:
            figure = scatter_figure(runs, factors, output)
            write_bytes_atomic(figures / f"scatter-{file_name(output)}.png", png_bytes(figure))
    return notes
