"""The schema of a sweep file, as pydantic models (docs/sweeps.md describes every key).

These models check each key's type and range on its own; what depends on the base scenario
(factor paths, whether a value is valid where it goes, output windows inside the run) is
checked by :mod:`sim.sweep.loading`, which also turns every problem into one paragraph naming
the file, line and key.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.config.types import Bool, Float, Int, StrictModel
from sim.scenario.schema import NAME_PATTERN

#: A factor's name: a column of runs.parquet.
FACTOR_NAME = r"^[A-Za-z_][A-Za-z0-9_.]*$"
#: Column names of runs.parquet that factors and outputs cannot take.
RESERVED = ("point", "replication", "seed", "error")
#: How a design point's replications get their warm-up: each its own (`per_run`), or one
#: simulated once per point and continued by every replication with its own seed (`shared`).
Warmup = Literal["per_run", "shared"]


class FactorModel(StrictModel):
    """One factor: where its value goes, and the values it takes (a range or a list)."""

    path: str = Field(min_length=1)
    """Where the value goes in the scenario, keys separated by dots:
    `parameters.<name>` or `parameters.<name>.<id>`, `policies.<block id>.<key>` (the block's
    `enabled` switches it on or off), `network.legs.<leg id>.<key>`."""

    range: list[Float] | None = Field(default=None, min_length=2, max_length=2)
    """`[low, high]`: a continuous factor between two numbers."""

    values: list[Any] | None = Field(default=None, min_length=1)
    """A list of values (numbers, `true`/`false`, or words) the factor takes."""

    distribution: Literal["uniform", "loguniform", "triangular", "normal"] = "uniform"
    """How samplers draw a range: `uniform`, `loguniform` (low > 0), `triangular` (give
    `peak`), or `normal` (give `mean` and `sd`; truncated to the range)."""

    peak: Float | None = None
    """The mode of a triangular distribution, inside the range."""

    mean: Float | None = None
    """The mean of a normal distribution (before truncation to the range)."""

    sd: Float | None = Field(default=None, gt=0)
    """The standard deviation of a normal distribution (before truncation)."""

    levels: Int | None = Field(default=None, ge=2, le=1000)
    """Grid design: the number of evenly spaced values of a range, its ends included."""

    mode: Literal["set", "multiply"] = "set"
    """`set`: the value replaces the scenario's; `multiply`: it multiplies it (for a keyed
    parameter without an id, every id's value)."""

    @field_validator("values")
    @classmethod
    def _scalars(cls, values: list[Any] | None) -> list[Any] | None:
        if values is None:
            return values
        for item in values:
            if isinstance(item, float) and not math.isfinite(item):
                raise PydanticCustomError("value_kind", "{item} is not a finite number",
                                          {"item": item})  # fmt: skip
            if not isinstance(item, bool | int | float | str):
                raise PydanticCustomError(
                    "value_kind",
                    "each value must be a number, true/false or a word, found {kind}",
                    {"kind": "a list" if isinstance(item, list) else "a mapping or nothing"},
                )
        kinds = {_value_kind(item) for item in values}
        if len(kinds) > 1:
            raise PydanticCustomError(
                "value_kind",
                "the values mix {kinds}; give values of one kind (all numbers, all true/false "
                "or all words)",
                {"kinds": " and ".join(sorted(kinds))},
            )
        if len(set(map(repr, values))) < len(values):
            raise PydanticCustomError("duplicate_value", "a value is listed twice", {})
        return values

    @model_validator(mode="after")
    def _consistent(self) -> FactorModel:
        if (self.range is None) == (self.values is None):
            problem = "both are given" if self.range is not None else "neither is given"
            raise PydanticCustomError(
                "exactly_one", "give exactly one of `range` or `values`; {problem}",
                {"problem": problem},
            )  # fmt: skip
        if self.range is not None and not self.range[0] < self.range[1]:
            raise PydanticCustomError(
                "bad_range", "range [{low}, {high}]: the first number must be below the second",
                {"low": self.range[0], "high": self.range[1]},
            )  # fmt: skip
        needs = {"triangular": ("peak",), "normal": ("mean", "sd")}.get(self.distribution, ())
        for key in ("peak", "mean", "sd"):
            given = getattr(self, key) is not None
            if given and key not in needs:
                raise PydanticCustomError(
                    "unused_key", "`{key}` is only for a {which} distribution",
                    {"key": key, "which": "triangular" if key == "peak" else "normal"},
                )  # fmt: skip
            if not given and key in needs and self.range is not None:
                raise PydanticCustomError(
                    "missing_key", "a {dist} distribution needs `{key}`",
                    {"dist": self.distribution, "key": key},
                )  # fmt: skip
        return self


def _value_kind(item: Any) -> str:
    if isinstance(item, bool):
        return "true/false"
    return "numbers" if isinstance(item, int | float) else "words"


class DesignModel(StrictModel):
    """How design points are chosen."""

    method: Literal["grid", "lhs", "sobol", "morris", "fast"]
    """`grid` (every combination of levels), `lhs` (Latin hypercube), `sobol` (Saltelli's
    scheme for Sobol' indices), `morris` (elementary effects), `fast` (Fourier amplitude)."""

    samples: Int | None = Field(default=None, ge=1, le=1_000_000)
    """Base sample size (not for `grid`): `lhs` points; `sobol` N (a power of 2), giving
    N x (factors + 2) points, or N x (2 x factors + 2) with `second_order`; `morris`
    trajectories, giving N x (factors + 1) points; `fast` points per factor (more than
    4 x fast_terms²)."""

    seed: Int = Field(0, ge=0, le=2**32 - 1)
    """Seed of the sampler (the same seed gives the same design)."""

    second_order: Bool = False
    """Sobol: also estimate second-order (pairwise) indices."""

    morris_levels: Int = Field(4, ge=2, le=100)
    """Morris: the number of levels of the grid trajectories move on (even)."""

    fast_terms: Int = Field(4, ge=1, le=32)
    """FAST: the interference parameter M (the number of harmonics summed)."""


class OutputModel(StrictModel):
    """One or more outputs: metrics on routes over a window, one number per run each."""

    metric: str | list[str]
    """A metric of docs/model.md's table, or `deaths_per_1000_attempts`; or a list of them."""

    route: str | list[str] = "all"
    """A route id or `all`; or a list of them."""

    window: list[date] | None = Field(default=None, min_length=2, max_length=2)
    """`[first day, last day]` (YYYY-MM-DD, inclusive) inside the run; default: the run."""

    statistic: Literal["total", "mean", "end", "max", "min"] | None = None
    """Over the window: `total` (flows' default, and the only one for ratios: the ratio of
    totals), `end` (stocks' default: the level on the last day), or the daily `mean`, `max`,
    `min`."""

    name: str | None = Field(default=None, pattern=FACTOR_NAME)
    """Column name in runs.parquet; default `<metric>.<route>` (with the window's dates when
    a window is given). Only for a single metric and route."""


class SweepModel(StrictModel):
    """A sweep: the base scenario, its factors, the design, replications and outputs."""

    name: str = Field(min_length=1, max_length=80, pattern=NAME_PATTERN)
    """Short name, used for the result folder (letters, digits, `_`, `-`, `.`)."""

    description: str = ""
    """What the sweep asks, in plain words."""

    scenario: str = Field(min_length=1)
    """The base scenario file, relative to this file; every design point changes only what
    its factors set."""

    days: Int | None = Field(default=None, ge=1, le=3650)
    """Days to simulate (default: the scenario's)."""

    scale: Float | None = Field(default=None, gt=0, le=1)
    """Agents per person (default: the scenario's)."""

    seed: Int | None = Field(default=None, ge=0, le=2**32 - 1)
    """Root seed of the replications (default: the scenario's `seed`)."""

    replications: Int = Field(1, ge=1, le=1000)
    """Runs per design point, with seeds derived from `seed`; replication r has the same seed
    at every point (paired)."""

    warmup: Warmup = "per_run"
    """`per_run` (default): every replication simulates its own warm-up. `shared`: each design
    point's warm-up is simulated once, with replication 0's seed, and every replication goes
    on from its state on the start date with its own seed (faster; the replications' spread
    then leaves out how the warm-up itself varies)."""

    factors: dict[str, FactorModel] = Field(min_length=1)
    """Factor name (a column of runs.parquet) -> the factor."""

    design: DesignModel
    """How design points are chosen."""

    outputs: list[OutputModel] = Field(min_length=1)
    """What to record of each run."""

    @field_validator("factors")
    @classmethod
    def _factor_names(cls, factors: dict[str, FactorModel]) -> dict[str, FactorModel]:
        for name in factors:
            if not isinstance(name, str) or not _matches(name):
                raise PydanticCustomError(
                    "factor_name",
                    "factor name '{name}' must start with a letter or `_` and hold only "
                    "letters, digits, `_` and `.`; it is a column of runs.parquet",
                    {"name": name},
                )
            if name in RESERVED:
                raise PydanticCustomError(
                    "factor_name", "factor name '{name}' is taken by a column of runs.parquet "
                    "({reserved}); choose another", {"name": name, "reserved": ", ".join(RESERVED)},
                )  # fmt: skip
        return factors


def _matches(name: str) -> bool:
    return re.fullmatch(FACTOR_NAME, name) is not None


def sweep_json_schema() -> dict[str, Any]:
    """The JSON schema of a sweep file (for error messages' valid ranges)."""
    return SweepModel.model_json_schema()
