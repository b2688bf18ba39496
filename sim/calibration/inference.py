"""Approximate Bayesian computation with pyabc's ABC-SMC, run on our process pool.

The method is pyabc's (Klinger, Rickert and Hasenauer, 2018): sequential Monte Carlo over
generations of particles, each generation accepting the parameter sets whose distance to the
observations is below a threshold (epsilon) that shrinks from generation to generation (here
the median of the previous generation's distances), proposals drawn from a multivariate normal
kernel around the previous generation's particles, importance weights from the prior. The
result is a **posterior sample**: the last generation's particles and their weights.

What is ours is how evaluations are run. :class:`PoolSampler` is a pyabc sampler that keeps
pyabc's sequential logic exactly (the same particles, in the same order, as its single-core
sampler) while running the model on the process pool: it first lets pyabc propose a batch of
parameter sets without running anything (the model only records them), rewinds the random
state, runs the batch's evaluations on the pool (each run kept on disk as it finishes), and
then replays the batch with the results at hand. pyabc draws its proposals from numpy's global
random state, which is seeded once from the calibration's seed: the same file gives the same
posterior whatever the number of workers, and an interrupted calibration replayed with the
runs it kept (``--resume``) gives the same posterior as one that never stopped.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import Sampler

from sim.calibration.evaluation import Evaluator, distance
from sim.calibration.targets import Target
from sim.sweep.design import Factor

#: Epsilon of the first generation: high enough that every prior draw is accepted (pyabc's
#: default would spend a whole extra population on the prior to set it).
FIRST_EPSILON = 1e12
#: The quantile of a generation's distances that becomes the next threshold.
EPSILON_QUANTILE = 0.5


def prior_of(factor: Factor) -> pyabc.RV:
    """The pyabc random variable of a free parameter's prior (its range and distribution)."""
    low, high = float(factor.low), float(factor.high)
    if factor.distribution == "loguniform":
        return pyabc.RV("loguniform", low, high)
    if factor.distribution == "triangular":
        return pyabc.RV("triang", (factor.peak - low) / (high - low), loc=low, scale=high - low)
    if factor.distribution == "normal":
        a, b = (low - factor.mean) / factor.sd, (high - factor.mean) / factor.sd
        return pyabc.RV("truncnorm", a, b, loc=factor.mean, scale=factor.sd)
    return pyabc.RV("uniform", low, high - low)


class _Model:
    """The model pyabc calls: a parameter set in, the targets' simulated values out. While
    :meth:`recording`, it only notes the parameter sets and returns values that no threshold
    accepts."""

    def __init__(self, evaluator: Evaluator, names: list[str]) -> None:
        self.evaluator = evaluator
        self.names = names
        self.recorded: list[dict[str, float]] | None = None

    def values(self, parameters: dict[str, Any]) -> dict[str, float]:
        return {name: float(parameters[name]) for name in self.names}

    def __call__(self, parameters: dict[str, Any]) -> dict[str, float]:
        values = self.values(parameters)
        if self.recorded is not None:
            self.recorded.append(values)
            return {t.target: math.nan for t in self.evaluator.spec.targets}
        return self.evaluator.simulated(values)

    @contextmanager
    def recording(self):
        self.recorded = []
        try:
            yield self.recorded
        finally:
            self.recorded = None


class PoolSampler(Sampler):
    """pyabc's sequential sampling, with each batch's evaluations run on the process pool."""

    def __init__(self, model: _Model, batch: int, on_generation: Callable[[int], None]) -> None:
        super().__init__()
        self.model = model
        self.batch = batch
        self.on_generation = on_generation

    def sample_until_n_accepted(
        self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
    ):
        sample = self._create_empty_sample()
        evaluations = accepted = 0
        self.on_generation(t)
        while accepted < n and evaluations < max_eval:
            size = max(self.batch, n - accepted)
            if math.isfinite(max_eval):
                size = int(min(size, max_eval - evaluations))
            state = np.random.get_state()
            with self.model.recording() as proposed:
                for _ in range(size):
                    simulate_one()
            np.random.set_state(state)
            self.model.evaluator.evaluate(proposed, desc=f"generation {t}")
            for _ in range(size):
                particle = simulate_one()
                sample.append(particle)
                evaluations += 1
                accepted += int(particle.accepted)
                if accepted >= n:
                    break
        self.nr_evaluations_ = evaluations
        if sample.n_accepted < n:
            sample.ok = False
        return sample


@dataclass
class Fit:
    """What ABC-SMC found: the last generation's particles (``posterior``: a column per free
    parameter, ``weight`` and ``distance``), every generation's (``particles``, with
    ``generation``), and per generation its epsilon, particles, evaluations and effective
    sample size (``history``)."""

    posterior: Any
    particles: Any
    history: Any


def run_abc(
    evaluator: Evaluator,
    factors: dict[str, Factor],
    observed: dict[str, Target],
    weights: dict[str, float],
    population: int,
    generations: int,
    evaluations: int,
    min_epsilon: float,
    seed: int,
    database: Path,
    batch: int,
    on_generation: Callable[[int], None] = lambda t: None,
) -> Fit:
    """Run ABC-SMC from the start (runs kept by the evaluator's store are not run again)."""
    names = list(factors)
    model = _Model(evaluator, names)
    prior = pyabc.Distribution(**{name: prior_of(f) for name, f in factors.items()})

    def abc_distance(simulated: dict[str, float], _observed: dict[str, float]) -> float:
        if all(math.isnan(v) for v in simulated.values()):
            return math.inf  # a proposal being recorded: never accepted
        return distance(simulated, observed, weights)

    logging.getLogger("ABC").setLevel(logging.WARNING)  # our own progress instead
    np.random.seed(seed % 2**32)  # pyabc draws from numpy's global state: seed it, once
    abc = pyabc.ABCSMC(
        model,
        prior,
        abc_distance,
        population_size=population,
        eps=pyabc.QuantileEpsilon(initial_epsilon=FIRST_EPSILON, alpha=EPSILON_QUANTILE),
        sampler=PoolSampler(model, batch, on_generation),
    )
    if database.exists():
        database.unlink()  # replayed from the kept runs, so pyabc's own record starts anew
    abc.new(f"sqlite:///{database}", {name: t.observed for name, t in observed.items()})
    history = abc.run(
        minimum_epsilon=min_epsilon,
        max_nr_populations=generations,
        max_total_nr_simulations=evaluations,
    )
    return _fit(history, names)


def _fit(history: pyabc.History, names: list[str]) -> Fit:
    populations = history.get_all_populations()
    frames, rows = [], []
    for t in range(history.max_t + 1):
        particles = history.get_population(t).particles
        frame = pd.DataFrame([{n: float(p.parameter[n]) for n in names} for p in particles])
        frame["weight"] = np.array([p.weight for p in particles], float)
        frame["weight"] /= frame["weight"].sum()
        frame["distance"] = np.array([p.distance for p in particles], float)
        distances = frame["distance"].to_numpy()
        frame["generation"] = t
        frames.append(frame)
        step = populations[populations["t"] == t].iloc[0]
        rows.append({
            "generation": t,
            "epsilon": float(step["epsilon"]),
            "particles": len(frame),
            "evaluations": int(step["samples"]),
            "acceptance_rate": len(frame) / max(int(step["samples"]), 1),
            "effective_sample_size": float(1 / np.sum(np.square(frame["weight"]))),
            "median_distance": float(np.median(distances)),
        })  # fmt: skip
    particles = pd.concat(frames, ignore_index=True)
    posterior = frames[-1].drop(columns="generation").reset_index(drop=True)
    return Fit(posterior, particles, pd.DataFrame(rows))
