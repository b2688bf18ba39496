"""``mixmig calibrate CONFIG.yaml``: fit free parameters to the targets with ABC-SMC.

The calibration file (:mod:`sim.calibration.config`) names the scenario, the free parameters
(by path, with their priors), the targets with their weights and the budget. The command runs
pyabc's ABC-SMC (:mod:`sim.calibration.inference`) with every evaluation's runs on the process
pool, each run kept in ``evaluations.jsonl`` as it finishes; ``--resume`` replays the
calibration from the start with the kept runs, so it ends with the same posterior as a
calibration that never stopped. At the end it writes the posterior, the fitted point, the fit
history, the validation table at the fitted point and the plots (:mod:`sim.calibration.results`).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.calibration.config import Calibration, load_calibration
from sim.calibration.evaluation import EvaluationSpec, EvaluationStore, Evaluator, values_key
from sim.calibration.inference import run_abc
from sim.calibration.measures import pool_measures
from sim.calibration.results import fitted_point, write_fit
from sim.calibration.targets import Target
from sim.errors import UserError
from sim.execution.batch import plan_differences, resume_command
from sim.execution.files import write_json_atomic
from sim.execution.folders import prepare_output
from sim.execution.interrupt import Interrupted, interruptible
from sim.execution.pool import default_workers, workers_note
from sim.execution.provenance import environment
from sim.execution.runner import replication_seeds


def _identity(calibration: Calibration) -> dict[str, Any]:
    """What decides the posterior; a folder is resumed only by the same calibration."""
    return {
        "command": "calibrate",
        "calibration": calibration.sha256,
        "scenario": calibration.scenario.sha256,
        "targets": hashlib.sha256(calibration.targets_file.read_bytes()).hexdigest(),
    }


def _manifest(calibration: Calibration, status: str, store: EvaluationStore, wall: float) -> dict:
    return {
        "command": "calibrate",
        "status": status,
        "plan": _identity(calibration),
        "calibration": {
            "path": str(calibration.path),
            "sha256": calibration.sha256,
            "content": calibration.text,
        },
        "scenario": {
            "path": str(calibration.scenario.path),
            "sha256": calibration.scenario.sha256,
            "resolved": calibration.scenario.to_dict(),
        },
        "days": calibration.days,
        "scale": calibration.scale,
        "evaluations": store.evaluations(),
        "runs": len(store.runs),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
        **environment(),
    }


def _observations(calibration: Calibration, evaluator: Evaluator) -> dict[str, Target]:
    """The targets with their observed values: the 2023 figures, or the model's own pooled
    outputs at the file's true values (``observed:``)."""
    targets = {t.target: t for t in calibration.targets}
    synthetic = calibration.model.observed
    if synthetic is None:
        return targets
    seeds = replication_seeds(synthetic.seed, calibration.model.seeds)
    truth = Evaluator(evaluator.spec, seeds, evaluator.store, evaluator.workers)
    simulated = truth.simulated(dict(synthetic.values))
    for name, value in simulated.items():
        if name in targets and not value == value:
            raise UserError(
                f"{calibration.path}: observed: the model gives no value for target {name} at "
                "the true values; leave it out of the synthetic calibration."
            )
    return {n: dataclasses.replace(t, observed=simulated[n]) for n, t in targets.items()}


def main(args: argparse.Namespace) -> int:
    """Calibrate, write the results; 128 + the signal's number if stopped by one."""
    calibration = load_calibration(args.config)
    model = calibration.model
    out = Path(args.out or Path("results") / "calibration" / model.name)
    note = workers_note(args.workers)
    if note:
        print(note, file=sys.stderr)
    workers = default_workers(10**6, args.workers)
    prepare_output(
        out,
        resume=bool(args.resume),
        force=bool(args.force),
        differs=lambda saved: plan_differences(saved.get("plan"), _identity(calibration)),
    )
    store = EvaluationStore(out)
    spec = EvaluationSpec.of(calibration)
    evaluator = Evaluator(spec, replication_seeds(model.seed, model.seeds), store, workers)
    again = resume_command(
        "calibrate", [str(args.config)], ["--out", str(out), "--resume"]
        + (["--workers", str(args.workers)] if args.workers else []),
    )  # fmt: skip
    started = time.perf_counter()
    with interruptible():
        try:
            write_json_atomic(out / "manifest.json", _manifest(calibration, "running", store, 0))
            observed = _observations(calibration, evaluator)
            fit = run_abc(
                evaluator,
                calibration.factors,
                observed,
                calibration.weights,
                population=model.budget.population,
                generations=model.budget.generations,
                evaluations=model.budget.evaluations,
                min_epsilon=model.budget.epsilon,
                seed=model.seed,
                database=out / "pyabc.db",
                batch=max(workers, 1),
                on_generation=lambda t: print(
                    f"generation {t}: {store.evaluations()} evaluations so far", file=sys.stderr
                ),
            )
            names = list(calibration.factors)
            point = fitted_point(fit.posterior, names)
            evaluator.simulated(point)
            measured = [observed.get(t.target, t) for t in spec.targets]
            table = pool_measures(store.measures(values_key(point), evaluator.seeds), measured)
            written = write_fit(
                out, fit, calibration.factors,
                {n: calibration.places[n].text for n in names}, dict(calibration.modes), table,
                {"method": "ABC-SMC (pyabc)", "file": str(calibration.path),
                 "seeds": model.seeds, "scale": calibration.scale, "days": calibration.days},
            )  # fmt: skip
            wall = time.perf_counter() - started
            write_json_atomic(
                out / "manifest.json", _manifest(calibration, "complete", store, wall)
            )
        except Interrupted as stop:
            wall = time.perf_counter() - started
            write_json_atomic(
                out / "manifest.json", _manifest(calibration, "interrupted", store, wall)
            )
            print(
                f"stopped by {stop.name}: {len(store.runs)} runs of {store.evaluations()} "
                f"evaluations are kept in {out}. Resume with:\n  {again}",
                file=sys.stderr,
            )
            return stop.exit_code
    shown = ", ".join(f"{k} = {v:.4g}" for k, v in written.items())
    within = table[table["target"].isin(list(calibration.weights))]["within"]
    print(f"fitted point (posterior median): {shown}")
    print(f"{int(within.sum())} of {len(within)} fitted targets within tolerance at that point")
    print(f"results in {out}")
    return 0
