"""Sensitivity indices of a sweep's outputs to its factors, computed by SALib.

Each design point's output is the mean over its successful replications (paired seeds), and
SALib's analysis that matches the design's sampler is run on those means, for each output
(the ``index`` column names each index):

- ``sobol``: ``SALib.analyze.sobol``: ``S1`` (first order), ``ST`` (total), and ``S2``
  (pairs, with ``second_order``);
- ``morris``: ``SALib.analyze.morris``: ``mu_star`` (mean absolute elementary effect), ``mu``,
  ``sigma``;
- ``fast``: ``SALib.analyze.fast``: ``S1``, ``ST``;
- ``lhs``: ``SALib.analyze.rbd_fast``: ``S1``;
- ``grid``: none; a grid maps outputs over factor levels (``points.csv``).

:func:`analyse` returns one tidy table, ``method, output, factor, index, value, lo, hi``: ``lo``
and ``hi`` bound SALib's 95% bootstrap confidence interval where it gives one (FAST's are
indicative only). An output that some design point has no value for (every replication failed,
or a ratio with nothing to divide by) cannot be analysed: it is left out, with a note.
:func:`point_summary` gives, per design point and output, the mean over replications and its
95% t-interval (:func:`sim.analysis.statistics.t_interval`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import fast, morris, rbd_fast, sobol

from sim.analysis.statistics import t_interval
from sim.sweep.design import Design

CONF_LEVEL = 0.95
COLUMNS = ["method", "output", "factor", "index", "value", "lo", "hi"]
#: The analysis each design method gets.
ANALYSIS: dict[str, str] = {"sobol": "sobol", "morris": "morris", "fast": "fast", "lhs": "rbd_fast"}


def point_means(runs: pd.DataFrame, points: int, outputs: list[str]) -> pd.DataFrame:
    """Per design point (index ``0..points-1``), the mean of each output over its successful
    replications (NaN where there is none)."""
    ok = runs[runs["error"].isna()]
    means = ok.groupby("point")[outputs].mean()
    return means.reindex(range(points))


def point_summary(runs: pd.DataFrame, design: Design, outputs: list[str]) -> pd.DataFrame:
    """Per design point and output: the factor values, the mean over successful replications,
    its 95% t-interval and the number of replications it rests on (``point, <factors>,
    output, mean, lo, hi, replications``)."""
    ok = runs[runs["error"].isna()]
    values = pd.DataFrame([design.values(p) for p in range(design.points)])
    values.insert(0, "point", range(design.points))
    frames = []
    for output in outputs:
        # One column per design point, one row per replication: intervals column-wise.
        wide = ok.pivot(index="replication", columns="point", values=output)
        matrix = wide.reindex(columns=range(design.points)).to_numpy(float)
        mean, lo, hi = t_interval(matrix) if len(matrix) else (np.full(design.points, np.nan),) * 3
        frame = values.copy()
        frame["output"] = output
        frame["mean"], frame["lo"], frame["hi"] = mean, lo, hi
        frame["replications"] = np.isfinite(matrix).sum(axis=0) if len(matrix) else 0
        frames.append(frame[frame["replications"] > 0])
    return pd.concat(frames, ignore_index=True)


def analyse(
    design: Design, runs: pd.DataFrame, outputs: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """The sensitivity indices of every output (see the module's table), and notes on what
    could not be analysed."""
    method = ANALYSIS.get(design.spec.method)
    if method is None:
        return pd.DataFrame(columns=COLUMNS), []
    means = point_means(runs, design.points, outputs)
    rows: list[tuple] = []
    notes: list[str] = []
    for output in outputs:
        y = means[output].to_numpy(float)
        missing = int((~np.isfinite(y)).sum())
        if missing:
            notes.append(
                f"{output}: not analysed: {missing} of {design.points} design points have no "
                "value (every replication failed, or a ratio had nothing to divide by)"
            )
            continue
        if np.ptp(y) == 0:
            notes.append(f"{output}: not analysed: it takes the same value at every point")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FAST's note that its intervals are indicative
            result = _salib(method, design, y)
        rows += _rows(method, output, design, result)
    return pd.DataFrame(rows, columns=COLUMNS), notes


def _salib(method: str, design: Design, y: np.ndarray) -> dict[str, Any]:
    problem, spec, seed = design.problem(), design.spec, design.spec.seed
    if method == "sobol":
        return sobol.analyze(problem, y, calc_second_order=spec.second_order,
                             conf_level=CONF_LEVEL, seed=seed)  # fmt: skip
    if method == "morris":
        return morris.analyze(problem, design.x, y, conf_level=CONF_LEVEL,
                              num_levels=spec.morris_levels, seed=seed)  # fmt: skip
    if method == "fast":
        return fast.analyze(problem, y, M=spec.fast_terms, conf_level=CONF_LEVEL, seed=seed)
    return rbd_fast.analyze(problem, design.x, y, conf_level=CONF_LEVEL, seed=seed)


#: Per analysis: (index, SALib's key for it, SALib's key for its confidence half-width).
INDICES: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "sobol": (("S1", "S1", "S1_conf"), ("ST", "ST", "ST_conf")),
    "morris": (("mu_star", "mu_star", "mu_star_conf"), ("mu", "mu", None),
               ("sigma", "sigma", None)),
    "fast": (("S1", "S1", "S1_conf"), ("ST", "ST", "ST_conf")),
    "rbd_fast": (("S1", "S1", "S1_conf"),),
}  # fmt: skip


def _rows(method: str, output: str, design: Design, result: dict[str, Any]) -> list[tuple]:
    names = [f.name for f in design.factors]
    rows = []
    for index, key, conf_key in INDICES[method]:
        values = np.asarray(result[key], dtype=float)
        confs = np.asarray(result[conf_key], dtype=float) if conf_key else None
        for j, factor in enumerate(names):
            rows.append(_row(method, output, factor, index, values[j], confs, j))
    if method == "sobol" and design.spec.second_order:
        s2, s2_conf = np.asarray(result["S2"]), np.asarray(result["S2_conf"])
        for j in range(len(names)):
            for k in range(j + 1, len(names)):
                value, conf = float(s2[j, k]), float(s2_conf[j, k])
                pair = f"{names[j]} x {names[k]}"
                rows.append((method, output, pair, "S2", value, value - conf, value + conf))
    return rows


def _row(method, output, factor, index, value, confs, j) -> tuple:
    value = float(value)
    if confs is None or not np.isfinite(confs[j]):
        return (method, output, factor, index, value, np.nan, np.nan)
    conf = float(confs[j])
    return (method, output, factor, index, value, value - conf, value + conf)
