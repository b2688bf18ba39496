"""The cost of calibrating, for ``tools/bench.py`` (``make bench``; alone: ``--only calibration``).

An **evaluation** of a calibration is one set of values of its free parameters, run over seeds
and pooled (``sim/calibration/evaluation.py``). This measures one evaluation of the shipped
calibration file (``scenarios/calibration/baseline_2023.yaml``) with 10 seeds at the file's
scale and horizon (its scenario's year after the two-year warm-up) on 2 workers, through the
code ``calibrate`` runs (:class:`EvaluationSpec`, :class:`Evaluator`: the process pool, every
run kept in ``evaluations.jsonl`` as it finishes), at the median of every prior; and projects
the whole calibration from it: the budget's evaluations times the file's seeds, at the measured
seconds per run on 2 workers, plus the validation of the fitted point. With ``full`` the whole
calibration runs instead (``python run.py calibrate FILE --workers 2``), timed from outside.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.calibration.config import load_calibration
from sim.calibration.evaluation import EvaluationSpec, EvaluationStore, Evaluator
from sim.execution.runner import replication_seeds

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CALIBRATION = ROOT / "scenarios" / "calibration" / "baseline_2023.yaml"
EVALUATION_SEEDS = 10  # the "one calibration evaluation": 10 seeds
WORKERS = 2
TWO_HOURS = 7200.0  # seconds: a calibration of the shipped file on this 2-core machine


def _evaluate(path: Path, seeds: int, workers: int, folder: Path) -> float:
    """Wall seconds of one evaluation of ``path``'s model at its priors' medians, ``seeds``
    seeds on ``workers`` workers, as ``calibrate`` runs it (pool start-up included)."""
    calibration = load_calibration(path)
    spec = EvaluationSpec.of(calibration)
    values = {n: float(f.value_of(0.5)) for n, f in calibration.factors.items()}
    evaluator = Evaluator(
        spec, replication_seeds(calibration.model.seed, seeds), EvaluationStore(folder), workers
    )
    started = time.perf_counter()
    evaluator.evaluate([values], desc=f"one evaluation, {seeds} seeds")
    return time.perf_counter() - started


def _full(path: Path, workers: int, folder: Path) -> float:
    """Wall seconds of ``run.py calibrate`` on the whole file, from outside (its results are
    kept in ``folder``)."""
    command = [sys.executable, str(ROOT / "run.py"), "calibrate", str(path), "--workers",
               str(workers), "--out", str(folder), "--force"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"calibrate failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def measure(
    path: Path = DEFAULT_CALIBRATION, full: bool = False, out: Path | None = None
) -> dict[str, Any]:
    """One evaluation of 10 seeds on 2 workers, and the whole calibration (projected, or
    measured with ``full``, its results kept in ``out``)."""
    calibration = load_calibration(path)
    model = calibration.model
    with tempfile.TemporaryDirectory(prefix="bench-calibration-") as tmp:
        seconds = _evaluate(path, EVALUATION_SEEDS, WORKERS, Path(tmp))
        per_run = seconds / EVALUATION_SEEDS
        # The budget's evaluations, and the fitted point validated with the file's seeds.
        runs = (model.budget.evaluations + 1) * model.seeds
        result = {
            "file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
            "scale": calibration.scale,
            "days": calibration.days,
            "workers": WORKERS,
            "evaluation_seeds": EVALUATION_SEEDS,
            "evaluation_seconds": round(seconds, 2),
            "seconds_per_run": round(per_run, 3),
            "budget_evaluations": model.budget.evaluations,
            "budget_population": model.budget.population,
            "budget_generations": model.budget.generations,
            "file_seeds": model.seeds,
            "projected_runs": runs,
            "projected_seconds": round(runs * per_run, 3),
        }
        if full:
            folder = out if out is not None else Path(tmp) / "calibration"
            result["full_seconds"] = round(_full(path, WORKERS, folder), 1)
            result["full_results"] = str(folder)
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            result["full_evaluations"], result["full_runs"] = (
                manifest["evaluations"], manifest["runs"])  # fmt: skip
    return result


def calibration_rows(calibration: dict[str, Any] | None, row) -> list[dict]:
    """The measures of the cost of calibrating, for the targets table (``row`` builds one)."""
    if not calibration:
        return []
    size = f"{calibration['days']} days at scale {calibration['scale']:g}"
    rows = [
        row(f"One calibration evaluation: {calibration['evaluation_seeds']} seeds of "
            f"{calibration['file']} ({size} after the warm-up) on "
            f"{calibration['workers']} workers", calibration["evaluation_seconds"], "s"),
    ]  # fmt: skip
    budget = (f"{calibration['budget_evaluations']} evaluations of {calibration['file_seeds']} "
              f"seeds, {calibration['budget_generations']} generations of "
              f"{calibration['budget_population']}")  # fmt: skip
    projected = calibration["projected_seconds"]
    rows.append(
        row(f"Whole calibration of {calibration['file']} on {calibration['workers']} workers, "
            f"projected ({budget})", projected, "s", f"< {TWO_HOURS:,.0f}",
            projected < TWO_HOURS)
    )  # fmt: skip
    if "full_seconds" in calibration:
        full = calibration["full_seconds"]
        rows.append(
            row(f"Whole calibration of {calibration['file']} on {calibration['workers']} "
                f"workers, measured (`run.py calibrate`, {budget})", full, "s",
                f"< {TWO_HOURS:,.0f}", full < TWO_HOURS)
        )  # fmt: skip
    return rows


def calibration_section(calibration: dict[str, Any] | None) -> list[str]:
    """The page's section on the cost of calibrating."""
    if not calibration:
        return []
    c = calibration
    lines = ["", "## Calibration", "",
             f"One evaluation of `{c['file']}` (its free parameters at their priors' medians), "
             f"{c['evaluation_seeds']} seeds of {c['days']} days at scale {c['scale']:g}, each "
             f"after the scenario's warm-up, on {c['workers']} workers through the code "
             f"`calibrate` runs (the process pool, every run kept as it finishes): "
             f"{c['evaluation_seconds']:,.1f} s, {c['seconds_per_run']:.2f} s a run. The "
             f"file's budget is {c['budget_evaluations']} evaluations ({c['budget_generations']}"
             f" generations of {c['budget_population']} particles) of {c['file_seeds']} seeds, "
             f"and the fitted point is run once more: {c['projected_runs']} runs, "
             f"{c['projected_seconds']:,.0f} s projected at that pace (pyabc's own work and "
             "the results' figures left out)."]  # fmt: skip
    if "full_seconds" in c:
        lines.append(f"The whole calibration, `python run.py calibrate {c['file']} --workers "
                     f"{c['workers']}` timed from outside: "
                     f"{c['full_seconds']:,.0f} s.")  # fmt: skip
        if "full_runs" in c:
            ran = f"It ran {c['full_evaluations']} evaluations ({c['full_runs']} runs): "
            if c["full_evaluations"] >= c["budget_evaluations"]:
                why = (
                    "pyabc checks the budget before each generation, so the last one may "
                    "take it past its cap, and the projection is a lower bound."
                )
            else:
                why = (
                    "its last generation ended before the budget ran out (pyabc stops at "
                    "whichever comes first), and the projection, of the whole budget, is "
                    "an upper bound."
                )
            lines.append(ran + why)
    if "date" in c:
        lines.append(f"Measured {c['date']} (load average {c['load_average_start']} at the "
                     f"start, {c['load_average_end']} at the end; "
                     f"commit {c['commit']}).")  # fmt: skip
    return lines


def patch_page(page: str, calibration: dict[str, Any], rows: list[dict], number) -> str:
    """``docs/performance.md`` with the calibration's rows and section replaced (or added),
    the rest as the last full benchmark wrote it: for ``tools/bench.py --only calibration``."""
    lines = page.rstrip("\n").split("\n")
    own = ("One calibration evaluation:", "Whole calibration of ")
    kept = [line for line in lines if not line.startswith(tuple(f"| {o}" for o in own))]
    table_end = max(i for i, line in enumerate(kept) if line.startswith("| ")
                    and i < kept.index("## What is counted"))  # fmt: skip
    new_rows = []
    for row in rows:
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        value = f"{number(row['value'])} {row['unit']}".strip()
        new_rows.append(f"| {row['measure']} | {value} | {row['target']} | {met} |")
    kept[table_end + 1 : table_end + 1] = new_rows
    if "## Calibration" in kept:
        start = kept.index("## Calibration") - 1
        end = next((i for i in range(start + 2, len(kept)) if kept[i].startswith("## ")), None)
        del kept[start : end - 1 if end else len(kept)]
    before = kept.index("## How to read this") - 1
    kept[before:before] = calibration_section(calibration)
    return "\n".join(kept) + "\n"
