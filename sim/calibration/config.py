"""Calibration files: the free parameters, the targets and their weights, the budget.

A calibration file (YAML, see docs/calibration.md)::

    name: baseline_2023
    scenario: ../baseline.yaml        # relative to this file
    scale: 0.05                       # agents per person of every run
    seeds: 10                         # runs (seeds) per evaluation; their measures are pooled
    seed: 2023                        # root of the seeds and of the sampler's random numbers
    parameters:                       # free parameters: sweep factors with a range (the prior)
      departures:
        path: parameters.departure_rate
        mode: multiply
        range: [0.5, 2.0]
        distribution: loguniform
    targets:                          # targets of sim/data/targets/targets_2023.csv: weight
      arrivals_central_med: 1
      interceptions_tunisia: 2
    budget:
      population: 40                  # particles per generation of ABC-SMC
      generations: 6                  # at most
      evaluations: 800                # at most, in all
      epsilon: 0.5                    # stop once the acceptance threshold is this low
    observed:                         # optional: synthetic observations, the model's own
      values: {departures: 1.3}       # pooled outputs at these values (tests, checks)

A free parameter is a sweep factor (:class:`sim.sweep.schema.FactorModel`: ``path``, ``mode``,
``range`` and ``distribution``), checked with the sweep's checks, so every path a sweep can vary
a calibration can fit. Its ``range`` and ``distribution`` are its prior.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from sim.calibration.targets import TARGETS_FILE, Target, load_targets
from sim.config.types import Float, Int, StrictModel, suggestion
from sim.errors import UserError
from sim.execution.runner import check_run_options
from sim.scenario.loading import Scenario, load_scenario, scenario_from_dict
from sim.scenario.schema import NAME_PATTERN
from sim.sweep.checks import check_factor
from sim.sweep.design import Factor
from sim.sweep.loading import SweepFile, _validation_error
from sim.sweep.paths import Mode
from sim.sweep.paths import Target as PathTarget
from sim.sweep.schema import FactorModel

CALIBRATION_KEYS = "`name:`, `scenario:`, `parameters:`, `targets:` and `budget:` " \
    "(docs/calibration.md)"  # fmt: skip


class BudgetModel(StrictModel):
    """How much the calibration may spend."""

    population: Int = Field(40, ge=4, le=10000)
    """Particles (accepted parameter sets) per generation of ABC-SMC."""

    generations: Int = Field(6, ge=1, le=100)
    """Generations at most."""

    evaluations: Int = Field(1000, ge=1, le=10_000_000)
    """Evaluations (parameter sets, each run over `seeds` seeds) at most, in all."""

    epsilon: Float = Field(0.0, ge=0)
    """Stop once the acceptance threshold (the distance, in tolerances) is at most this."""


class ObservedModel(StrictModel):
    """Synthetic observations: the model's own outputs at known parameter values."""

    values: dict[str, Float] = Field(min_length=1)
    """Free parameter -> its true value; the targets' observed values become the model's
    pooled outputs at these values (over the same number of seeds, from another root seed)."""

    seed: Int = Field(1, ge=0, le=2**32 - 1)
    """Root seed of the runs that make the observations."""


class CalibrationModel(StrictModel):
    """A calibration file."""

    name: str = Field(min_length=1, max_length=80, pattern=NAME_PATTERN)
    """Short name (the default result folder)."""

    description: str = ""
    """What is fitted, in plain words."""

    scenario: str = Field(min_length=1)
    """The scenario to fit, relative to this file."""

    days: Int | None = Field(default=None, ge=1, le=3650)
    """Days to simulate (default: the scenario's)."""

    scale: Float | None = Field(default=None, gt=0, le=1)
    """Agents per person of every run (default: the scenario's)."""

    seeds: Int = Field(10, ge=1, le=1000)
    """Runs per evaluation, with seeds derived from `seed`; every evaluation uses the same."""

    seed: Int = Field(0, ge=0, le=2**32 - 1)
    """Root seed of the runs' seeds and of the sampler."""

    parameters: dict[str, FactorModel] = Field(min_length=1)
    """Free parameter name -> where it goes and its prior (`range`, `distribution`)."""

    targets: dict[str, Float] = Field(min_length=1)
    """Target name (of `targets_file`) -> its weight in the distance."""

    targets_file: str | None = None
    """A targets file in the layout of sim/data/targets/targets_2023.csv, relative to this
    file (default: that file, the 2023 figures)."""

    budget: BudgetModel = BudgetModel()
    """The budget."""

    observed: ObservedModel | None = None
    """Synthetic observations instead of the 2023 figures (for checking the method)."""

    @field_validator("targets")
    @classmethod
    def _positive_weights(cls, targets: dict[str, float]) -> dict[str, float]:
        for name, weight in targets.items():
            if weight <= 0:
                raise ValueError(f"the weight of {name} must be above 0, got {weight:g}")
        return targets


@dataclass
class Calibration:
    """A checked calibration file: its model, the scenario data every evaluation starts from,
    the free parameters (as sweep factors, their targets and modes), the targets and weights."""

    path: Path
    text: str
    model: CalibrationModel
    scenario: Scenario
    base: dict[str, Any]
    factors: dict[str, Factor]
    places: dict[str, PathTarget]
    modes: dict[str, Mode]
    targets: tuple[Target, ...]
    weights: dict[str, float]
    targets_file: Path
    all_targets: tuple[Target, ...]

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def days(self) -> int:
        """Days of every run."""
        return int(self.base["days"])

    @property
    def scale(self) -> float:
        """Agents per person of every run."""
        return float(self.base["scale"])


def load_calibration(path: str | Path) -> Calibration:
    """Read and check a calibration file; every problem is one :class:`UserError` naming the
    file, line and key."""
    source = SweepFile(Path(path), "calibration file", CALIBRATION_KEYS)
    try:
        model = CalibrationModel.model_validate(source.data)
    except ValidationError as err:
        raise _validation_error(source, err) from None
    check_run_options(days=model.days, scale=model.scale)
    scenario_path = source.path.parent / model.scenario
    if not scenario_path.is_file():
        raise source.error(("scenario",), f"scenario '{model.scenario}' not found (looked for "
                           f"{scenario_path}); the path is relative to this file")  # fmt: skip
    try:
        scenario = load_scenario(scenario_path)
    except UserError as err:
        raise source.error(("scenario",), f"the scenario has a problem: {err}") from None
    base = {
        **scenario.to_dict(),
        "days": model.days or scenario.days,
        "scale": model.scale or scenario.scale,
    }
    scenario_from_dict(base)
    factors, places, modes = {}, {}, {}
    for name, factor in model.parameters.items():
        if factor.range is None:
            raise source.error(
                ("parameters", name, "values"),
                "a free parameter takes a `range` (its prior's bounds), not a list of values",
            )
        built, place = check_factor(source, name, factor, "lhs", base, section="parameters")
        factors[name], places[name], modes[name] = built, place, factor.mode
    targets_file = TARGETS_FILE
    if model.targets_file is not None:
        targets_file = source.path.parent / model.targets_file
        if not targets_file.is_file():
            raise source.error(
                ("targets_file",),
                f"'{model.targets_file}' not found (looked for {targets_file}); the path is "
                "relative to this file",
            )
    known = {t.target: t for t in load_targets(targets_file)}
    for name in model.targets:
        if name not in known:
            raise source.error(("targets", name), f"'{name}' is not a target of {targets_file.name}"
                               + suggestion(name, known, noun="targets"))  # fmt: skip
    if model.observed is not None:
        for name in model.observed.values:
            if name not in model.parameters:
                raise source.error(
                    ("observed", "values", name),
                    f"'{name}' is not a free parameter"
                    + suggestion(name, model.parameters, noun="parameters"),
                )
        missing = [n for n in model.parameters if n not in model.observed.values]
        if missing:
            raise source.error(("observed", "values"),
                               f"give the true value of every free parameter; missing: "
                               f"{', '.join(missing)}")  # fmt: skip
    return Calibration(
        path=Path(path),
        text=source.text,
        model=model,
        scenario=scenario,
        base=base,
        factors=factors,
        places=places,
        modes=modes,
        targets=tuple(known[name] for name in model.targets),
        weights=dict(model.targets),
        targets_file=targets_file,
        all_targets=tuple(known.values()),
    )
