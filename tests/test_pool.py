"""sim.execution.pool: task order, failures kept per task, worker counts (real processes)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from sim.errors import UserError
from sim.execution.pool import TaskError, default_workers, failures, run_tasks

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


def test_workers_default_to_every_core_but_never_more_than_tasks():
    assert default_workers(1000) == min(os.cpu_count() or 1, 1000)
    assert default_workers(3, 8) == 3
    assert default_workers(10, 2) == 2
    assert default_workers(0) == 1


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
