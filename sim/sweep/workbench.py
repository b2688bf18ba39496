"""A sweep's runs in EMA Workbench's layout, for its scenario discovery (PRIM, CART, ...).

EMA Workbench's analyses take ``(experiments, outcomes)``: a DataFrame with one row per run and
one column per uncertain input, and a dict of output name -> array of one value per run.
:func:`experiments_and_outcomes` reads a sweep folder into exactly that, from ``runs.parquet``
and ``manifest.json`` (which names the factors and outputs): the successful runs only, the
factors as columns (switches as ``category``, which PRIM treats as discrete), and each output as
a float array. It needs pandas only; ``examples/prim_scenario_discovery.py`` passes it to
``ema_workbench.analysis.prim``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError


def experiments_and_outcomes(folder: str | Path) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """``(experiments, outcomes)`` of a finished sweep's successful runs."""
    folder = Path(folder)
    manifest_path, runs_path = folder / "manifest.json", folder / "runs.parquet"
    if not runs_path.is_file() or not manifest_path.is_file():
        raise UserError(
            f"{folder}: no finished sweep here (runs.parquet and manifest.json are written "
            "when every run is done; finish an interrupted sweep with --resume)."
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    factors = [f["name"] for f in manifest["design"]["factors"]]
    outputs = list(manifest["outputs"])
    runs = pd.read_parquet(runs_path)
    ok = runs[runs["error"].isna()].reset_index(drop=True)
    experiments = ok[factors].copy()
    for name in factors:
        if not pd.api.types.is_numeric_dtype(experiments[name]) or pd.api.types.is_bool_dtype(
            experiments[name]
        ):
            experiments[name] = experiments[name].astype(str).astype("category")
    outcomes = {name: ok[name].to_numpy(dtype=float) for name in outputs}
    return experiments, outcomes
