"""One run: a scenario and a seed, simulated in this process, its tables in persons.

:func:`simulate` is the one way a run happens (the command line, comparisons, the benchmark and
tests all go through it). A :class:`RunTask` names a run by its scenario *file*, so that a
process pool can send it to a worker, and :func:`run_task` is the top-level function a worker
runs for it (pass both to :func:`sim.execution.pool.run_tasks`). Tables are written by
:mod:`sim.execution.tables`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.model.model import MigrationModel
from sim.outputs.by_country import COUNTRY_STOCK_COLUMNS
from sim.outputs.counters import BREAKDOWN_COLUMNS, BREAKDOWN_MONTHLY_COLUMNS
from sim.scenario.build import build_model
from sim.scenario.loading import load_scenario


@dataclass
class RunResult:
    """The outputs of one run (see docs/architecture.md).

    ``leg_flows[k]`` is the persons who crossed leg ``leg_ids[k]`` over the run (the compiled
    network's leg order), so a result can be written without reloading the network;
    ``breakdown`` holds the split flows (deaths by segment, arrivals by nationality...),
    ``breakdown_monthly`` the same per calendar month, and ``country_stocks`` the people
    stranded and settled per transit country and day (``scenario, seed, day, date, country,
    metric, value``).
    """

    scenario: str
    seed: int
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    leg_flows: np.ndarray
    leg_ids: list[str]
    stats: dict[str, Any] = field(default_factory=dict)
    breakdown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BREAKDOWN_COLUMNS))
    country_stocks: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COUNTRY_STOCK_COLUMNS)
    )
    breakdown_monthly: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=BREAKDOWN_MONTHLY_COLUMNS)
    )


@dataclass(frozen=True)
class RunTask:
    """One run to do in a worker: the scenario file, the seed and the run options."""

    scenario_path: str
    seed: int
    days: int | None = None
    scale: float | None = None
    check: bool = False

    def __str__(self) -> str:
        return f"{self.scenario_path} (seed {self.seed})"


def run_task(task: RunTask) -> RunResult:
    """Load the task's scenario from its file and :func:`simulate` it, in this process.

    Top-level so that a "spawn" worker can import it; loading the scenario again in the worker
    is cheap next to a run.
    """
    scenario = load_scenario(task.scenario_path)
    return simulate(scenario, task.seed, days=task.days, scale=task.scale, check=task.check)


def replication_seeds(root_seed: int, n: int) -> list[int]:
    """The seeds of ``n`` replications, spawned from ``root_seed`` with ``SeedSequence``."""
    children = np.random.SeedSequence(int(root_seed)).spawn(int(n))
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


#: The largest root seed (the scenario schema's bound: numpy seeds are 32-bit here).
SEED_MAX = 2**32 - 1


def check_run_options(
    days: int | None = None,
    scale: float | None = None,
    seeds: int | None = None,
    seed: int | None = None,
) -> None:
    """Raise a :class:`UserError` for command-line values out of range (None = not given);
    the ranges are the scenario schema's."""
    if scale is not None and not (math.isfinite(scale) and 0 < scale <= 1):
        raise UserError(
            f"--scale must be more than 0 and at most 1 (agents per person; 0.01 is one "
            f"agent per 100 people), got {scale:g}."
        )
    if days is not None and not 1 <= days <= 3650:
        raise UserError(f"--days must be between 1 and 3650, got {days}.")
    if seeds is not None and not 1 <= seeds <= 1000:
        raise UserError(f"--seeds must be between 1 and 1000, got {seeds}.")
    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise UserError(f"--seed must be a whole number from 0 to {SEED_MAX}, got {seed}.")


def simulate(
    scenario: Any,
    seed: int,
    days: int | None = None,
    scale: float | None = None,
    check: bool = False,
) -> RunResult:
    """Run one seed of ``scenario`` (a loaded Scenario) to the end; return its tables in
    persons."""
    started = time.perf_counter()
    check_run_options(days=days, scale=scale)
    model = build_model(scenario, seed, days, scale, check)
    model.run()
    return run_result(model, scenario.name, time.perf_counter() - started)


def run_result(model: MigrationModel, name: str, wall_seconds: float) -> RunResult:
    """The tables of ``model``, run to its end, as the run of scenario ``name`` with the
    model's seed (``wall_seconds``: how long it took)."""
    seed = int(model.seed)
    return RunResult(
        scenario=name,
        seed=seed,
        timeseries=model.outcomes.timeseries_frame(name, seed),
        summary=model.outcomes.summary_frame(name, seed),
        breakdown=model.outcomes.breakdown_frame(name, seed),
        breakdown_monthly=model.outcomes.breakdown_monthly_frame(name, seed),
        leg_flows=model.leg_flows.copy(),
        leg_ids=list(model.net.leg_ids),
        country_stocks=model.country_stocks.frame(name, seed, model.start_date),
        stats={
            "wall_seconds": round(wall_seconds, 3),
            "people": int(round(len(model.population) / model.scale)),
            "agents": len(model.population),
            "agent_steps": int(model.agent_steps),
            "days": model.days,
            "warmup_days": model.warmup_days,
            "scale": model.scale,
        },
    )
