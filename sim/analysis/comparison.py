"""A comparison folder on disk: its layout, its comparison tables, and reading it back.

``compare`` (:mod:`sim.commands.compare`) writes, in one folder:

- ``runs/<label>/``: each scenario's run tables, all seeds together
  (:func:`sim.execution.tables.write_run_tables`);
- ``comparison.csv``: per scenario, route and metric, the mean over seeds with its 95%
  t-interval, the base's mean over the same seeds and the mean paired difference to the base
  with its 95% t-interval (:func:`sim.analysis.statistics.compare_wide`);
- ``displacement.csv``: route displacement of arrivals
  (:func:`sim.analysis.statistics.displacement`);
- ``manifest.json``: the scenarios (label, name, path, hash, resolved content), seeds, options,
  versions and per-run statistics or errors.

The comparison tables are pure functions of the saved summaries, so they (and the report) can
be rebuilt from the folder alone: :func:`load_saved` recomputes them when they are missing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.statistics import compare_wide, displacement, wide_summary
from sim.errors import UserError
from sim.execution.files import write_table_atomic
from sim.execution.tables import SUMMARY, read_run_table

COMPARISON_FILE = "comparison.csv"
DISPLACEMENT_FILE = "displacement.csv"
MANIFEST_FILE = "manifest.json"


def runs_folder(folder: str | Path, label: str) -> Path:
    """Where a comparison keeps the run tables of the scenario labelled ``label``."""
    return Path(folder) / "runs" / label


def read_summaries(folder: str | Path, labels: Sequence[str]) -> pd.DataFrame:
    """The saved summaries of ``labels`` in a comparison folder as one table (missing ones
    skipped)."""
    frames = [read_run_table(runs_folder(folder, label), SUMMARY) for label in labels]
    frames = [frame for frame in frames if frame is not None]
    if not frames:
        raise UserError(f"{folder}: no runs/<scenario>/summary.csv to compare.")
    return pd.concat(frames, ignore_index=True)


def write_comparison_tables(folder: str | Path, labels: Sequence[str], base: str) -> pd.DataFrame:
    """Compute ``comparison.csv`` and ``displacement.csv`` from the saved summaries; return the
    comparison table."""
    folder = Path(folder)
    wide = wide_summary(read_summaries(folder, labels))
    table = compare_wide(wide, labels, base)
    write_table_atomic(folder / COMPARISON_FILE, table)
    write_table_atomic(folder / DISPLACEMENT_FILE, displacement(wide, labels, base))
    return table


@dataclass
class SavedComparison:
    """A comparison folder as saved by ``compare``: manifest and tables."""

    folder: Path
    manifest: dict[str, Any]
    labels: list[str]
    base: str
    comparison: pd.DataFrame
    displacement: pd.DataFrame
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)

    def run_table(self, label: str, name: str) -> pd.DataFrame | None:
        """A run table (``summary``, ``timeseries``, ``leg_flows``) of the scenario labelled
        ``label``, or None if it was not saved."""
        return read_run_table(runs_folder(self.folder, label), name)


def load_saved(folder: str | Path) -> SavedComparison:
    """Read a comparison folder; recompute the comparison tables from the summaries if absent."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise UserError(f"{folder} is not a comparison folder: it has no manifest.json.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        scenarios = {s["label"]: s for s in manifest["scenarios"]}
        base = manifest["base"]
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(f"{manifest_path} is not a comparison manifest ({error}).") from None
    labels = [lb for lb in scenarios if (runs_folder(folder, lb) / f"{SUMMARY}.csv").is_file()]
    if base not in labels:
        raise UserError(f"{folder}: the base scenario {base!r} has no saved runs to report on.")
    if not (folder / COMPARISON_FILE).is_file() or not (folder / DISPLACEMENT_FILE).is_file():
        write_comparison_tables(folder, labels, base)
    return SavedComparison(
        folder=folder,
        manifest=manifest,
        labels=labels,
        base=base,
        comparison=pd.read_csv(folder / COMPARISON_FILE),
        displacement=pd.read_csv(folder / DISPLACEMENT_FILE),
        scenarios=scenarios,
    )
