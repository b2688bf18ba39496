"""Posterior draws for what-ifs: every scenario run over parameter sets drawn from a fit.

``compare --posterior FILE --draws N`` reads a calibration's ``posterior.parquet`` (and the
``fitted.yaml`` beside it, which says where each free parameter goes), draws N parameter sets
with probability proportional to their weights (a seeded draw: the same root seed gives the
same draws), and runs each scenario once per draw and seed. Run ``j`` of every scenario has
draw ``j // seeds`` and the ``j``-th replication seed, so runs are paired across scenarios by
draw and seed, and the report's intervals include parameter uncertainty.

:class:`PosteriorTask` is a :class:`~sim.execution.runner.RunTask` with the draw's values;
:func:`run_posterior_task` (top-level, for spawned workers) writes them into the scenario by
their paths (:mod:`sim.sweep.paths`) and simulates it.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.config.types import default_network
from sim.errors import UserError
from sim.execution.runner import RunResult, RunTask, simulate
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.sweep.paths import PathError, apply, resolve


@dataclass(frozen=True)
class PosteriorTask(RunTask):
    """A run with one posterior draw: ``values`` are ``(path, mode, value)`` triples."""

    draw: int = 0
    values: tuple[tuple[str, str, float], ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.scenario_path} (draw {self.draw}, seed {self.seed})"


def with_values(data: dict[str, Any], values: tuple[tuple[str, str, float], ...]) -> dict:
    """Scenario data with each ``(path, mode, value)`` written in."""
    network = default_network()
    targets = {path: resolve(path, data, network) for path, _, _ in values}
    modes = {path: mode for path, mode, _ in values}
    shown = {
        path: int(round(v)) if targets[path].kind == "integer" else float(v)
        for path, _, v in values
    }
    return apply(data, targets, modes, shown)


def run_posterior_task(task: PosteriorTask) -> RunResult:
    """Load the scenario, write the draw's values in, simulate (top-level, for workers)."""
    scenario = load_scenario(task.scenario_path)
    drawn = scenario_from_dict(with_values(scenario.to_dict(), task.values))
    return simulate(drawn, task.seed, days=task.days, scale=task.scale, check=task.check)


@dataclass
class PosteriorDraws:
    """N parameter sets drawn from a posterior: per draw, ``(path, mode, value)`` triples."""

    path: Path
    sha256: str
    draws: list[tuple[tuple[str, str, float], ...]]
    rows: list[int]

    def describe(self) -> dict[str, Any]:
        """For the manifest: the file, its hash, the rows drawn and their values."""
        return {
            "file": str(self.path),
            "sha256": self.sha256,
            "draws": len(self.draws),
            "rows": self.rows,
            "values": [[list(v) for v in draw] for draw in self.draws],
        }


def draw_posterior(path: str | Path, n: int, root_seed: int) -> PosteriorDraws:
    """Draw ``n`` parameter sets from ``path`` (a calibration's posterior.parquet) with
    probability proportional to their weights; every problem is a :class:`UserError`."""
    path = Path(path)
    if not 1 <= n <= 1000:
        raise UserError(f"--draws must be between 1 and 1000, got {n}.")
    fitted_file = path.parent / "fitted.yaml"
    try:
        posterior = pd.read_parquet(path)
        fitted = yaml.safe_load(fitted_file.read_text(encoding="utf-8"))["fitted_point"]
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as error:
        raise UserError(
            f"--posterior {path}: cannot read a calibration's posterior there ({error}); give "
            "the posterior.parquet of a `calibrate` folder, with its fitted.yaml beside it."
        ) from None
    names = [n for n in fitted if n in posterior.columns]
    if not names or "weight" not in posterior.columns or posterior.empty:
        raise UserError(
            f"--posterior {path}: it has no weighted draws of the parameters that "
            f"{fitted_file.name} names."
        )
    weights = posterior["weight"].to_numpy(float)
    rng = np.random.default_rng([int(root_seed), zlib.crc32(b"posterior")])
    rows = rng.choice(len(posterior), size=n, replace=True, p=weights / weights.sum())
    draws = [
        tuple(
            (str(fitted[name]["path"]), str(fitted[name]["mode"]), float(posterior[name].iloc[r]))
            for name in names
        )
        for r in rows
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return PosteriorDraws(path, digest, draws, [int(r) for r in rows])


def check_draws(scenario: Any, draws: PosteriorDraws) -> None:
    """Every draw must give a valid version of ``scenario`` (paths and ranges)."""
    data = scenario.to_dict()
    for k, draw in enumerate(draws.draws):
        try:
            scenario_from_dict(with_values(data, draw))
        except (PathError, UserError) as error:
            raise UserError(
                f"--posterior {draws.path}: draw {k} does not fit scenario {scenario.path}: {error}"
            ) from None
