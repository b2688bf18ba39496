"""Each finished run kept on disk at once, as one part of its command's output folder.

``run`` and ``compare`` save every run the moment it finishes, in
``parts/<label>/seed-<seed>/`` of their output folder: ``summary.parquet``,
``timeseries.parquet``, ``leg_flows.parquet``, ``breakdown.parquet``,
``breakdown_monthly.parquet``, ``country_stocks.parquet`` and ``run.json`` (the run's
statistics). A part is written in a temporary folder beside it and renamed into place in one
step, so a part either exists whole or not at all, whatever stops the command (Ctrl-C,
``kill``, a full disk, a power cut). The command's tables (:mod:`sim.execution.tables`) are
then assembled from the parts, in seed order, and ``--resume`` runs only the runs that have no
part yet: an interrupted command that is resumed gives the same bytes as one that never
stopped. Parquet keeps every value and type exactly, and is small next to the CSV tables.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from sim.errors import UserError
from sim.execution.files import ordinary_mode
from sim.execution.runner import RunResult

PARTS = "parts"
_TABLES = (
    "summary", "timeseries", "leg_flows", "breakdown", "breakdown_monthly", "country_stocks",
)  # fmt: skip


def part_folder(folder: str | Path, label: str, seed: int) -> Path:
    """Where the run of ``label`` (a scenario's label) with ``seed`` is kept."""
    return Path(folder) / PARTS / label / f"seed-{int(seed)}"


def save_part(folder: str | Path, label: str, result: RunResult) -> Path:
    """Keep one finished run, atomically (a part exists whole or not at all); return its
    folder."""
    target = part_folder(folder, label, result.seed)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        result.summary.to_parquet(temporary / "summary.parquet", index=False)
        result.timeseries.to_parquet(temporary / "timeseries.parquet", index=False)
        result.breakdown.to_parquet(temporary / "breakdown.parquet", index=False)
        monthly = result.breakdown_monthly
        monthly.to_parquet(temporary / "breakdown_monthly.parquet", index=False)
        result.country_stocks.to_parquet(temporary / "country_stocks.parquet", index=False)
        flows = pd.DataFrame({"leg": result.leg_ids, "persons": result.leg_flows})
        flows.to_parquet(temporary / "leg_flows.parquet", index=False)
        record = {"scenario": result.scenario, "seed": result.seed, "stats": result.stats}
        (temporary / "run.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        for path in temporary.iterdir():
            os.chmod(path, ordinary_mode())
        os.chmod(temporary, ordinary_mode(directory=True))
        if target.exists():  # the same run again (it replaces the old part whole)
            shutil.rmtree(target)
        os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return target


def has_part(folder: str | Path, label: str, seed: int) -> bool:
    """Whether the run of ``label`` with ``seed`` was kept."""
    return (part_folder(folder, label, seed) / "run.json").is_file()


def part_stats(folder: str | Path, label: str, seed: int) -> dict:
    """The statistics of a kept run (wall time, people, agents, ...), or {} if unreadable."""
    try:
        text = (part_folder(folder, label, seed) / "run.json").read_text(encoding="utf-8")
        return dict(json.loads(text).get("stats") or {})
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def load_part(folder: str | Path, label: str, seed: int) -> RunResult:
    """A kept run, as the :class:`RunResult` it was saved from."""
    where = part_folder(folder, label, seed)
    try:
        record = json.loads((where / "run.json").read_text(encoding="utf-8"))
        tables = {name: pd.read_parquet(where / f"{name}.parquet") for name in _TABLES}
        return RunResult(
            scenario=str(record["scenario"]),
            seed=int(record["seed"]),
            summary=tables["summary"],
            timeseries=tables["timeseries"],
            breakdown=tables["breakdown"],
            breakdown_monthly=tables["breakdown_monthly"],
            country_stocks=tables["country_stocks"],
            leg_flows=tables["leg_flows"]["persons"].to_numpy(),
            leg_ids=[str(leg) for leg in tables["leg_flows"]["leg"]],
            stats=dict(record.get("stats") or {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(
            f"{where}: this kept run cannot be read ({type(error).__name__}: {error}); delete "
            "that folder and resume to run it again."
        ) from None


def remove_unfinished(folder: str | Path) -> None:
    """Delete the temporary folders of parts whose writing was cut short."""
    for stray in (Path(folder) / PARTS).glob("*/.seed-*"):
        shutil.rmtree(stray, ignore_errors=True)
