"""Running many (scenario, seed) tasks in parallel, and writing their results safely.

A *task* is a tuple ``(scenario_path, seed, days, scale, check)``. :func:`run_tasks` runs a list
of them in a pool of local processes (or in this process when there is one worker) and returns
one entry per task, **in task order**: the :class:`~sim.runner.RunResult` when the run finished,
a :class:`TaskError` when it failed. Because the order never depends on which process finished
first, the tables written from the results are byte-identical whatever ``--workers`` is.

``import mesa`` sets the multiprocessing start method to "spawn": every worker is a fresh Python
that imports the function it runs by name. So the worker function is top-level and receives the
scenario's *path*; it loads the scenario itself, which is cheap next to a run.

The helpers :func:`write_text_atomic`, :func:`write_bytes_atomic` and :func:`write_table_atomic`
write to a temporary file beside the target and ``os.replace`` it, so an interrupted command
never leaves a half-written table behind.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from sim.errors import UserError

#: ``(scenario_path, seed, days, scale, check)``: one run of one scenario with one seed.
Task = tuple[str, int, int | None, float | None, bool]

#: How many lines of a traceback to keep for an unexpected error (the innermost ones).
TRACEBACK_LINES = 12


@dataclass(frozen=True)
class TaskError:
    """A task that failed: which scenario file and seed, and why.

    ``message`` is a :class:`~sim.errors.UserError`'s message as is, or, for any other
    exception, its type and message followed by the innermost lines of the traceback.
    """

    scenario_path: str
    seed: int
    message: str

    def __str__(self) -> str:
        return f"{self.scenario_path} (seed {self.seed}): {self.message}"


def simulate_task(task: Task) -> Any:
    """Run one task in this process: load the scenario from its path, then simulate it.

    Top-level so that a "spawn" worker can import it.
    """
    from sim.execution.runner import simulate
    from sim.scenario.loading import load_scenario

    scenario_path, seed, days, scale, check = task
    scenario = load_scenario(scenario_path)
    return simulate(scenario, seed, days=days, scale=scale, check=check)


def _describe(error: BaseException) -> str:
    if isinstance(error, UserError):
        return str(error)
    frames = "".join(traceback.format_tb(error.__traceback__)).rstrip().splitlines()
    if len(frames) > TRACEBACK_LINES:
        frames = ["  ..."] + frames[-TRACEBACK_LINES:]
    return "\n".join([f"{type(error).__name__}: {error}", *frames])


def _guarded(func: Callable[[Task], Any], task: Task) -> Any:
    """Run ``func(task)`` and turn any exception into a :class:`TaskError` (in the worker, so
    the traceback is the worker's and the result always pickles)."""
    try:
        return func(task)
    except Exception as error:  # one failed run must not stop the others
        return TaskError(str(task[0]), int(task[1]), _describe(error))


def default_workers(n_tasks: int, workers: int | None = None) -> int:
    """The number of processes to use: ``workers`` if given (at least 1), else every core;
    never more than there are tasks."""
    if workers is not None and workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}.")
    chosen = workers if workers is not None else (os.cpu_count() or 1)
    return max(1, min(chosen, n_tasks))


def run_tasks(
    tasks: Sequence[Task],
    workers: int | None = None,
    desc: str = "runs",
    func: Callable[[Task], Any] = simulate_task,
) -> list[Any]:
    """Run every task and return, in task order, its result or a :class:`TaskError`.

    ``workers`` processes run at once (default: all cores, at most one per task); with one
    worker the tasks run in this process, one after the other. A failing task does not stop the
    others. A progress bar counts finished runs when standard error is a terminal. ``func`` is
    the function run for each task (default :func:`simulate_task`); it must be a top-level,
    importable function because workers are started with "spawn".
    """
    tasks = list(tasks)
    n_workers = default_workers(len(tasks), workers)
    results: list[Any] = [None] * len(tasks)
    bar = tqdm(total=len(tasks), desc=desc, unit="run", disable=not sys.stderr.isatty())
    try:
        if n_workers == 1:
            for i, task in enumerate(tasks):
                results[i] = _guarded(func, task)
                bar.update()
        else:
            _run_in_pool(tasks, n_workers, func, results, bar)
    finally:
        bar.close()
    return results


def _run_in_pool(
    tasks: list[Task],
    n_workers: int,
    func: Callable[[Task], Any],
    results: list[Any],
    bar: tqdm,
) -> None:
    # Always "spawn" (what Mesa sets and what macOS and Windows use): workers start clean, so a
    # run cannot depend on state left in the parent, on any platform.
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=get_context("spawn"))
    try:
        pending: dict[Future, int] = {
            pool.submit(_guarded, func, task): i for i, task in enumerate(tasks)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                i = pending.pop(future)
                try:
                    results[i] = future.result()
                except Exception as error:  # e.g. a worker killed by the OS
                    results[i] = TaskError(str(tasks[i][0]), int(tasks[i][1]), _describe(error))
                bar.update()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def failures(results: Sequence[Any]) -> list[TaskError]:
    """The :class:`TaskError` entries among ``results``."""
    return [r for r in results if isinstance(r, TaskError)]


# --------------------------------------------------------------------------- provenance

#: Libraries whose versions a manifest records.
LIBRARIES = ("numpy", "mesa", "pandas", "networkx", "matplotlib", "scipy", "pyarrow")


def git_commit(where: str | Path | None = None) -> str | None:
    """The git commit of the source tree (``git rev-parse HEAD``), or None outside a checkout."""
    import subprocess

    folder = Path(where) if where else Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def environment() -> dict[str, Any]:
    """Package version, git commit, Python and library versions, for a manifest."""
    import platform
    from importlib import metadata

    from sim import __version__

    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "package_version": __version__,
        "git_commit": git_commit(),
        "platform": platform.platform(),
        "versions": versions,
    }


# --------------------------------------------------------------------------- atomic writes


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; return the path."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented UTF-8 JSON atomically (numpy numbers, paths and dates become
    plain JSON); return the path."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    return write_text_atomic(path, text + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def write_table_atomic(path: str | Path, table: Any) -> Path:
    """Write a pandas DataFrame to ``path`` atomically: Parquet if the name ends in
    ``.parquet``, else CSV without the index. Return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            table.to_parquet(tmp, index=False)
        else:
            table.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
