"""The runs of a sweep: a plan of tasks, and the function a worker runs for each.

A :class:`Plan` is everything a sweep will run: its sampled :class:`~sim.sweep.design.Design`,
the number of replications and their seeds, the names of the outputs and, for a sweep of the
model, a :class:`ModelSpec`. :meth:`Plan.tasks` lists one :class:`SweepTask` per (design point,
replication), point by point. Replication ``r`` uses the same seed at every design point (paired
seeds, common random numbers), so two points differ by their factors and not by their luck.

:func:`run_model_task` is what a worker runs for a task of a model sweep: it writes the point's
factor values into the base scenario, validates it, builds and runs its model and computes
the outputs from the daily table (:func:`run_outputs`). It never raises: a failure
becomes a :class:`RunRecord` with the error, so one failed run does not stop a sweep. Any other
top-level function from :class:`SweepTask` to :class:`RunRecord` can drive the same pipeline
(the tests push the Ishigami function through it).

With a shared warm-up (``warmup: shared``) the unit of work is a design point instead:
:meth:`Plan.units` groups the tasks by point into :class:`PointTask` objects, and
:func:`run_model_point` simulates the point's warm-up once, with replication 0's seed
(:func:`sim.execution.warmup.warm_up`), and runs each replication from a copy of that state
with its own seed (:func:`sim.execution.warmup.branch`). The warm-up never leaves the process
that simulated it. It is deterministic given its seed, so a point run again (a resumed sweep's
missing replications) starts from the same state and gives the same records.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.execution.pool import describe_error
from sim.execution.runner import check_run_options
from sim.execution.warmup import branch, warm_up
from sim.model.model import MigrationModel
from sim.scenario.build import build_model
from sim.scenario.loading import scenario_from_dict
from sim.sweep.design import Design
from sim.sweep.outputs import Output, compute_all
from sim.sweep.paths import Mode, Target, apply
from sim.sweep.schema import Warmup


@dataclass(frozen=True)
class ModelSpec:
    """What a worker needs to run a design point of the model: the resolved base scenario
    data, each factor's target and mode, the run's ``days`` and ``scale``, and the outputs."""

    scenario: dict[str, Any]
    targets: dict[str, Target]
    modes: dict[str, Mode]
    days: int
    scale: float
    outputs: tuple[Output, ...]

    def scenario_data(self, values: dict[str, Any]) -> dict[str, Any]:
        """The scenario data of one design point."""
        return apply(self.scenario, self.targets, self.modes, values)


@dataclass(frozen=True)
class SweepTask:
    """One run: a design point, a replication, its seed and the point's factor values."""

    point: int
    replication: int
    seed: int
    values: dict[str, Any]
    model: ModelSpec | None = None

    @property
    def key(self) -> tuple[int, int]:
        """``(point, replication)``: the run's identity within its sweep."""
        return (self.point, self.replication)

    def __str__(self) -> str:
        return f"design point {self.point}, replication {self.replication} (seed {self.seed})"


@dataclass
class RunRecord:
    """What a run gives back: its outputs, or its error; its wall time and where it ran."""

    point: int
    replication: int
    seed: int
    values: dict[str, Any]
    outputs: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    wall_seconds: float = 0.0
    worker: str = ""

    @classmethod
    def done(cls, task: SweepTask, outputs: dict[str, float], wall_seconds: float) -> RunRecord:
        """The record of a task that ran, with its ``outputs``."""
        return cls(task.point, task.replication, task.seed, dict(task.values), outputs,
                   wall_seconds=wall_seconds, worker=worker_name())  # fmt: skip

    @classmethod
    def failed(cls, task: SweepTask, error: str, wall_seconds: float = 0.0) -> RunRecord:
        """The record of a task that failed with ``error``."""
        return cls(task.point, task.replication, task.seed, dict(task.values), error=error,
                   wall_seconds=wall_seconds, worker=worker_name())  # fmt: skip


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_model_task(task: SweepTask) -> RunRecord:
    """Run one design point and replication of a model sweep; never raises."""
    started = time.perf_counter()
    spec = task.model
    try:
        scenario = scenario_from_dict(spec.scenario_data(task.values))
        check_run_options(days=spec.days, scale=spec.scale)
        model = build_model(scenario, task.seed, spec.days, spec.scale, breakdowns=False)
        outputs = run_outputs(model, task)
    except Exception as error:  # a failed run is recorded, and the sweep goes on
        return RunRecord.failed(task, describe_error(error), time.perf_counter() - started)
    return RunRecord.done(task, outputs, time.perf_counter() - started)


def run_outputs(model: MigrationModel, task: SweepTask) -> dict[str, float]:
    """Run ``model`` (with ``task``'s seed) to its end; the sweep's outputs, from its daily
    table alone (the run's other tables are not needed)."""
    model.run()
    return compute_all(model.outcomes.daily_table(), list(task.model.outputs))


@dataclass(frozen=True)
class PointTask:
    """The replications of one design point to run from one shared warm-up, simulated with
    ``warmup_seed`` (replication 0's, whichever replications are to run)."""

    tasks: tuple[SweepTask, ...]
    warmup_seed: int

    def __str__(self) -> str:
        replications = ", ".join(str(task.replication) for task in self.tasks)
        return f"design point {self.tasks[0].point}, replications {replications}"


def run_model_point(unit: PointTask) -> list[RunRecord]:
    """Run a design point's replications from one shared warm-up; never raises. If the
    warm-up fails, every replication is recorded failed with its error. The first record's
    wall time includes the warm-up."""
    started = time.perf_counter()
    first = unit.tasks[0]
    spec = first.model
    try:
        scenario = scenario_from_dict(spec.scenario_data(first.values))
        warmed = warm_up(
            scenario, unit.warmup_seed, days=spec.days, scale=spec.scale, breakdowns=False
        )
    except Exception as error:  # the point fails, the sweep goes on
        text, wall = describe_error(error), time.perf_counter() - started
        return [RunRecord.failed(task, text, wall) for task in unit.tasks]
    records = []
    for task in unit.tasks:
        try:
            outputs = run_outputs(branch(warmed, task.seed), task)
        except Exception as error:  # a failed run is recorded, and the others go on
            record = RunRecord.failed(task, describe_error(error), time.perf_counter() - started)
        else:
            record = RunRecord.done(task, outputs, time.perf_counter() - started)
        records.append(record)
        started = time.perf_counter()
    return records


@dataclass
class Plan:
    """A sweep's runs: the design, ``replications`` per point with their ``seeds``, the output
    names, and for a model sweep its :class:`ModelSpec` (None for another task function)."""

    name: str
    design: Design
    replications: int
    seeds: list[int]
    outputs: list[str]
    model: ModelSpec | None = None
    warmup: Warmup = "per_run"

    @property
    def shares_warmup(self) -> bool:
        """Whether each design point's replications share one warm-up (a model sweep)."""
        return self.warmup == "shared" and self.model is not None

    @property
    def runs(self) -> int:
        """The number of runs: design points times replications."""
        return self.design.points * self.replications

    def tasks(self) -> list[SweepTask]:
        """One task per (design point, replication), point by point."""
        return [
            SweepTask(point, r, self.seeds[r], self.design.values(point), self.model)
            for point in range(self.design.points)
            for r in range(self.replications)
        ]

    def units(self, tasks: list[SweepTask]) -> list[SweepTask] | list[PointTask]:
        """The units of work that run ``tasks``: the tasks themselves, or with a shared
        warm-up one :class:`PointTask` per design point, in order."""
        if not self.shares_warmup:
            return tasks
        by_point: dict[int, list[SweepTask]] = {}
        for task in tasks:
            by_point.setdefault(task.point, []).append(task)
        return [PointTask(tuple(group), self.seeds[0]) for group in by_point.values()]

    def fingerprint(self) -> str:
        """SHA-256 of what the runs' results depend on: the design, seeds, outputs and model
        spec (a resumed sweep must have the same)."""
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.design.x, dtype=float).tobytes())
        described = {
            "factors": [f.__dict__ for f in self.design.factors],
            "design": self.design.spec.as_dict(),
            "seeds": self.seeds,
            "outputs": self.outputs,
            "model": None if self.model is None else _model_description(self.model),
        }
        if self.shares_warmup:  # only then, so that earlier sweeps' fingerprints stay valid
            described["warmup"] = self.warmup
        digest.update(json.dumps(described, sort_keys=True, default=str).encode("utf-8"))
        return digest.hexdigest()


def _model_description(model: ModelSpec) -> dict[str, Any]:
    return {
        "scenario": model.scenario,
        "targets": {name: t.text for name, t in model.targets.items()},
        "modes": model.modes,
        "days": model.days,
        "scale": model.scale,
        "outputs": [o.__dict__ for o in model.outputs],
    }
