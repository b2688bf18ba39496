"""Evaluations: a set of free-parameter values run over the calibration's seeds, kept on disk.

An **evaluation** is one set of values of the free parameters. It is run as one task per seed
(:class:`RunOfEvaluation`, run by :func:`run_evaluation_task` in a worker): the values are
written into the scenario by their paths (:func:`sim.sweep.paths.apply`, the sweep's
machinery), the scenario is validated and simulated, and the run is reduced to its measures
(:func:`sim.calibration.measures.measure_run`), which is all that travels back.

:class:`EvaluationStore` keeps every run the moment it finishes, one JSON line appended (and
flushed to disk) to ``evaluations.jsonl``; an interrupted calibration reads the file back and
never runs a finished run again. Values are keyed by a hash of their exact decimal text, so the
same values give the same key in any process.

:func:`distance` is the calibration's distance between simulated and observed targets, in
tolerances: each target contributes its error divided by its tolerance, and the distance is the
weighted root mean square (so a distance of at most 1 on every target means every target is
within its tolerance).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.calibration.measures import measure_run, pool_measures, tables_of
from sim.calibration.targets import Target
from sim.errors import UserError
from sim.execution.pool import TaskError, run_tasks
from sim.execution.runner import simulate
from sim.scenario.loading import scenario_from_dict
from sim.sweep.paths import Mode, apply
from sim.sweep.paths import Target as PathTarget

if TYPE_CHECKING:
    from sim.calibration.config import Calibration

EVALUATIONS_FILE = "evaluations.jsonl"
#: What a target whose simulated value is not a number adds to the distance (in tolerances).
MISSING_PENALTY = 10.0


def values_key(values: dict[str, float]) -> str:
    """A short, stable key of a set of values (their exact decimal text, sorted by name)."""
    text = json.dumps({k: repr(float(v)) for k, v in sorted(values.items())})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class EvaluationSpec:
    """What a worker needs to run an evaluation's seed: the scenario data, where each free
    parameter goes and how (set or multiply), which are whole numbers, the targets, days and
    scale."""

    base: dict[str, Any]
    places: dict[str, PathTarget]
    modes: dict[str, Mode]
    integer: dict[str, bool]
    targets: tuple[Target, ...]
    days: int
    scale: float

    @classmethod
    def of(cls, calibration: Calibration) -> EvaluationSpec:
        """The evaluations of a loaded calibration file."""
        return cls(
            base=calibration.base,
            places=calibration.places,
            modes=calibration.modes,
            integer={n: f.integer for n, f in calibration.factors.items()},
            targets=calibration.all_targets,
            days=calibration.days,
            scale=calibration.scale,
        )

    def scenario_data(self, values: dict[str, float]) -> dict[str, Any]:
        """The scenario of one evaluation (integer keys rounded)."""
        shown = {k: int(round(v)) if self.integer[k] else float(v) for k, v in values.items()}
        return apply(self.base, self.places, self.modes, shown)


@dataclass(frozen=True)
class RunOfEvaluation:
    """One seed of one evaluation."""

    key: str
    values: dict[str, float]
    seed: int
    spec: EvaluationSpec

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.values.items())
        return f"evaluation {self.key} ({shown}), seed {self.seed}"


def run_evaluation_task(task: RunOfEvaluation) -> dict[str, Any]:
    """Run one seed of one evaluation (top-level, for spawned workers); its JSON record."""
    started = time.perf_counter()
    scenario = scenario_from_dict(task.spec.scenario_data(task.values))
    result = simulate(scenario, task.seed, days=task.spec.days, scale=task.spec.scale)
    return {
        "key": task.key,
        "values": task.values,
        "seed": task.seed,
        "measures": measure_run(tables_of(result), task.spec.targets),
        "wall_seconds": round(time.perf_counter() - started, 3),
    }


class EvaluationStore:
    """Every finished run of every evaluation, in ``folder/evaluations.jsonl``."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / EVALUATIONS_FILE
        self.runs: dict[tuple[str, int], dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short when the process was killed: run it again
                self.runs[(record["key"], int(record["seed"]))] = record

    def add(self, record: dict[str, Any]) -> None:
        """Keep one finished run: append it and flush it to disk before going on."""
        self.runs[(record["key"], int(record["seed"]))] = record
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def missing(self, key: str, seeds: Sequence[int]) -> list[int]:
        """The seeds of evaluation ``key`` not run yet."""
        return [s for s in seeds if (key, s) not in self.runs]

    def measures(self, key: str, seeds: Sequence[int]) -> list[dict[str, Any]]:
        """The measures of evaluation ``key``'s runs, in seed order."""
        return [self.runs[(key, s)]["measures"] for s in seeds]

    def evaluations(self) -> int:
        """How many distinct evaluations have at least one run kept."""
        return len({key for key, _ in self.runs})


class Evaluator:
    """Runs evaluations on the process pool through the store, and pools their measures."""

    def __init__(
        self, spec: EvaluationSpec, seeds: Sequence[int], store: EvaluationStore,
        workers: int | None,
    ) -> None:  # fmt: skip
        self.spec = spec
        self.seeds = list(seeds)
        self.store = store
        self.workers = workers

    def evaluate(self, value_sets: Sequence[dict[str, float]], desc: str = "runs") -> None:
        """Run every seed of ``value_sets`` not kept yet, keeping each as it finishes; a run
        that fails stops the calibration (what finished is kept; ``--resume`` goes on)."""
        tasks, planned = [], set()
        for values in value_sets:
            key = values_key(values)
            for seed in self.store.missing(key, self.seeds):
                if (key, seed) not in planned:
                    planned.add((key, seed))
                    tasks.append(RunOfEvaluation(key, dict(values), seed, self.spec))
        if not tasks:
            return

        def keep(_: int, result: dict[str, Any] | TaskError) -> None:
            if isinstance(result, TaskError):
                raise UserError(
                    f"a calibration run failed: {result}. The runs that finished are kept in "
                    f"{self.store.path}; fix the cause and resume with --resume."
                )
            self.store.add(result)

        run_tasks(tasks, run_evaluation_task, self.workers, desc=desc, on_result=keep,
                  keep_results=False)  # fmt: skip

    def simulated(self, values: dict[str, float]) -> dict[str, float]:
        """Each target's pooled simulated value at ``values`` (run now if not kept)."""
        key = values_key(values)
        if self.store.missing(key, self.seeds):
            self.evaluate([values])
        table = pool_measures(self.store.measures(key, self.seeds), self.spec.targets)
        return dict(zip(table["target"], table["simulated"].astype(float), strict=True))


def target_error(target: Target, simulated: float) -> float:
    """A target's error in tolerances (within the tolerance: at most 1 in size)."""
    if not math.isfinite(simulated):
        return MISSING_PENALTY
    if target.tolerance_kind == "at_least":
        return max(0.0, target.tolerance - simulated) / max(1.0 - target.tolerance, 1e-9)
    if target.tolerance_kind == "absolute":
        return (simulated - target.observed) / target.tolerance
    return (simulated / target.observed - 1.0) / target.tolerance


def distance(
    simulated: dict[str, float], observed: dict[str, Target], weights: dict[str, float]
) -> float:
    """The weighted root mean square of the targets' errors in tolerances."""
    total = sum(weights.values())
    squares = sum(w * target_error(observed[n], simulated[n]) ** 2 for n, w in weights.items())
    return math.sqrt(squares / total)
