"""Checks of a run's size before it starts: enough agents to mean something, and how long.

A scale so small that each origin sends out no agent gives tables of zeros that look like
results; a thousand seeds at full scale is hours of work. :func:`check_enough_agents` refuses
the first, naming the smallest sensible scale; :func:`estimate_seconds` gives the rough wall
time that the commands announce before a long run. Both count the people a scenario sets in
motion at its reference rates (``departure_rate``, with the scenario's overrides): the first
counts the departures over the horizon, the second those of the warm-up too
(``warmup_days``), which a run simulates before its first day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.errors import UserError
from sim.network import load_network
from sim.scenario.build import scenario_parameters
from sim.scenario.loading import Scenario

#: Fewest agents setting out from an average origin over the run for results to mean anything.
MIN_AGENTS_PER_ORIGIN = 3
#: Rough cost of one run in a worker: set-up seconds, and seconds per agent over a year
#: (docs/performance.md: the baseline year at scale 1, 664,000 people, takes about 5 s).
RUN_SETUP_SECONDS = 0.5
SECONDS_PER_AGENT = 8e-6
#: Runs estimated to take longer than this (seconds, all runs together) are announced.
LONG_RUN_SECONDS = 600


@dataclass(frozen=True)
class Size:
    """The people a scenario sets in motion over a horizon, in persons."""

    origins: int
    departures: float
    warmup_departures: float

    @property
    def people(self) -> float:
        """Everyone the run follows: those who set out in the warm-up and in the run."""
        return self.departures + self.warmup_departures


def scenario_size(scenario: Scenario, days: int) -> Size:
    """Departures of ``scenario`` over ``days`` and over its warm-up, in persons, at the
    reference rates (the yearly rate times the years)."""
    network = load_network(scenario.network_overrides() or None)
    params = scenario_parameters(scenario, network)
    rate = float(params.departure_rate.sum())
    origins = int((params.departure_rate > 0).sum())
    return Size(origins, rate * days / 365.0, rate * params.warmup_days / 365.0)


def _round_up(value: float) -> float:
    """``value`` rounded up to two significant figures."""
    if value <= 0:
        return value
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step - 1e-9) * step


def check_enough_agents(scenario: Scenario, days: int, scale: float, option: str) -> Size:
    """Raise a :class:`UserError` if ``scale`` leaves fewer than :data:`MIN_AGENTS_PER_ORIGIN`
    agents setting out from an average origin over ``days``; return the scenario's size.

    ``option`` names where the scale came from (``--scale`` or the file's ``scale:``).
    """
    size = scenario_size(scenario, days)
    if size.origins == 0 or size.departures == 0:
        return size  # nobody sets out by design: nothing to check
    per_origin = size.departures * scale / size.origins
    if per_origin >= MIN_AGENTS_PER_ORIGIN:
        return size
    smallest = min(1.0, _round_up(MIN_AGENTS_PER_ORIGIN * size.origins / size.departures))
    raise UserError(
        f"{option} {scale:g} is too small for {scenario.name} over {days} days: an average "
        f"origin would send out {per_origin:.2g} agents (fewer than {MIN_AGENTS_PER_ORIGIN}), "
        f"so the tables would be zeros and noise. The smallest sensible scale here is "
        f"{smallest:g} (one agent per {1 / smallest:,.0f} people); use 0.01 or more for "
        "figures to report."
    )


def estimate_seconds(sizes: Sequence[Size], scale: float, runs_each: int, workers: int) -> float:
    """Rough wall time of ``runs_each`` runs of each scenario (``sizes``) on ``workers``."""
    per_run = [RUN_SETUP_SECONDS + SECONDS_PER_AGENT * size.people * scale for size in sizes]
    return sum(per_run) * runs_each / max(1, workers)


def long_run_note(seconds: float, runs: int, workers: int) -> str | None:
    """A note announcing a run estimated to take more than :data:`LONG_RUN_SECONDS`."""
    if seconds <= LONG_RUN_SECONDS:
        return None
    span = f"{seconds / 3600:.1f} hours" if seconds >= 5400 else f"{seconds / 60:.0f} minutes"
    return (
        f"note: this is roughly {span} of work ({runs} runs on {workers} "
        f"{'process' if workers == 1 else 'processes'}). Each run is kept as it finishes: "
        "Ctrl-C stops cleanly and --resume continues; fewer --seeds or a smaller --scale "
        "is quicker."
    )
