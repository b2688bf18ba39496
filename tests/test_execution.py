"""Tests for sim.execution: task order, failures kept per task, worker counts, atomic writes."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from sim.errors import UserError
from sim.execution.pool import (
    TaskError,
    default_workers,
    environment,
    failures,
    run_tasks,
    write_table_atomic,
    write_text_atomic,
)

# Worker functions are top-level so that "spawn" workers can import them by name.


def seed_squared(task: tuple) -> tuple[str, int]:
    """A stand-in for a run: a value that depends only on the task."""
    return task[0], task[1] ** 2


def fail_on_seed_3(task: tuple) -> int:
    """Fails for seed 3 with an unexpected exception, succeeds otherwise."""
    if task[1] == 3:
        raise ValueError("the model broke on this seed")
    return task[1]


def user_error_on_seed_2(task: tuple) -> int:
    """Fails for seed 2 with a user-facing error."""
    if task[1] == 2:
        raise UserError("scenario.yaml: policies[0].start is after the end of the run.")
    return task[1]


def _tasks(seeds: range, path: str = "scenarios/x.yaml") -> list[tuple]:
    return [(path, seed, 10, 0.01, False) for seed in seeds]


def test_results_come_back_in_task_order_whatever_the_workers():
    tasks = _tasks(range(7))
    expected = [("scenarios/x.yaml", s**2) for s in range(7)]
    assert run_tasks(tasks, workers=1, func=seed_squared) == expected
    assert run_tasks(tasks, workers=3, func=seed_squared) == expected


def test_a_failing_task_keeps_the_others_and_names_scenario_and_seed():
    results = run_tasks(_tasks(range(5), "scenarios/broken.yaml"), workers=2, func=fail_on_seed_3)
    assert [r for r in results if not isinstance(r, TaskError)] == [0, 1, 2, 4]
    (error,) = failures(results)
    assert results[3] is error
    assert (error.scenario_path, error.seed) == ("scenarios/broken.yaml", 3)
    assert error.message.startswith("ValueError: the model broke on this seed")
    assert "fail_on_seed_3" in error.message  # a short traceback names where it broke
    assert str(error).startswith("scenarios/broken.yaml (seed 3): ValueError")


def test_a_user_error_in_a_task_is_reported_as_written():
    results = run_tasks(_tasks(range(4)), workers=1, func=user_error_on_seed_2)
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
        run_tasks(_tasks(range(2)), workers=0, func=seed_squared)


def test_atomic_writes_replace_the_file_and_leave_no_temporary_behind(tmp_path):
    target = tmp_path / "deep" / "table.csv"
    write_table_atomic(target, pd.DataFrame({"a": [1, 2]}))
    write_table_atomic(target, pd.DataFrame({"a": [3]}))
    assert target.read_text() == "a\n3\n"
    write_text_atomic(tmp_path / "note.txt", "é\n")
    assert (tmp_path / "note.txt").read_bytes() == "é\n".encode()
    write_table_atomic(tmp_path / "t.parquet", pd.DataFrame({"b": [1.5]}))
    assert pd.read_parquet(tmp_path / "t.parquet")["b"].tolist() == [1.5]
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_environment_records_versions_and_tolerates_no_git():
    info = environment()
    assert info["package_version"]
    assert {"python", "numpy", "mesa", "pandas", "networkx", "matplotlib"} <= set(info["versions"])
    assert info["git_commit"] is None or len(info["git_commit"]) == 40
