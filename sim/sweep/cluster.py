"""Running a sweep's tasks on an existing Dask distributed cluster.

``python run.py sweep SWEEP.yaml --scheduler tcp://host:8786`` connects a
:class:`distributed.Client` to a scheduler that is already running (``dask scheduler`` on one
machine, ``dask worker tcp://host:8786`` on each machine that computes; see docs/sweeps.md),
submits every task, and hands each result to ``on_result`` in this process as it completes.
Dask does the scheduling: a worker that dies has its task moved to another worker (and, after
Dask's ``allowed-failures`` tries, reported as failed). Losing the scheduler stops the sweep
with a :class:`~sim.errors.UserError`; every run finished until then is kept.

Dask is optional (``pip install 'mixmig[cluster]'``): without it this module still imports,
and asking for a scheduler says what to install.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager
from typing import Any

from sim import __version__
from sim.errors import UserError
from sim.execution.interrupt import (
    STOP_CHECK_SECONDS,
    deferred,
    interruptible,
    raise_if_stopped,
)
from sim.execution.provenance import LIBRARIES, installed_version

try:
    from distributed import Client, as_completed
except ImportError:  # the optional extra mixmig[cluster] is not installed
    Client = None
    as_completed = None

#: Seconds to wait for the scheduler to answer, and for at least one worker to join.
CONNECT_SECONDS = 20
WORKER_WAIT_SECONDS = 60
#: Called in this process as each task finishes: (task index, its result or an error text).
OnResult = Callable[[int, Any], None]


class TaskFailure(str):
    """The error text of a task that Dask reports as failed (e.g. its workers kept dying)."""


def available() -> bool:
    """True if Dask distributed is installed."""
    return Client is not None


def worker_environment() -> dict[str, str | None]:
    """mixmig's, Python's and the main libraries' versions in this process (run on workers)."""
    versions = {"mixmig": __version__, "python": platform.python_version()}
    versions.update({name: installed_version(name) for name in LIBRARIES})
    return versions


def connect(address: str, timeout: float = CONNECT_SECONDS) -> Any:
    """A client of the scheduler at ``address``; a :class:`UserError` if it does not answer
    within ``timeout`` seconds or no worker joins."""
    if Client is None:
        raise UserError(
            "--scheduler needs Dask distributed, which is not installed; install the cluster "
            "extra (pip install 'mixmig[cluster]') here and on every worker machine."
        )
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise UserError(
            f"--scheduler {address}: cannot reach a Dask scheduler there ({error}). Start one "
            "with `dask scheduler` and give its address as tcp://host:8786 (docs/sweeps.md)."
        ) from None
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        client.close()
        raise UserError(
            f"--scheduler {address}: no worker joined the cluster within "
            f"{WORKER_WAIT_SECONDS} s; start workers with `dask worker {address}`."
        ) from None
    return client


def check_workers(client: Any) -> list[str]:
    """Compare the workers' versions with this process's; raise a :class:`UserError` when a
    worker cannot run mixmig or runs another mixmig version, and return one warning per
    library whose version differs (results may then differ slightly from a local run)."""
    here = worker_environment()
    try:
        there: dict[str, dict[str, Any]] = client.run(worker_environment)
    except Exception as error:  # e.g. mixmig cannot be imported on a worker
        raise UserError(
            "the Dask workers cannot run mixmig's code "
            f"({type(error).__name__}: {error}); install the same mixmig on every worker "
            "machine (pip install 'mixmig[cluster]' from the same checkout)."
        ) from None
    warnings = []
    for worker, versions in sorted(there.items()):
        if versions.get("mixmig") != here["mixmig"]:
            raise UserError(
                f"Dask worker {worker} runs mixmig {versions.get('mixmig')}, this machine "
                f"{here['mixmig']}; install the same version everywhere."
            )
        for name, version in versions.items():
            if version != here.get(name):
                warnings.append(f"worker {worker}: {name} {version} (here: {here.get(name)})")
    return warnings


@contextmanager
def session(address: str) -> Iterator[Any]:
    """A client of the scheduler at ``address`` (:func:`connect`), closed on leaving.

    While inside, the Dask client does not log its attempts to reconnect (with tracebacks)
    when the scheduler goes away: :func:`run_on_cluster` says so itself, in one paragraph.
    """
    logger = logging.getLogger("distributed.client")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        client = connect(address)
        try:
            yield client
        finally:
            client.close()
    finally:
        logger.setLevel(level)


def take(client: Any, future: Any, done: int, total: int) -> Any:
    """The result of a completed ``future``, or a :class:`TaskFailure` when Dask reports its
    task failed. A scheduler that is gone raises a :class:`UserError`: the future then comes
    back cancelled or erred, or "finished" with a result that can no longer be fetched (the
    client has not noticed yet; fetching raises a cancellation or a closed connection)."""
    try:
        if future.status != "error":
            return future.result()
        error = future.exception()
    except (CancelledError, OSError, TimeoutError):
        error = None
    if error is None or client.status != "running":
        raise UserError(
            f"lost the Dask cluster after {done} of {total} runs (a task came back "
            f"{future.status}); the finished runs are kept: run the same command with "
            "--resume once the scheduler is back."
        ) from None
    return TaskFailure(f"{type(error).__name__}: {error}")


def run_on_cluster(
    client: Any, tasks: Sequence[Any], func: Callable[[Any], Any], on_result: OnResult
) -> None:
    """Submit ``func(task)`` for every task; call ``on_result(index, result)`` as each
    completes (a :class:`TaskFailure` when Dask reports the task failed)."""
    futures = client.map(func, list(tasks), pure=False)
    index = {future.key: i for i, future in enumerate(futures)}
    done = 0
    completed = as_completed(futures, loop=client.loop)
    try:
        # The client's thread shares locks with this loop: a stop signal is taken between
        # two looks at what completed, never inside one (sim.execution.interrupt.deferred).
        with interruptible(), deferred():
            while not completed.is_empty():
                batch = completed.next_batch(block=False)
                raise_if_stopped()
                if not batch:
                    time.sleep(STOP_CHECK_SECONDS)
                for future in batch:
                    result = take(client, future, done, len(futures))
                    future.release()
                    done += 1
                    on_result(index[future.key], result)
            raise_if_stopped()
    except BaseException:
        client.cancel(futures)
        raise
