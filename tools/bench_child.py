"""One measured model run, in the process :func:`bench.run_child` starts and times from outside:
``python tools/bench_child.py KIND --scenario FILE --seed N --days D --scale X`` prints the
measure (:func:`measure_run`) as one line of JSON.

This module imports only what a run needs (the engine, or the per-agent reference), so the
whole-process time the benchmark reports is the time of a run as a user waits for it, not of
the benchmark's own imports (its sweep, calibration and view measures load SALib, pyabc and
more, about a second).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.model.model import MigrationModel
from sim.scenario.build import build_model
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("engine", "engine_cold", "reference")


def _current_rss_bytes() -> int:
    """Resident memory of this process now (Linux), else its peak so far."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _peak_rss_bytes()


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)


@dataclasses.dataclass
class TimedStage:
    """A stage of the model's day that adds its wall time to ``seconds[name]``."""

    name: str
    stage: Any
    seconds: dict[str, float]

    def run(self) -> None:
        started = time.perf_counter()
        try:
            self.stage.run()
        finally:
            self.seconds[self.name] = self.seconds.get(self.name, 0.0) + (
                time.perf_counter() - started
            )


def _instrument(model: Any) -> tuple[dict[str, float], Callable[[], int]]:
    """Time the model's stages (``model.step()`` runs ``stage.run()`` for each stage of
    ``model.stages``); return the seconds per stage and a function giving the people who
    acted so far (``model.people_events``)."""
    seconds: dict[str, float] = {}
    model.stages = [TimedStage(stage.name, stage, seconds) for stage in model.stages]
    return seconds, lambda: int(model.people_events)


def _builder(kind: str, scenario: Any, seed: int, days: int, scale: float) -> Callable:
    """A function that builds the model to measure: the engine as a run builds it (``engine``,
    its warm-up included); or, to compare the two implementations of the same rules, the engine
    (``engine_cold``) or the per-agent reference (``reference``) without a warm-up, both from
    an empty network (the reference would take hours to step a warm-up at scale 1). Those two
    take the network and parameters of a tiny engine model of the same scenario, and its
    policy blocks that the reference can run (``runs_policy``: not the baseline's resettlement
    block, a legal pathway)."""
    if kind == "engine":
        return lambda: build_model(scenario, seed, days, scale)
    # Only the reference's process pays for importing it (the engine's whole-process time is
    # a measure here).
    sys.path.insert(0, str(ROOT / "tests"))
    from reference import ReferenceModel, runs_policy

    from sim.policies import build_policies

    inputs = build_model(scenario, seed, days=1, scale=0.001)
    net, params = inputs.net, dataclasses.replace(inputs.params, warmup_days=0)
    model_class = MigrationModel if kind == "engine_cold" else ReferenceModel
    return lambda: model_class(
        net,
        params,
        seed=seed,
        days=days,
        scale=scale,
        start_date=scenario.start_date,
        policies=[p for p in build_policies(scenario, net) if runs_policy(p.config)],
    )


def measure_run(kind: str, scenario_path: str, seed: int, days: int, scale: float) -> dict:
    """Build and run one model of ``kind`` (see :func:`_builder`) in this process."""
    scenario = load_scenario(scenario_path)
    build = _builder(kind, scenario, seed, days, scale)
    gc.collect()
    rss_before = _current_rss_bytes()
    started = time.perf_counter()
    model = build()
    timed = kind != "reference"
    stage_seconds, people_events = _instrument(model) if timed else ({}, lambda: None)
    set_up, cpu_started = time.perf_counter(), time.process_time()
    model.run()
    finished, cpu_seconds = time.perf_counter(), time.process_time() - cpu_started
    peak_growth = _peak_rss_bytes() - rss_before
    agents = len(model.population)
    return {
        "kind": kind,
        "days": days,
        "warmup_days": model.warmup_days,
        "scale": scale,
        "setup_seconds": round(set_up - started, 3),
        "run_seconds": round(finished - set_up, 3),
        "run_cpu_seconds": round(cpu_seconds, 3),
        "agents": agents,
        "people": round(agents / scale),
        "agent_steps": int(model.agent_steps),
        "people_events": people_events(),
        "peak_rss_growth_bytes": peak_growth,
        "peak_bytes_per_person": peak_growth / agents,
        "process_peak_rss_bytes": _peak_rss_bytes(),
        "population_bytes_per_person": model.population.nbytes / agents,
        "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Measure one run (see the module docstring) and print it as JSON."""
    parser = argparse.ArgumentParser(prog="python tools/bench_child.py")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--days", type=int, required=True)
    parser.add_argument("--scale", type=float, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(measure_run(args.kind, args.scenario, args.seed, args.days, args.scale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
