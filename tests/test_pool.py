"""sim.execution.pool: task order, failures kept per task, worker counts, a killed worker, stop
signals (real processes and real signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.errors import UserError
from sim.execution.interrupt import Interrupted, interruptible
from sim.execution.pool import (
    TaskError,
    default_workers,
    failures,
    run_tasks,
    usable_cores,
    workers_note,
)

HERE = Path(__file__).resolve().parent

# Tasks and task functions are top-level so that "spawn" workers can import them by name.


@dataclass(frozen=True)
class Job:
    """A stand-in task that describes itself, as a run task does."""

    name: str
    number: int

    def __str__(self) -> str:
        return f"{self.name} (number {self.number})"


def square_with_pid(job: Job) -> tuple[int, int]:
    """A value that depends only on the task, and the process that computed it."""
    return job.number**2, os.getpid()


def fail_on_3(job: Job) -> int:
    """Fails for number 3 with an unexpected exception."""
    if job.number == 3:
        raise ValueError("the model broke on this task")
    return job.number


def user_error_on_2(job: Job) -> int:
    """Fails for number 2 with a user-facing error."""
    if job.number == 2:
        raise UserError("scenario.yaml: policies[0].start is after the end of the run.")
    return job.number


def killed_on_3(job: Job) -> int:
    """The worker running number 3 is killed with SIGKILL, as the OOM killer would."""
    time.sleep(0.2)
    if job.number == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return job.number


def slow(job: Job) -> int:
    """A task that takes a second."""
    time.sleep(1.0)
    return job.number


def _jobs(n: int, name: str = "scenarios/x.yaml") -> list[Job]:
    return [Job(name, k) for k in range(n)]


def test_results_come_back_in_task_order_from_several_processes():
    in_process = run_tasks(_jobs(7), square_with_pid, workers=1)
    pooled = run_tasks(_jobs(7), square_with_pid, workers=3)
    assert [value for value, _ in in_process] == [k**2 for k in range(7)]
    assert [value for value, _ in pooled] == [value for value, _ in in_process]
    assert {pid for _, pid in in_process} == {os.getpid()}
    assert os.getpid() not in {pid for _, pid in pooled}  # really in worker processes


def test_a_failing_task_keeps_the_others_and_is_named_by_the_task():
    results = run_tasks(_jobs(5, "scenarios/broken.yaml"), fail_on_3, workers=2)
    assert [r for r in results if not isinstance(r, TaskError)] == [0, 1, 2, 4]
    (error,) = failures(results)
    assert results[3] is error and error.task == Job("scenarios/broken.yaml", 3)
    assert error.message.startswith("ValueError: the model broke on this task")
    assert "fail_on_3" in error.message  # a short traceback names where it broke
    assert str(error).startswith("scenarios/broken.yaml (number 3): ValueError")


def test_a_user_error_in_a_task_is_reported_as_written():
    results = run_tasks(_jobs(4), user_error_on_2, workers=1)
    (error,) = failures(results)
    assert error.message == "scenario.yaml: policies[0].start is after the end of the run."
    assert results[:2] == [0, 1] and results[3] == 3


def test_workers_default_to_every_core_but_never_more_than_cores_or_tasks():
    cores = usable_cores()
    assert default_workers(1000) == cores
    assert default_workers(1000, 999) == cores
    assert default_workers(1, 8) == 1
    assert default_workers(10, 1) == 1
    assert default_workers(0) == 1
    assert workers_note(cores) is None and workers_note(None) is None
    assert f"more than the {cores} cores" in workers_note(999)


def test_workers_must_be_positive():
    with pytest.raises(UserError, match="--workers must be at least 1"):
        run_tasks(_jobs(2), square_with_pid, workers=0)


def test_on_result_sees_each_finished_task_once_in_the_parent():
    seen: list[tuple[int, int]] = []
    results = run_tasks(
        _jobs(6), square_with_pid, workers=2, on_result=lambda i, r: seen.append((i, r[0]))
    )
    assert sorted(seen) == [(k, k * k) for k in range(6)]
    assert [r[0] for r in results] == [k * k for k in range(6)]


def test_a_stop_signal_whose_exception_python_drops_still_stops_the_tasks(monkeypatch):
    """Python runs a signal handler wherever the main thread is; an exception it raises inside
    a weakref callback (the garbage collector's work) is printed and dropped. The pool raises
    it again at the next finished task, once that task's result is kept."""

    class Thing:
        pass

    def callback(_ref) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs here, inside the callback
        time.sleep(0.1)

    dropped, kept = [], []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: dropped.append(u.exc_type))
    with interruptible():
        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing  # the callback runs; the Interrupted raised in it is dropped
        assert ref() is None and dropped == [Interrupted]
        with pytest.raises(Interrupted) as stopped:
            run_tasks(_jobs(3), square_with_pid, workers=1, on_result=lambda i, r: kept.append(i))
    assert stopped.value.exit_code == 128 + signal.SIGTERM
    assert kept == [0]  # the first task's result was kept, and nothing ran after it


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pool_takes_a_stop_signal_between_two_waits_never_inside_one(workers):
    """A handler's exception can land between a lock's acquisition and the ``with`` that
    releases it (inside ``concurrent.futures.wait``): the pool's own thread then waits for the
    lock for ever and the command never ends (seen once in test_faults). A stop signal that
    arrives while a finished task's result is kept (``on_result``, here) lets it run to its
    end, and no later task's result is taken."""
    seen: list[tuple[str, int]] = []

    def on_result(i: int, _result) -> None:
        seen.append(("kept", i))
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs in here
        time.sleep(0.3)
        seen.append(("written", i))

    with interruptible(), pytest.raises(Interrupted) as stopped:
        run_tasks(_jobs(6), slow, workers=workers, on_result=on_result)
    assert stopped.value.exit_code == 128 + signal.SIGTERM
    assert len(seen) == 2 and seen[0][1] == seen[1][1]
    assert [what for what, _ in seen] == ["kept", "written"]


def test_a_killed_worker_fails_only_its_own_task_and_the_others_go_on():
    seen: list[int] = []
    results = run_tasks(_jobs(7), killed_on_3, workers=2, on_result=lambda i, r: seen.append(i))
    (error,) = failures(results)
    assert results[3] is error and error.task == Job("scenarios/x.yaml", 3)
    assert "killed by SIGKILL" in error.message
    assert [r for r in results if not isinstance(r, TaskError)] == [0, 1, 2, 4, 5, 6]
    assert sorted(seen) == list(range(7))


STOPPED_SCRIPT = """
import sys
sys.path.insert(0, {here!r})
from sim.execution.pool import run_tasks
from test_pool import Job, slow
if __name__ == "__main__":
    try:
        run_tasks([Job("x", k) for k in range(8)], slow, workers=2,
                  on_result=lambda i, r: print("finished", i, flush=True))
    except KeyboardInterrupt as stop:
        print("stopped by", stop, flush=True)
        sys.exit(stop.exit_code)
"""


def session_processes(session: int) -> list[str]:
    """The live (not zombie) processes of a session, as ``pid state name``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat.split(" (", 1)[1].rsplit(")", 1)
        state, _ppid, _pgrp, sid = fields.split()[:4]
        if int(sid) == session and state != "Z":
            found.append(f"{entry.name} {state} {name}")
    return found


def wait_until_gone(session: int, seconds: float = 10.0) -> list[str]:
    """The session's processes still alive after up to ``seconds`` (the resource tracker
    needs a moment to see its parent gone)."""
    deadline = time.monotonic() + seconds
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_a_stop_signal_stops_every_worker_and_leaves_no_process(tmp_path, stop):
    script = tmp_path / "stopped.py"
    script.write_text(STOPPED_SCRIPT.format(here=str(HERE)), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    first = process.stdout.readline()
    assert first.startswith("finished")
    assert len(session_processes(process.pid)) >= 3  # the parent and two workers at least
    os.kill(process.pid, getattr(signal, stop))
    out, _ = process.communicate(timeout=30)
    assert f"stopped by {stop}" in out
    assert process.returncode == 128 + getattr(signal, stop)
    assert wait_until_gone(process.pid) == []
