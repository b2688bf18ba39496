"""A sweep folder's ``manifest.json``: what was asked, what ran, with which code.

The manifest is written when a sweep starts (``status: running``) and rewritten when it stops:
``complete``, or ``interrupted`` (Ctrl-C, a termination signal, a lost cluster) with the runs
finished so far. It holds the plan's fingerprint (:meth:`sim.sweep.tasks.Plan.fingerprint`):
``--resume`` only continues a folder whose fingerprint is the plan's, so the runs it adds belong
to the same design, seeds, outputs and base scenario. :func:`open_folder` makes those checks.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.execution.files import write_json_atomic
from sim.execution.provenance import environment
from sim.sweep.tasks import Plan

MANIFEST = "manifest.json"
#: Failures listed in the manifest (all are in runs.parquet).
LISTED_FAILURES = 50


def open_folder(folder: Path, plan: Plan, resume: bool) -> dict[str, Any] | None:
    """Check that ``folder`` can take this sweep; return the earlier manifest when resuming.

    A new sweep needs a folder that holds no sweep; ``resume`` needs one that holds this very
    sweep (same fingerprint).
    """
    path = folder / MANIFEST
    started = path.is_file() or (folder / "parts").is_dir() or (folder / "runs.parquet").exists()
    if not resume:
        if started:
            raise UserError(
                f"--out {folder}: this folder already holds a sweep; add --resume to finish "
                "it (only missing or failed runs are run), or give another --out."
            )
        return None
    if not path.is_file():
        raise UserError(
            f"--resume: {folder} holds no sweep (no {MANIFEST}); give the --out folder of the "
            "sweep to finish, or leave out --resume to start one."
        )
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(f"--resume: {path} cannot be read ({err}).") from None
    if previous.get("fingerprint") != plan.fingerprint():
        raise UserError(
            f"--resume: {folder} was started from a different sweep (its design, seeds, "
            "outputs or base scenario differ from this sweep file with these options: "
            f"sweep file hash then {str(previous.get('sweep', {}).get('sha256'))[:12]}, now "
            "see the new manifest). Resume with the same sweep file and options, or give "
            "another --out."
        )
    return previous


def factor_record(plan: Plan) -> list[dict[str, Any]]:
    """Each factor as the manifest lists it: its name, path, mode and what it takes."""
    model = plan.model
    records = []
    for factor in plan.design.factors:
        record = {k: v for k, v in factor.__dict__.items() if v is not None}
        if "values" in record:
            record["values"] = list(record["values"])
        if model is not None:
            record["path"] = model.targets[factor.name].text
            record["mode"] = model.modes[factor.name]
        records.append(record)
    return records


def write_manifest(
    folder: Path,
    plan: Plan,
    status: str,
    *,
    sweep: dict[str, Any] | None = None,
    backend: dict[str, Any] | None = None,
    counts: dict[str, int] | None = None,
    failed: list[str] | None = None,
    notes: list[str] | None = None,
    started: float | None = None,
    previous: dict[str, Any] | None = None,
) -> Path:
    """Write ``manifest.json`` for ``plan`` with its ``status`` and what is known so far."""
    model = plan.model
    wall = round(time.time() - started, 3) if started is not None else None
    earlier = (previous or {}).get("sessions", [])
    data = {
        "command": "sweep",
        "name": plan.name,
        "status": status,
        "fingerprint": plan.fingerprint(),
        "sweep": sweep,
        "design": {
            **plan.design.spec.as_dict(),
            "points": plan.design.points,
            "factors": factor_record(plan),
        },
        "replications": plan.replications,
        "warmup": plan.warmup,
        "seeds": plan.seeds,
        "runs": plan.runs,
        "outputs": plan.outputs,
        "output_definitions": [o.__dict__ for o in model.outputs] if model else None,
        "counts": counts or {},
        "failed": (failed or [])[:LISTED_FAILURES],
        "analysis_notes": notes or [],
        "sessions": [*earlier, {"backend": backend, "wall_seconds": wall, "status": status}],
        **environment(),
    }
    return write_json_atomic(folder / MANIFEST, data)
