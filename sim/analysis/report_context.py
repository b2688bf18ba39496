"""The report's context: the caveat, the settings of the runs, the seeds each scenario completed,
the runs that did not finish, and the scenarios themselves.

These sections tell a reader what the figures rest on, before and after them; they read only a
saved comparison (:class:`sim.analysis.comparison.SavedComparison`).
"""

from __future__ import annotations

from typing import Any

import yaml

from sim.analysis.comparison import SavedComparison
from sim.analysis.render import Block, Callout, Heading, Para, Pre


def caveat_blocks(saved: SavedComparison) -> list[Block]:
    """A caveat at the top while a scenario's parameters are not calibrated (the scenario
    schema's ``calibrated`` flag; a manifest without it counts as not calibrated)."""
    uncalibrated = [
        label
        for label, entry in saved.scenarios.items()
        if (entry.get("resolved") or {}).get("calibrated") is not True
    ]
    if not uncalibrated:
        return []
    which = (
        f"the base scenario ({saved.base})"
        if saved.base in uncalibrated
        else f"the scenario(s) {', '.join(uncalibrated)}"
    )
    return [
        Callout(
            "Caveat: not yet calibrated.",
            f"The parameters of {which} have not been fitted to observed figures (Frontex "
            "detections, IOM deaths, smuggling prices, return rates); they give plausible "
            "orders of magnitude only. Read the levels as illustrative and the differences "
            "between scenarios as the direction and rough size of each policy's effect under "
            "the model's assumptions, not as forecasts. " + band_text(saved.manifest),
        )
    ]


def band_text(manifest: dict) -> str:
    """Which kind of band the report's intervals and shaded bands are."""
    posterior = manifest.get("posterior")
    if posterior:
        seeds = posterior.get("seeds_per_draw")
        return (
            f"Intervals and bands are over {posterior.get('draws')} parameter sets drawn from "
            f"the calibration's posterior ({posterior.get('file')}) × {seeds} "
            f"{'seed' if seeds == 1 else 'seeds'} each: they include the uncertainty of the "
            "fitted parameters as well as chance; runs are paired across scenarios by draw and "
            "seed."
        )
    return (
        "Intervals and bands are over seeds: they show chance in the simulation, not the "
        "uncertainty of the parameters (compare --posterior adds that)."
    )


def run_section(saved: SavedComparison) -> list[Block]:
    """The settings of the runs, the seeds each scenario completed, any failures and any
    table that had to be recomputed."""
    m = saved.manifest
    seeds = m.get("seeds", [])
    completed: dict[str, set[int]] = {}
    if saved.summaries is not None:
        for label, part in saved.summaries.groupby("scenario", sort=False):
            completed[str(label)] = {int(s) for s in part["seed"]}
    counts = "; ".join(
        f"{label} {len(completed.get(label, set()))} of {len(seeds)}" for label in saved.scenarios
    )
    blocks: list[Block] = [
        Para(
            f"{len(saved.scenarios)} scenarios, {len(seeds)} seeds planned each (root seed "
            f"{m.get('root_seed')}), {m.get('days')} days, scale {m.get('scale')} agents per "
            f"person. mixmig {m.get('package_version')}, commit "
            f"{(m.get('git_commit') or 'unknown')[:10]}, created {m.get('created')}."
        ),
        Para(f"Seeds completed, which every table and figure uses: {counts}."),
        Para(band_text(m)),
    ]
    left_out = [label for label in saved.scenarios if label not in saved.labels]
    if left_out:
        blocks.append(Para(f"No run of {', '.join(left_out)} finished: left out of every table."))
    if len(seeds) == 1:
        blocks.append(
            Para("With one seed there is no spread to measure: every interval is the value.")
        )
    blocks += [Para(f"Note: {note}") for note in saved.notes]
    failed = [r for r in m.get("runs", []) if r.get("ok") is False]
    not_run = [r for r in m.get("runs", []) if r.get("ok") is None]
    if failed or not_run:
        blocks.append(Heading(2, "Runs that did not finish"))
        blocks.append(
            Para(
                "The tables use the other seeds (paired differences only seeds "
                "that finished in both scenarios)."
            )
        )
        blocks += [Pre(f"{r['scenario']}, seed {r['seed']}:\n{r.get('error', '')}") for r in failed]
        if not_run:
            listed = ", ".join(f"{r['scenario']} seed {r['seed']}" for r in not_run)
            blocks.append(Para(f"Not run (the command was stopped): {listed}."))
    return blocks


def scenario_section(saved: SavedComparison) -> list[Block]:
    """Each scenario's description, and its policy blocks and overrides as YAML."""
    blocks: list[Block] = [Heading(2, "Scenarios")]
    for label, entry in saved.scenarios.items():
        resolved = entry.get("resolved") or {}
        blocks.append(Heading(3, f"{label}" + (" (base)" if label == saved.base else "")))
        blocks.append(
            Para(f"File {entry.get('path')}, sha256 {str(entry.get('sha256', ''))[:12]}.")
        )
        description = entry.get("description") or resolved.get("description") or ""
        if description:
            blocks.append(Para(str(description).strip()))
        blocks.append(Pre(_changes_yaml(resolved), "yaml"))
    return blocks


def _changes_yaml(resolved: dict[str, Any]) -> str:
    """What a scenario changes from the defaults: its policy blocks (keys left unset omitted),
    parameter overrides and network changes, as YAML."""
    changes: dict[str, Any] = {}
    policies = [
        {k: v for k, v in block.items() if v is not None}
        for block in resolved.get("policies") or []
    ]
    network = {k: v for k, v in (resolved.get("network") or {}).items() if v}
    for key, value in (("policies", policies), ("parameters", resolved.get("parameters"))):
        if value:
            changes[key] = value
    if network:
        changes["network"] = network
    if not changes:
        return "# no policies and no overrides: the model's defaults"
    return yaml.safe_dump(changes, sort_keys=False, allow_unicode=True)
