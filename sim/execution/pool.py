"""Running many independent tasks on a pool of local processes, keeping every result.

:func:`run_tasks` calls ``func(task)`` for each task, in a pool of processes (or in this process
when there is one worker), and returns one entry per task **in task order**: what ``func``
returned, or a :class:`TaskError` when it raised. Because the order never depends on which
process finished first, whatever is written from the results is byte-identical whatever the
number of workers. The pool knows nothing of what a task is: a run of a scenario is one kind of
task (:class:`sim.execution.runner.RunTask` with :func:`sim.execution.runner.run_task`).

Faults stay where they happen. The processes are a :class:`pebble.ProcessPool`, which knows
which task each worker holds: a worker that dies (killed, out of memory, a crash in a C
library) fails only the task it was running, with a :class:`TaskError` that says so, and a new
worker takes its place for the others. Should the pool itself break, it is rebuilt and the
unfinished tasks go on. A stop signal (Ctrl-C, SIGTERM, SIGHUP) stops every worker before
:class:`~sim.execution.interrupt.Interrupted` reaches the caller, so no process is left behind;
``on_result`` has by then seen every task that finished. Workers ignore Ctrl-C (the parent
decides) and end themselves if the parent disappears without stopping them (``kill -9``).

``import mesa`` sets the multiprocessing start method to "spawn", and the pool always uses it:
every worker is a fresh Python that imports ``func`` by name, so ``func`` must be a top-level
function of an importable module, and tasks and results must pickle.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool
from tqdm import tqdm

from sim.errors import UserError
from sim.execution.interrupt import (
    STOP_CHECK_SECONDS,
    deferred,
    interruptible,
    raise_if_stopped,
    signals_ignored,
)

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


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def default_workers(n_tasks: int, workers: int | None = None) -> int:
    """The number of processes to use: ``workers`` if given (at least 1), else every core;
    never more than the usable cores (more processes than cores only share them, each with its
    own memory) nor than there are tasks."""
    if workers is not None and workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}.")
    chosen = workers if workers is not None else usable_cores()
    return max(1, min(chosen, usable_cores(), n_tasks))


def workers_note(workers: int | None) -> str | None:
    """A note for the user when ``workers`` asks for more processes than there are cores."""
    cores = usable_cores()
    if workers is None or workers <= cores:
        return None
    return (
        f"note: --workers {workers} is more than the {cores} cores of this machine; using "
        f"{cores} (more processes would only share the cores, each with its own memory)."
    )


#: Called in the parent process as each task finishes: (task index, result or TaskError).
OnResult = Callable[[int, Any], None]
#: How many times a broken pool is rebuilt before the tasks still waiting are failed.
POOL_REBUILDS = 3
#: Seconds between two checks, in a worker, that its parent process is still there.
PARENT_CHECK_SECONDS = 1.0


def run_tasks(
    tasks: Sequence[T],
    func: Callable[[T], R],
    workers: int | None = None,
    desc: str = "tasks",
    on_result: OnResult | None = None,
    keep_results: bool = True,
    progress: bool = True,
) -> list[R | TaskError]:
    """Run ``func`` on every task; return, in task order, its result or a :class:`TaskError`.

    ``workers`` processes run at once (default: every core; never more than the cores or the
    tasks); with one worker the tasks run in this process, one after the other. A failing task,
    or a worker process that dies, fails only that task. A progress bar labelled ``desc``
    counts finished tasks when standard error is a terminal. ``func`` must be a top-level,
    importable function (workers are spawned). ``on_result(index, result)`` is called in this
    process as each task finishes, in the order they finish, so that callers can keep every
    finished result as soon as it exists; if it raises, the workers are stopped and the error
    propagates. With ``keep_results=False`` the returned list holds None in place of each
    successful result (the caller kept it in ``on_result``), so that a long batch does not hold
    every result in memory; failures are always returned. A stop signal stops the workers and
    raises :class:`~sim.execution.interrupt.Interrupted`. ``progress=False`` hides the bar (a
    caller that shows its own).
    """
    tasks = list(tasks)
    n_workers = default_workers(len(tasks), workers)
    results: list[Any] = [None] * len(tasks)
    shown = progress and sys.stderr.isatty()
    bar = tqdm(total=len(tasks), desc=desc, unit="task", disable=not shown)

    def finished(i: int, result: Any) -> None:
        bar.update()
        if on_result is not None:
            on_result(i, result)
        results[i] = result if keep_results or isinstance(result, TaskError) else None
        raise_if_stopped()  # a stop whose first exception was dropped (interrupt.py)

    try:
        with interruptible():
            if n_workers == 1:
                for i, task in enumerate(tasks):
                    result = _guarded(func, task)  # a stop signal ends a run at once
                    with deferred():  # but never the keeping of a finished one
                        finished(i, result)
            else:
                _run_in_pools(tasks, func, n_workers, finished)
    finally:
        bar.close()
    return results


def _run_in_pools(
    tasks: list[Any], func: Callable[[Any], Any], n_workers: int, finished: OnResult
) -> None:
    """Run the tasks on a pool; if the pool breaks, rebuild it for the tasks not finished."""
    remaining = list(range(len(tasks)))
    for _attempt in range(POOL_REBUILDS + 1):
        remaining = _run_in_pool(tasks, remaining, func, n_workers, finished)
        if not remaining:
            return
    for i in remaining:
        finished(i, TaskError(tasks[i], "the process pool broke repeatedly; not run"))


def _run_in_pool(
    tasks: list[Any],
    indices: list[int],
    func: Callable[[Any], Any],
    n_workers: int,
    finished: OnResult,
) -> list[int]:
    """Run ``tasks[i]`` for ``i`` in ``indices`` on one pool; return the indices whose tasks
    were lost because the pool broke (to run on a new pool)."""
    # Always "spawn" (what Mesa sets and what macOS and Windows use): workers start clean, so a
    # task cannot depend on state left in the parent, on any platform.
    pool = ProcessPool(
        max_workers=min(n_workers, len(indices)),
        initializer=_worker_setup,
        initargs=(os.getpid(),),
        context=get_context("spawn"),
    )
    lost: list[int] = []
    # Each future, once done, is put on a queue by the pool's thread; this thread takes them
    # off one at a time. The futures' locks are shared with the pool's threads, so a stop
    # signal is taken between two looks at the queue, never inside one (interrupt.deferred).
    done: queue.SimpleQueue[Future] = queue.SimpleQueue()
    with deferred():
        try:
            pending: dict[Future, int] = {}
            for i in indices:
                future = pool.schedule(_guarded, args=(func, tasks[i]))
                pending[future] = i
                future.add_done_callback(done.put)
            while pending:
                raise_if_stopped()
                try:
                    future = done.get(timeout=STOP_CHECK_SECONDS)
                except queue.Empty:
                    continue
                i = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost.append(i)
                    continue
                except ProcessExpired as error:
                    result = TaskError(tasks[i], expired_message(error))
                except Exception as error:  # e.g. a result that does not pickle
                    result = TaskError(tasks[i], describe_error(error))
                finished(i, result)
        except BaseException:
            # A stop signal, or on_result failing: stop every worker before going on, and do
            # not let a second Ctrl-C cut that short (it would leave processes behind).
            with signals_ignored():
                pool.stop()
                pool.join()
            raise
        pool.close()
        pool.join()
    raise_if_stopped()  # a stop while the last workers ended: every result is kept
    return sorted(lost)


def expired_message(error: ProcessExpired) -> str:
    """Why a task's worker process died, in words: its exit code or the signal that killed it."""
    code = error.exitcode
    if isinstance(code, int) and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        cause = f"was killed by {name}"
        if -code == getattr(signal, "SIGKILL", None):
            cause += " (out of memory, or kill -9)"
    else:
        cause = f"exited with code {code}"
    return (
        f"the worker process running it {cause}; this run failed, the other runs went on "
        "in a new worker"
    )


def _worker_setup(parent_pid: int) -> None:
    """In each worker: leave stop signals from the terminal to the parent, and end the worker
    if the parent disappears without stopping it (so that no worker outlives it)."""
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def failures(results: Sequence[Any]) -> list[TaskError]:
    """The :class:`TaskError` entries among ``results``, in order."""
    return [r for r in results if isinstance(r, TaskError)]
