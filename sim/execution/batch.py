"""The runs of one ``run`` or ``compare`` command, kept as they finish and resumable.

A :class:`Batch` is the list of runs a command plans (a scenario label and a
:class:`~sim.execution.runner.RunTask` each) and the output folder they go to. :meth:`Batch.run`
runs those that have no kept part yet (:mod:`sim.execution.parts`) on the process pool, keeping
each one the moment it finishes; whatever stops it (a stop signal, a full disk), every run that
finished is on disk. :meth:`Batch.results` reads the kept runs back in plan order for the tables,
and :meth:`Batch.kept_text` says what is kept in words.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.execution.parts import has_part, load_part, part_stats, remove_unfinished, save_part
from sim.execution.pool import TaskError, run_tasks
from sim.execution.runner import RunResult, RunTask, run_task


@dataclass
class Batch:
    """Runs to do: ``tasks[i]`` is a run of the scenario labelled ``labels[i]``, kept under
    ``folder``."""

    folder: Path
    labels: list[str]
    tasks: list[RunTask]
    errors: dict[int, TaskError] = field(default_factory=dict)

    def kept(self) -> list[bool]:
        """For each task, whether its run is kept."""
        return [
            has_part(self.folder, lb, t.seed) for lb, t in zip(self.labels, self.tasks, strict=True)
        ]

    def missing(self) -> list[int]:
        """The indices of the tasks whose run is not kept yet."""
        return [i for i, done in enumerate(self.kept()) if not done]

    def run(
        self,
        workers: int | None,
        desc: str,
        task_function: Callable[[RunTask], RunResult] = run_task,
    ) -> dict[int, TaskError]:
        """Run every task not kept yet, keeping each run as it finishes; return the failures
        (task index -> error), also left in :attr:`errors`."""
        remove_unfinished(self.folder)
        todo = self.missing()
        self.errors = {}

        def keep(k: int, result: RunResult | TaskError) -> None:
            i = todo[k]
            if isinstance(result, TaskError):
                self.errors[i] = result
            else:
                save_part(self.folder, self.labels[i], result)

        run_tasks(
            [self.tasks[i] for i in todo],
            task_function,
            workers,
            desc=desc,
            on_result=keep,
            keep_results=False,
        )
        return self.errors

    def results(self, label: str) -> list[RunResult]:
        """The kept runs of ``label``, in plan (seed) order."""
        return [
            load_part(self.folder, label, task.seed)
            for lb, task, done in zip(self.labels, self.tasks, self.kept(), strict=True)
            if lb == label and done
        ]

    def stats(self, i: int) -> dict[str, Any]:
        """The statistics of task ``i``'s kept run ({} if it is not kept)."""
        return part_stats(self.folder, self.labels[i], self.tasks[i].seed)

    def kept_text(self) -> str:
        """What is kept, e.g. ``5 of 6 runs (base: 3 of 3 seeds; other: 2 of 3)``."""
        kept = self.kept()
        per_label: dict[str, list[bool]] = {}
        for label, done in zip(self.labels, kept, strict=True):
            per_label.setdefault(label, []).append(done)
        parts = [f"{lb}: {sum(d)} of {len(d)} seeds" for lb, d in per_label.items()]
        detail = f" ({'; '.join(parts)})" if len(per_label) > 1 else ""
        return f"{sum(kept)} of {len(kept)} runs{detail}"


def _short(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def plan_differences(saved: object, now: dict[str, Any]) -> str | None:
    """How a saved plan (``manifest["plan"]``) differs from ``now``, in words; None if it is
    the same plan. A plan holds what decides the tables: command, scenarios and their
    hashes, seeds, days, scale and options."""
    if not isinstance(saved, dict):
        return "its manifest has no plan: it was not written by run or compare of this version"
    if saved.get("command") != now.get("command"):
        return f"it was written by `{saved.get('command')}`, not `{now.get('command')}`"
    changed = []
    for key, value in now.items():
        if saved.get(key) == value:
            continue
        if key == "scenarios" and isinstance(saved.get(key), dict):
            old = saved[key]
            names = [lb for lb in value if lb in old and old[lb] != value[lb]]
            if names and set(old) == set(value):
                changed.append(f"scenario {', '.join(names)} changed since (a new SHA-256)")
                continue
        changed.append(f"{key} was {_short(saved.get(key))}, now {_short(value)}")
    return "; ".join(changed) or None


def program() -> str:
    """How the user called mixmig: ``python run.py`` or ``mixmig``."""
    return "python run.py" if Path(sys.argv[0]).name == "run.py" else "mixmig"


def resume_command(command: str, positional: Sequence[str], options: Sequence[str]) -> str:
    """The command line that resumes: ``<program> <command> <positional> <options>``."""
    words = [command, *positional, *options]
    return f"{program()} {shlex.join(words)}"
