"""A sweep's folder on disk: finished runs kept as they come, and the table of all runs.

While a sweep runs, finished runs are buffered and written as Parquet parts
(``parts/part-NNNNNN.parquet``), each written to a temporary file and moved into place, so a
part is either whole or absent. A part is written as soon as :data:`PART_ROWS` runs are
waiting or the oldest of them has waited :data:`PART_SECONDS` (a background thread of
:meth:`SweepStore.writing` checks every fraction of that, so no run waits longer even when no
other finishes), and when the sweep stops for any reason (the end, Ctrl-C, a termination
signal, an error). Killed outright, a sweep loses at most its last two seconds of runs;
``--resume`` runs them again.

:meth:`SweepStore.finished` reads every run recorded so far (parts and an earlier
``runs.parquet``); where a run was recorded twice (a failure retried by ``--resume``) its
latest success wins. :meth:`SweepStore.write_runs` writes ``runs.parquet``: one row per run,
ordered by design point and replication, in a fixed Arrow schema derived from the plan, so the
same runs give the same file whichever backend ran them and in whatever order they finished.
``run_times.csv`` keeps each run's wall time and the worker (``host:pid``) that ran it.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.execution.files import write_bytes_atomic, write_table_atomic
from sim.sweep.design import Factor
from sim.sweep.tasks import Plan, RunRecord

#: Runs buffered before a part is written, and the longest a finished run waits in memory.
PART_ROWS = 64
PART_SECONDS = 2.0
KEYS = ["point", "replication"]
TIMING_COLUMNS = ["wall_seconds", "worker"]


def factor_type(factor: Factor) -> pa.DataType:
    """The Arrow type of a factor's column: its values' type (bool, int64, float64, string)."""
    if not factor.discrete:
        return pa.int64() if factor.integer else pa.float64()
    values = factor.values
    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pa.float64()
    return pa.string()


def runs_schema(plan: Plan) -> pa.Schema:
    """``point, replication, seed``, one column per factor, one per output, and ``error``."""
    fields = [pa.field("point", pa.int64()), pa.field("replication", pa.int64())]
    fields.append(pa.field("seed", pa.int64()))
    fields += [pa.field(f.name, factor_type(f)) for f in plan.design.factors]
    fields += [pa.field(name, pa.float64()) for name in plan.outputs]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


def part_schema(plan: Plan) -> pa.Schema:
    """The runs' schema with the timing columns."""
    schema = runs_schema(plan)
    schema = schema.append(pa.field("wall_seconds", pa.float64()))
    return schema.append(pa.field("worker", pa.string()))


def record_row(record: RunRecord, plan: Plan) -> dict[str, Any]:
    """A run as one row of the part schema (outputs missing from a failed run are null)."""
    row: dict[str, Any] = {"point": record.point, "replication": record.replication}
    row["seed"] = record.seed
    row.update({f.name: record.values.get(f.name) for f in plan.design.factors})
    row.update({name: record.outputs.get(name) for name in plan.outputs})
    row.update(error=record.error, wall_seconds=float(record.wall_seconds))
    row["worker"] = record.worker
    return row


def _parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


class SweepStore:
    """The output folder of one sweep and its finished runs."""

    def __init__(self, folder: str | Path, plan: Plan) -> None:
        self.folder = Path(folder)
        self.plan = plan
        self.parts = self.folder / "parts"
        self._buffer: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._lock = threading.Lock()
        existing = sorted(self.parts.glob("part-*.parquet")) if self.parts.is_dir() else []
        self._next = 1 + max((int(p.stem.split("-")[1]) for p in existing), default=0)

    @property
    def runs_path(self) -> Path:
        """``runs.parquet`` in the folder."""
        return self.folder / "runs.parquet"

    def add(self, record: RunRecord) -> None:
        """Keep a finished run; write a part when enough runs wait or the oldest waited long."""
        with self._lock:
            if not self._buffer:
                self._oldest = time.monotonic()
            self._buffer.append(record_row(record, self.plan))
            if len(self._buffer) >= PART_ROWS or self._waited():
                self._write_part()

    def _waited(self) -> bool:
        return bool(self._buffer) and time.monotonic() - self._oldest >= PART_SECONDS

    @contextmanager
    def writing(self) -> Iterator[SweepStore]:
        """While inside, a background thread writes waiting runs once the oldest has waited
        :data:`PART_SECONDS`; on leaving, whatever waits is written."""
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(PART_SECONDS / 4):
                with self._lock:
                    if self._waited():
                        self._write_part()

        watcher = threading.Thread(target=watch, name="sweep-parts", daemon=True)
        watcher.start()
        try:
            yield self
        finally:
            stop.set()
            watcher.join()
            self.flush()

    def flush(self) -> None:
        """Write the waiting runs as one part (atomically); nothing if none wait."""
        with self._lock:
            self._write_part()

    def _write_part(self) -> None:
        if not self._buffer:
            return
        table = pa.Table.from_pylist(self._buffer, schema=part_schema(self.plan))
        path = self.parts / f"part-{self._next:06d}.parquet"
        write_bytes_atomic(path, _parquet_bytes(table))
        self._next += 1
        self._buffer = []

    def finished(self) -> pd.DataFrame:
        """Every run recorded so far, one row per (point, replication), the latest success
        preferred; ordered by point and replication."""
        schema = part_schema(self.plan)
        tables = [pq.read_table(p) for p in sorted(self.parts.glob("part-*.parquet"))]
        if self.runs_path.is_file():
            previous = pq.read_table(self.runs_path)
            times = self.folder / "run_times.csv"
            frame = previous.to_pandas()
            if times.is_file():
                frame = frame.merge(pd.read_csv(times), on=KEYS, how="left")
            tables.insert(0, pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
        if not tables:
            return schema.empty_table().to_pandas()
        frame = pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])
        frame = frame.to_pandas()
        frame["_order"] = range(len(frame))
        frame["_ok"] = frame["error"].isna()
        frame = frame.sort_values([*KEYS, "_ok", "_order"]).drop_duplicates(KEYS, keep="last")
        return frame.drop(columns=["_order", "_ok"]).reset_index(drop=True)

    def write_runs(self, runs: pd.DataFrame) -> Path:
        """Write ``runs.parquet`` (every run, in order) and ``run_times.csv``; remove the
        parts (and their folder), whose runs it now holds. Return the path of ``runs.parquet``."""
        schema = runs_schema(self.plan)
        ordered = runs.sort_values(KEYS).reset_index(drop=True)
        table = pa.Table.from_pandas(ordered[schema.names], schema=schema, preserve_index=False)
        write_bytes_atomic(self.runs_path, _parquet_bytes(table.replace_schema_metadata(None)))
        timing = ordered[[*KEYS, *TIMING_COLUMNS]]
        write_table_atomic(self.folder / "run_times.csv", timing)
        for part in self.parts.glob("part-*.parquet"):
            part.unlink()
        if self.parts.is_dir() and not any(self.parts.iterdir()):
            self.parts.rmdir()
        return self.runs_path


def read_runs(folder: str | Path) -> pd.DataFrame:
    """A sweep's ``runs.parquet`` as a DataFrame."""
    return pd.read_parquet(Path(folder) / "runs.parquet")
