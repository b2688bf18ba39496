"""Running a plan's tasks on the local process pool or a Dask cluster, keeping every result.

:func:`run_plan` runs the tasks a sweep folder does not hold yet (all of them for a new sweep;
with ``resume``, those with no successful run recorded) and hands each finished run to the
:class:`~sim.sweep.store.SweepStore` as it comes, in the parent process. The local backend is
:func:`sim.execution.pool.run_tasks` (one worker: in this process); with a ``scheduler``
address the tasks go to a Dask cluster (:mod:`sim.sweep.cluster`). Whatever stops the sweep
(the end, Ctrl-C, a termination signal, a lost cluster), the runs finished so far are written
before it returns or raises. A progress bar shows runs done, failures and the time left.

With a shared warm-up (:attr:`~sim.sweep.tasks.Plan.shares_warmup`) a unit of work is a design
point's missing replications (:class:`~sim.sweep.tasks.PointTask`, run by
:func:`~sim.sweep.tasks.run_model_point` on whichever backend), and its records reach the store
together when the point's last replication finishes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from sim.execution.interrupt import interruptible
from sim.execution.pool import TaskError, run_tasks
from sim.sweep import cluster
from sim.sweep.store import KEYS, SweepStore
from sim.sweep.tasks import Plan, PointTask, RunRecord, SweepTask, run_model_point

TaskFunction = Callable[[SweepTask], RunRecord]


@dataclass
class Progress:
    """What a call of :func:`run_plan` did: runs already recorded, run now, failed now."""

    total: int
    kept: int = 0
    ran: int = 0
    failed: int = 0
    warnings: tuple[str, ...] = ()


def pending_tasks(plan: Plan, store: SweepStore) -> tuple[list[SweepTask], int]:
    """The plan's tasks with no successful run in ``store``, and the number of runs kept."""
    finished = store.finished()
    succeeded = finished[finished["error"].isna()]
    done = set(zip(*(succeeded[k].astype(int) for k in KEYS), strict=True))
    tasks = [task for task in plan.tasks() if task.key not in done]
    return tasks, len(done)


def run_plan(
    plan: Plan,
    store: SweepStore,
    task_function: TaskFunction,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> Progress:
    """Run the plan's missing tasks; every finished run goes to ``store`` as it completes.

    ``workers`` processes on this machine (default: every core), or the Dask cluster whose
    scheduler is at ``scheduler``. ``progress`` shows a progress bar (default: when standard
    error is a terminal). Raises ``Interrupted`` (Ctrl-C, SIGTERM, SIGHUP) or a
    :class:`~sim.errors.UserError` (a lost cluster) after writing what finished. With a shared
    warm-up the design points are run by :func:`~sim.sweep.tasks.run_model_point` instead of
    ``task_function``.
    """
    pending, kept = pending_tasks(plan, store)
    units = plan.units(pending)
    function = run_model_point if plan.shares_warmup else task_function
    state = Progress(total=plan.runs, kept=kept)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=plan.runs, initial=kept, desc=plan.name, unit="run", disable=not show)
    bar.set_postfix(failed=0)

    def finished(index: int, result: Any) -> None:
        for record in _as_records(units[index], result):
            store.add(record)
            state.ran += 1
            state.failed += record.error is not None
            bar.update()
        bar.set_postfix(failed=state.failed)

    try:
        with interruptible(), store.writing():
            if units and scheduler is None:
                pool_desc = f"{plan.name} (pool)"
                run_tasks(
                    units, function, workers, desc=pool_desc, on_result=finished,
                    keep_results=False, progress=False,
                )  # fmt: skip
            elif units:
                with cluster.session(scheduler) as client:
                    state.warnings = tuple(cluster.check_workers(client))
                    cluster.run_on_cluster(client, units, function, finished)
    finally:
        bar.close()
    return state


def _as_records(unit: SweepTask | PointTask, result: Any) -> list[RunRecord]:
    """A unit's result as records: the record (or a point's records) itself, or for each of
    its tasks a failure the backend reported (a worker that died, an error Dask caught)."""
    if isinstance(result, RunRecord):
        return [result]
    if isinstance(result, list):
        return result
    tasks = unit.tasks if isinstance(unit, PointTask) else (unit,)
    message = result.message if isinstance(result, TaskError) else str(result)
    return [RunRecord.failed(task, message) for task in tasks]
