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
be rebuilt from the folder alone. :func:`load_saved` trusts nothing it reads: each run table
must be readable, hold every route and metric for every seed it has, and every seed the
manifest lists as finished (and match the SHA-256 the manifest recorded for it); a damaged one
is a :class:`~sim.errors.UserError` naming the file and what is wrong. The comparison tables
are always recomputed from the summaries and rewritten when the saved ones differ (missing,
truncated, edited), with a note saying so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.statistics import ROUTE_ORDER, compare_wide, displacement, wide_summary
from sim.errors import UserError
from sim.execution.files import write_table_atomic
from sim.execution.tables import LEG_FLOWS, SUMMARY, TIMESERIES, read_run_table
from sim.outputs.metrics import HEADLINE_METRICS

COMPARISON_FILE = "comparison.csv"
DISPLACEMENT_FILE = "displacement.csv"
MANIFEST_FILE = "manifest.json"


def runs_folder(folder: str | Path, label: str) -> Path:
    """Where a comparison keeps the run tables of the scenario labelled ``label``."""
    return Path(folder) / "runs" / label


#: The columns of each run table, and the columns that must hold numbers.
TABLE_COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    SUMMARY: (["scenario", "seed", "route", "metric", "value"], ["seed", "value"]),
    TIMESERIES: (["scenario", "seed", "day", "route", "metric", "value"], ["seed", "day", "value"]),
    LEG_FLOWS: (["scenario", "seed", "leg", "persons"], ["seed", "persons"]),
}


def table_path(folder: str | Path, label: str, name: str) -> Path | None:
    """The file of a run table (``.parquet`` or ``.csv``), or None if there is none."""
    for suffix in (".parquet", ".csv"):
        path = runs_folder(folder, label) / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def sha256_of(path: str | Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_checksums(folder: str | Path, labels: Sequence[str]) -> dict[str, str]:
    """``{path relative to folder: SHA-256}`` of every run table of ``labels`` (for the
    manifest, so that the report can tell a damaged table)."""
    found = {}
    for label in labels:
        for name in TABLE_COLUMNS:
            path = table_path(folder, label, name)
            if path is not None:
                found[path.relative_to(folder).as_posix()] = sha256_of(path)
    return found


def _damaged(path: Path, folder: Path, why: str) -> UserError:
    return UserError(
        f"{path}: {why}. The report needs whole run tables: if the runs are kept in "
        f"{folder / 'parts'}, the same compare command with --resume {folder} rewrites the "
        "tables from them; otherwise run the comparison again."
    )


def read_checked_table(
    folder: Path, label: str, name: str, manifest: dict[str, Any]
) -> pd.DataFrame | None:
    """A run table after checking it (None if it was not saved): its checksum if the manifest
    has one, its columns and numbers, the same rows for every seed, and every seed the manifest
    lists as finished for ``label``."""
    path = table_path(folder, label, name)
    if path is None:
        return None
    expected = (manifest.get("tables") or {}).get(path.relative_to(folder).as_posix())
    if expected and sha256_of(path) != expected:
        raise _damaged(
            path,
            folder,
            "it differs from the table compare wrote (its SHA-256 "
            "does not match the manifest's): truncated or edited since",
        )
    try:
        frame = read_run_table(runs_folder(folder, label), name)
    except Exception as error:  # pandas and pyarrow raise many kinds for a damaged file
        why = f"it cannot be read as a table ({type(error).__name__})"
        raise _damaged(path, folder, why) from None
    columns, numeric = TABLE_COLUMNS[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise _damaged(path, folder, f"it lacks the column(s) {', '.join(missing)}")
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any() and column != "value":
            raise _damaged(path, folder, f"column {column} holds something that is not a number")
        if column == "value" and (values.isna() & frame[column].notna()).any():
            raise _damaged(path, folder, "column value holds something that is not a number")
        frame[column] = values
    if frame.empty:
        raise _damaged(path, folder, "it has no rows")
    rows = frame.groupby("seed").size()
    if rows.nunique() > 1:
        short = ", ".join(str(int(s)) for s in rows.index[rows < rows.max()])
        raise _damaged(path, folder, f"seed(s) {short} have fewer rows than the others")
    finished = {
        int(r["seed"])
        for r in manifest.get("runs", [])
        if r.get("scenario") == label and r.get("ok")
    }
    absent = sorted(finished - {int(s) for s in rows.index})
    if absent:
        raise _damaged(path, folder, f"the finished seed(s) {absent} are missing from it")
    return frame


def check_summary_content(summary: pd.DataFrame, path: str) -> None:
    """Every route and every headline metric must be in a summary table."""
    routes = [r for r in ROUTE_ORDER if r not in set(summary["route"])]
    metrics = [m for m in HEADLINE_METRICS if m not in set(summary["metric"])]
    if routes or metrics:
        lacking = ", ".join([*(f"route {r}" for r in routes), *(f"metric {m}" for m in metrics)])
        raise UserError(f"{path}: it lacks {lacking}; the report needs every route and metric.")


def read_summaries(
    folder: str | Path, labels: Sequence[str], manifest: dict[str, Any] | None = None
) -> pd.DataFrame:
    """The saved summaries of ``labels`` in a comparison folder as one table, each checked
    (:func:`read_checked_table`; missing ones skipped)."""
    folder = Path(folder)
    frames = []
    for label in labels:
        frame = read_checked_table(folder, label, SUMMARY, manifest or {})
        if frame is not None:
            check_summary_content(frame, str(runs_folder(folder, label) / f"{SUMMARY}.csv"))
            frames.append(frame)
    if not frames:
        raise UserError(f"{folder}: no runs/<scenario>/summary.csv to compare.")
    return pd.concat(frames, ignore_index=True)


def comparison_tables(
    summaries: pd.DataFrame, labels: Sequence[str], base: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``comparison.csv`` and ``displacement.csv`` computed from the summaries."""
    wide = wide_summary(summaries)
    return compare_wide(wide, labels, base), displacement(wide, labels, base)


def write_comparison_tables(folder: str | Path, labels: Sequence[str], base: str) -> pd.DataFrame:
    """Compute ``comparison.csv`` and ``displacement.csv`` from the saved summaries; return the
    comparison table."""
    folder = Path(folder)
    table, moved = comparison_tables(read_summaries(folder, labels), labels, base)
    write_table_atomic(folder / COMPARISON_FILE, table)
    write_table_atomic(folder / DISPLACEMENT_FILE, moved)
    return table


def _csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


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
    summaries: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    tables: dict[tuple[str, str], pd.DataFrame | None] = field(default_factory=dict)

    def run_table(self, label: str, name: str) -> pd.DataFrame | None:
        """A run table (``summary``, ``timeseries``, ``leg_flows``) of the scenario labelled
        ``label``, or None if it was not saved (read once, when the folder was checked)."""
        if (label, name) not in self.tables:
            self.tables[(label, name)] = read_run_table(runs_folder(self.folder, label), name)
        return self.tables[(label, name)]


def load_saved(folder: str | Path) -> SavedComparison:
    """Read a comparison folder, checking every table (see the module's docstring); the
    comparison tables are recomputed from the summaries and rewritten if the saved ones differ
    (``notes`` says so)."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise UserError(f"{folder} is not a comparison folder: it has no manifest.json.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        scenarios = {s["label"]: s for s in manifest["scenarios"]}
        base = manifest["base"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise UserError(
            f"{manifest_path} is not a comparison manifest ({type(error).__name__}: {error})."
        ) from None
    labels = [lb for lb in scenarios if table_path(folder, lb, SUMMARY) is not None]
    if base not in labels:
        status = manifest.get("status")
        hint = (
            " The comparison did not finish: the same compare command with --resume "
            f"{folder} completes it."
            if status in ("running", "interrupted", "incomplete")
            else ""
        )
        raise UserError(
            f"{folder}: the base scenario {base!r} has no saved runs to report on.{hint}"
        )
    summaries = read_summaries(folder, labels, manifest)
    tables = {
        (label, name): read_checked_table(folder, label, name, manifest)
        for label in labels
        for name in (TIMESERIES, LEG_FLOWS)
    }
    comparison, moved = comparison_tables(summaries, labels, base)
    notes = []
    for name, table in ((COMPARISON_FILE, comparison), (DISPLACEMENT_FILE, moved)):
        path = folder / name
        wanted = _csv_bytes(table)
        try:
            same = path.read_bytes() == wanted
        except OSError:
            same = False
        if not same:
            what = "was damaged or edited" if path.exists() else "was missing"
            notes.append(f"{name} {what}; it was recomputed from the run summaries.")
            write_table_atomic(path, table)
    return SavedComparison(
        folder=folder,
        manifest=manifest,
        labels=labels,
        base=base,
        comparison=pd.read_csv(folder / COMPARISON_FILE),
        displacement=pd.read_csv(folder / DISPLACEMENT_FILE),
        scenarios=scenarios,
        summaries=summaries,
        notes=notes,
        tables=tables,
    )
