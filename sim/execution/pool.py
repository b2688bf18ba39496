"""Running many independent tasks on a pool of local processes, keeping every result.

:func:`run_tasks` calls ``func(task)`` for each task, in a pool of processes (or in this process
when there is one worker), and returns one entry per task **in task order**: what ``func``
returned, or a :class:`TaskError` when it raised. Because the order never depends on which
process finished first, whatever is written from the results is byte-identical whatever the
number of workers. The pool knows nothing of what a task is: a run of a scenario is one kind of
task (:class:`sim.execution.runner.RunTask` with :func:`sim.execution.runner.run_task`).

``import mesa`` sets the multiprocessing start method to "spawn", and the pool always uses it:
every worker is a fresh Python that imports ``func`` by name, so ``func`` must be a top-level
function of an importable module, and tasks and results must pickle.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, TypeVar

from tqdm import tqdm

from sim.errors import UserError

T = TypeVar("T")
R = TypeVar("R")

#: How many lines of a traceback to keep for an unexpected error (the innermost ones).
TRACEBACK_LINES = 12


@dataclass(frozen=True)
class TaskError:
    """A task that failed: the task itself and why.

    ``message`` is a :class:`~sim.errors.UserError`'s message as is, or, for any other
    exception, its type and message followed by the innermost lines of the traceback. ``str()``
    reads ``<task>: <message>``, so a task that describes itself (e.g. "scenario.yaml (seed
    3)") names the failure.
    """

    task: Any
    message: str

    def __str__(self) -> str:
        return f"{self.task}: {self.message}"


def describe_error(error: BaseException) -> str:
    """A user error's message as is; otherwise its type, message and the innermost traceback."""
    if isinstance(error, UserError):
        return str(error)
    frames = "".join(traceback.format_tb(error.__traceback__)).rstrip().splitlines()
    if len(frames) > TRACEBACK_LINES:
        frames = ["  ..."] + frames[-TRACEBACK_LINES:]
    return "\n".join([f"{type(error).__name__}: {error}", *frames])


def _guarded(func: Callable[[T], R], task: T) -> R | TaskError:
    """``func(task)``, any exception turned into a :class:`TaskError` (in the worker, so the
    traceback is the worker's and the result always pickles)."""
    try:
        return func(task)
    except Exception as error:  # one failed task must not stop the others
        return TaskError(task, describe_error(error))


def default_workers(n_tasks: int, workers: int | None = None) -> int:
    """The number of processes to use: ``workers`` if given (at least 1), else every core;
    never more than there are tasks."""
    if workers is not None and workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}.")
    chosen = workers if workers is not None else (os.cpu_count() or 1)
    return max(1, min(chosen, n_tasks))


#: Called in the parent process as each task finishes: (task index, result or TaskError).
OnResult = Callable[[int, Any], None]


def run_tasks(
    tasks: Sequence[T],
    func: Callable[[T], R],
    workers: int | None = None,
    desc: str = "tasks",
    on_result: OnResult | None = None,
) -> list[R | TaskError]:
    """Run ``func`` on every task; return, in task order, its result or a :class:`TaskError`.

    ``workers`` processes run at once (default: every core, at most one per task); with one
    worker the tasks run in this process, one after the other. A failing task does not stop the
    others. A progress bar labelled ``desc`` counts finished tasks when standard error is a
    terminal. ``func`` must be a top-level, importable function (workers are spawned).
    ``on_result(index, result)`` is called in this process as each task finishes, in the order
    they finish, so that callers can keep every finished result as soon as it exists.
    """
    tasks = list(tasks)
    n_workers = default_workers(len(tasks), workers)
    results: list[Any] = [None] * len(tasks)
    bar = tqdm(total=len(tasks), desc=desc, unit="task", disable=not sys.stderr.isatty())

    def finished(i: int, result: Any) -> None:
        results[i] = result
        bar.update()
        if on_result is not None:
            on_result(i, result)

    try:
        if n_workers == 1:
            for i, task in enumerate(tasks):
                finished(i, _guarded(func, task))
        else:
            _run_in_pool(tasks, func, n_workers, finished)
    finally:
        bar.close()
    return results


def _run_in_pool(
    tasks: list[Any], func: Callable[[Any], Any], n_workers: int, finished: OnResult
) -> None:
    # Always "spawn" (what Mesa sets and what macOS and Windows use): workers start clean, so a
    # task cannot depend on state left in the parent, on any platform.
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
                    result = future.result()
                except Exception as error:  # e.g. a worker killed by the OS
                    result = TaskError(tasks[i], describe_error(error))
                finished(i, result)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def failures(results: Sequence[Any]) -> list[TaskError]:
    """The :class:`TaskError` entries among ``results``, in order."""
    return [r for r in results if isinstance(r, TaskError)]
