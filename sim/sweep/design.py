"""The design of a sweep: which factor values each design point runs, sampled with SALib.

A :class:`Factor` is one uncertain input with its name and what it may take: a **range**
(continuous, with a distribution) or a list of **values** (discrete: numbers, switches or
words). :func:`sample_design` turns a list of factors and a :class:`DesignSpec` into a
:class:`Design`: the raw sample matrix ``x`` as the sampler drew it (one row per design point,
one column per factor) and, per point, the value each factor takes.

- ``grid``: every combination of the factors' levels (a list's values, or ``levels`` evenly
  spaced points of a range, ends included), the first factor varying slowest.
- ``lhs``, ``sobol``, ``morris`` and ``fast``: SALib's samplers (``SALib.sample.latin``,
  ``sobol`` (Saltelli's scheme on a scrambled Sobol' sequence), ``morris`` and
  ``fast_sampler``), seeded. A range factor is sampled in its distribution (SALib's ``dists``:
  uniform, log-uniform, triangular, truncated normal). A discrete factor with ``k`` values is
  sampled uniformly on ``[0, k)`` and takes the value at index ``floor(x)``: each value is
  equally likely, and its indices measure how much choosing among them matters.

Nothing here knows what a factor does to the model: that is :mod:`sim.sweep.paths`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from SALib.sample import fast_sampler, latin, morris, sobol

Method = Literal["grid", "lhs", "sobol", "morris", "fast"]
Distribution = Literal["uniform", "loguniform", "triangular", "normal"]
METHODS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris", "fast")
#: SALib's name for each distribution.
SALIB_DISTS: dict[str, str] = {
    "uniform": "unif",
    "loguniform": "logunif",
    "triangular": "triang",
    "normal": "truncnorm",
}


@dataclass(frozen=True)
class Factor:
    """One input a sweep varies: a ``range`` (``low``, ``high``) or a list of ``values``.

    ``distribution`` (ranges only) says how samplers draw it; ``peak`` is a triangular
    distribution's mode, ``mean`` and ``sd`` a normal distribution's (truncated to the range).
    ``levels`` is the number of grid points of a range. ``integer`` rounds sampled values to
    whole numbers (for keys that take integers).
    """

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None
    distribution: Distribution = "uniform"
    peak: float | None = None
    mean: float | None = None
    sd: float | None = None
    levels: int | None = None
    integer: bool = False

    @property
    def discrete(self) -> bool:
        """True for a list of values, False for a range."""
        return self.values is not None

    def salib_bounds(self) -> list[float]:
        """The factor's bounds as SALib's ``problem`` takes them for its distribution."""
        if self.discrete:
            return [0.0, float(len(self.values))]
        if self.distribution == "triangular":
            return [self.low, self.high, (self.peak - self.low) / (self.high - self.low)]
        if self.distribution == "normal":
            return [self.low, self.high, self.mean, self.sd]
        return [self.low, self.high]

    def salib_dist(self) -> str:
        """SALib's distribution name (discrete factors are uniform on their index range)."""
        return "unif" if self.discrete else SALIB_DISTS[self.distribution]

    def value_of(self, x: float) -> Any:
        """The value the factor takes at raw sample coordinate ``x``."""
        if self.discrete:
            index = min(max(int(math.floor(x)), 0), len(self.values) - 1)
            return self.values[index]
        return int(round(x)) if self.integer else float(x)

    def grid_levels(self) -> list[float]:
        """The raw coordinates of the grid levels (value indices for a list)."""
        if self.discrete:
            return [float(i) for i in range(len(self.values))]
        return [float(v) for v in np.linspace(self.low, self.high, self.levels)]


@dataclass(frozen=True)
class DesignSpec:
    """How to sample: the ``method``, the base number of ``samples`` (not for a grid) and the
    sampling ``seed``; ``second_order`` (Sobol: also pairwise indices), ``morris_levels`` (the
    Morris grid's levels) and ``fast_terms`` (FAST's interference parameter M)."""

    method: Method
    samples: int | None = None
    seed: int = 0
    second_order: bool = False
    morris_levels: int = 4
    fast_terms: int = 4

    def as_dict(self) -> dict[str, Any]:
        """The spec as plain data (for the manifest)."""
        return dict(self.__dict__)


@dataclass
class Design:
    """A sampled design: ``x`` (points x factors, raw coordinates) and the factors."""

    factors: list[Factor]
    spec: DesignSpec
    x: np.ndarray = field(repr=False)

    @property
    def points(self) -> int:
        """The number of design points."""
        return int(self.x.shape[0])

    def values(self, point: int) -> dict[str, Any]:
        """Factor name -> the value it takes at design ``point``."""
        return {f.name: f.value_of(self.x[point, j]) for j, f in enumerate(self.factors)}

    def problem(self) -> dict[str, Any]:
        """SALib's ``problem`` dictionary for these factors."""
        return salib_problem(self.factors)


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """SALib's ``problem``: names, bounds and distributions of the factors."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [f.salib_bounds() for f in factors],
        "dists": [f.salib_dist() for f in factors],
    }


def design_size(factors: list[Factor], spec: DesignSpec) -> int:
    """The number of design points ``spec`` gives for ``factors`` (without sampling)."""
    d = len(factors)
    if spec.method == "grid":
        return math.prod(len(f.values) if f.discrete else f.levels for f in factors)
    if spec.method == "sobol":
        return spec.samples * (2 * d + 2 if spec.second_order else d + 2)
    if spec.method == "morris":
        return spec.samples * (d + 1)
    if spec.method == "fast":
        return spec.samples * d
    return spec.samples


def sample_design(factors: list[Factor], spec: DesignSpec) -> Design:
    """Sample the design points of ``spec`` for ``factors`` (same inputs, same design)."""
    if spec.method == "grid":
        rows = list(itertools.product(*(f.grid_levels() for f in factors)))
        x = np.array(rows, dtype=float).reshape(len(rows), len(factors))
        return Design(factors, spec, x)
    problem = salib_problem(factors)
    if spec.method == "lhs":
        x = latin.sample(problem, spec.samples, seed=spec.seed)
    elif spec.method == "sobol":
        x = sobol.sample(problem, spec.samples, calc_second_order=spec.second_order, seed=spec.seed)
    elif spec.method == "morris":
        x = morris.sample(problem, spec.samples, num_levels=spec.morris_levels, seed=spec.seed)
    elif spec.method == "fast":
        x = fast_sampler.sample(problem, spec.samples, M=spec.fast_terms, seed=spec.seed)
    else:  # the sweep file's schema admits only METHODS
        raise ValueError(f"unknown design method {spec.method!r}")
    return Design(factors, spec, np.asarray(x, dtype=float))
