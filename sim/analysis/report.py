"""The comparison report: its sections, built from a saved comparison folder only.

:func:`build_report` reads what ``compare`` saved (:func:`sim.analysis.comparison.load_saved`:
the run tables, ``comparison.csv``, ``displacement.csv`` and ``manifest.json``), so ``python
run.py report DIR`` rebuilds the report without rerunning anything. The report is assembled once
as a list of blocks and rendered by :mod:`sim.analysis.render` to ``report.html`` (figures
embedded) and ``report.md`` (figures saved in ``figures/`` beside it). Metric names, units and
labels come from the metric registry (:mod:`sim.outputs.metrics`) and, for the metrics the
comparison derives, from :data:`sim.analysis.statistics.DERIVED_METRICS`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import plots
from sim.analysis.comparison import SavedComparison, load_saved
from sim.analysis.composition import composition_section
from sim.analysis.render import (
    Block,
    Details,
    Figure,
    Heading,
    Para,
    Pre,
    Table,
    figures,
    interval,
    number,
    percent,
    render,
    significant,
)
from sim.analysis.report_context import caveat_blocks, run_section, scenario_section
from sim.analysis.statistics import DERIVED_METRICS, ROUTE_ORDER
from sim.errors import UserError
from sim.execution.files import write_bytes_atomic, write_text_atomic
from sim.execution.tables import LEG_FLOWS, TIMESERIES
from sim.network import load_network
from sim.outputs.metrics import BY_NAME, HEADLINE_METRICS, Metric

#: The headline outcomes, in the order of the headline tables: the registry's, then derived.
HEADLINE: tuple[str, ...] = (
    *HEADLINE_METRICS,
    *(m.name for m in DERIVED_METRICS if m.headline),
)
#: The outcomes drawn over time: flows cumulated from day 0, stocks as levels.
TIMESERIES_METRICS: tuple[str, ...] = ("arrivals", "dead_missing", "legal_admissions", "stranded")
_DECLARED: dict[str, Metric] = {**BY_NAME, **{m.name: m for m in DERIVED_METRICS}}


def metric_info(name: str) -> Metric:
    """The declaration of metric ``name`` (a plain count in persons if it is not declared)."""
    return _DECLARED.get(name) or Metric(name, "flow", "persons", name, "")


def outcome_name(name: str) -> str:
    """A metric as a table row names it: its label, "at the end" for stocks, and its unit."""
    metric = metric_info(name)
    when = " at the end" if metric.kind == "stock" else ""
    return f"{metric.label}{when} ({metric.unit})"


# --------------------------------------------------------------------------- sections


def outcome_table(saved: SavedComparison, route: str, metrics: Sequence[str]) -> Table:
    """One row per outcome: the base's mean (95% interval), then for each other scenario the
    paired difference to the base (95% interval) and the relative difference."""
    others = [lb for lb in saved.labels if lb != saved.base]
    headers = ["Outcome", f"{saved.base} (base)", *(f"{lb}: difference" for lb in others)]
    rows, strong = [], set()
    table = saved.comparison[saved.comparison["route"] == route].set_index(["metric", "scenario"])
    for metric in metrics:
        if (metric, saved.base) not in table.index:
            continue
        b = table.loc[(metric, saved.base)]
        unit = metric_info(metric).unit
        unit = unit if unit.startswith("EUR") else ""  # money: the unit goes with the figure
        base_cell = f"{number(b['mean'], unit=unit)} ({interval(b['lo'], b['hi'])})"
        row = [outcome_name(metric), base_cell]
        for j, label in enumerate(others, start=2):
            if (metric, label) not in table.index:
                row.append("–")
                continue
            r = table.loc[(metric, label)]
            spread = interval(r["diff_lo"], r["diff_hi"], True)
            row.append(f"{number(r['diff'], True)} ({spread}), {percent(r['rel_diff'])}")
            if r["diff_lo"] > 0 or r["diff_hi"] < 0:
                strong.add((len(rows), j))
        rows.append(row)
    return Table(headers, rows, strong)


def headline_section(saved: SavedComparison) -> list[Block]:
    """The headline outcomes per route, with differences to the base."""
    blocks: list[Block] = [
        Heading(2, "Headline outcomes per route"),
        Para(
            f"The base ({saved.base}): mean over seeds (95% t-interval). Other scenarios: the "
            "difference to the base averaged over paired seeds (the same seed in both "
            "scenarios), its 95% t-interval and the relative change; a difference in bold has "
            "an interval that excludes zero. Figures are rounded to three significant figures "
            "(M: million, bn: billion). Arrivals are counted per crossing into the EU, seen "
            "or not (`detections` are those seen, Frontex's count); revenue is in euros; "
            "totals are over the whole run."
        ),
    ]
    routes = [r for r in ROUTE_ORDER if r in set(saved.comparison["route"])]
    for route in routes:
        blocks += [Heading(3, plots.ROUTE_NAMES.get(route, route))]
        blocks += [outcome_table(saved, route, HEADLINE)]
    return blocks


def _route_names(routes: str) -> str:
    return ", ".join(plots.ROUTE_NAMES.get(x, x) for x in routes.split(";") if x)


def displacement_line(row: pd.Series) -> str:
    """What one scenario's displacement row means, in a sentence a brief can use."""
    label = row["scenario"]
    squeezed = row["squeezed_routes"] if isinstance(row["squeezed_routes"], str) else ""
    if not squeezed:
        change = number(row["arrivals_gained_elsewhere"], True)
        return (
            f"{label}: lowers arrivals clearly on no route (arrivals change by {change} "
            "overall), so there is no squeeze whose displacement could be measured."
        )
    lost, gained = row["arrivals_lost"], row["arrivals_gained_elsewhere"]
    # Opening routes overall is a finding only when the interval says so: a ratio above 1
    # whose interval reaches below it is an uncertain displacement, reported as one.
    if not np.isfinite(row["ratio"]) or row["ratio_lo"] > 1:
        return (
            f"{label}: arrivals fall on the {_route_names(squeezed)} route(s) "
            f"({number(-lost, True)}) but rise by more elsewhere ({number(gained, True)}): "
            "overall it opens routes rather than closing them, so displacement does not apply."
        )
    per_100 = [significant(100 * row[k], 2) for k in ("ratio", "ratio_lo", "ratio_hi")]
    estimate, low, high = (number(v, signed=k > 0 or v < 0) for k, v in enumerate(per_100))
    where = f"on the {_route_names(squeezed)} route(s)"
    counts = f"{number(lost)} fewer there, {number(gained, True)} elsewhere"
    if per_100[1] > 0:
        return (
            f"{label}: of every 100 arrivals it prevents {where}, about {estimate} reappear on "
            f"other routes (95% interval {number(per_100[1])} to {number(per_100[2])}; "
            f"{counts})."
        )
    if per_100[2] < 0:
        return (
            f"{label}: none of the arrivals it prevents {where} reappears elsewhere: arrivals "
            f"fall on other routes too, by about {number(-per_100[0])} for every 100 prevented "
            f"({counts})."
        )
    consistent = "none" if per_100[2] < 100 else "anything from none to all of them"
    return (
        f"{label}: no clear displacement: for every 100 arrivals it prevents {where}, the "
        f"change on other routes is {estimate} (95% interval {low} to {high}), consistent "
        f"with {consistent} reappearing ({counts})."
    )


def displacement_section(saved: SavedComparison) -> list[Block]:
    """How much of the arrivals lost on squeezed routes reappear on other routes, only for the
    scenarios that close routes, with a sentence per scenario saying what it means."""
    others = [lb for lb in saved.labels if lb != saved.base]
    if not others:
        return []
    rows, lines = [], []
    for _, r in saved.displacement.iterrows():
        lines.append(Para(displacement_line(r)))
        squeezed = r["squeezed_routes"] if isinstance(r["squeezed_routes"], str) else ""
        if not squeezed or not np.isfinite(r["ratio"]) or r["ratio"] > 1:
            continue
        rows.append(
            [
                r["scenario"],
                _route_names(squeezed),
                number(r["arrivals_lost"]),
                number(r["arrivals_gained_elsewhere"], True),
                number(r["ratio"]),
                interval(r["ratio_lo"], r["ratio_hi"], r["ratio_lo"] < 0),
                str(int(r["seeds"])),
            ]
        )
    headers = ["Scenario", "Squeezed routes", "Arrivals lost", "Change elsewhere", "Ratio"]
    figure = plots.arrival_differences_figure(saved.comparison, saved.base)
    blocks: list[Block] = [
        Heading(2, "Route displacement"),
        Para(
            "When a policy closes a route, some of the people who would have arrived by it "
            "arrive by another. The squeezed routes are those where a scenario clearly lowers "
            "arrivals (the 95% interval of the paired difference lies below zero); the "
            "displacement ratio is the change in arrivals on all other routes divided by the "
            "arrivals lost on the squeezed ones: 1 means every prevented arrival reappears "
            "elsewhere, 0 that none does, a negative value that arrivals fell elsewhere too. "
            "It is given only for scenarios that close routes (arrivals do not rise overall). "
            "Arrivals are entries over the whole run; the interval comes from the paired "
            "seeds (delta method)."
        ),
        *lines,
    ]
    if rows:
        blocks.append(Table([*headers, "95% interval", "Seeds"], rows, set()))
    blocks.append(Figure("arrival_differences", "Difference in arrivals per route", figure))
    return blocks


def timeseries_section(saved: SavedComparison) -> list[Block]:
    """Time series per route with 95% bands across seeds, one colour per scenario."""
    tables = {label: saved.run_table(label, TIMESERIES) for label in saved.labels}
    tables = {k: v for k, v in tables.items() if v is not None}
    if not tables:
        return []
    first = next(iter(tables.values()))
    dates = None
    if "date" in first.columns:
        days = first.drop_duplicates("day").set_index("day")["date"]
        dates = pd.to_datetime(days)
    blocks: list[Block] = [
        Heading(2, "Over time"),
        Para(
            "Lines are means over seeds; shaded bands are 95% t-intervals of the mean (clipped "
            "at zero). Flows are cumulated from the first simulated day."
        ),
    ]
    for metric in TIMESERIES_METRICS:
        declared = metric_info(metric)
        cumulative = declared.kind == "flow"
        title = f"{declared.label}, cumulative" if cumulative else declared.label
        unit = declared.unit
        bands = {}
        for label, frame in tables.items():
            part = frame[frame["metric"] == metric]
            if len(part):
                bands[label] = plots.series_bands(part, cumulative)
        if bands:
            figure = plots.timeseries_figure(bands, f"{title} ({unit})", unit, dates=dates)
            blocks.append(Figure(f"timeseries_{metric}", title, figure))
    return blocks


def _leg_matrix(saved: SavedComparison, label: str, legs: list[str]) -> pd.DataFrame | None:
    flows = saved.run_table(label, LEG_FLOWS)
    if flows is None:
        return None
    table = flows.pivot_table(index="seed", columns="leg", values="persons", aggfunc="sum")
    return table.reindex(columns=legs).fillna(0.0)


def map_section(saved: SavedComparison) -> list[Block]:
    """Maps of persons per leg: the base, and each scenario's paired difference to it."""
    overrides = saved.scenarios[saved.base].get("resolved", {}).get("network")
    try:
        net = load_network(overrides or None)
    except UserError as error:  # a saved override this version no longer accepts
        return [Heading(2, "Flows on the network"), Para(f"No map: {error}")]
    base = _leg_matrix(saved, saved.base, net.leg_ids)
    if base is None:
        return []
    blocks: list[Block] = [
        Heading(2, "Flows on the network"),
        Para("Leg widths show persons crossing each leg over the run (mean over seeds)."),
        Figure(
            "map_base",
            f"Flows in {saved.base}",
            plots.flow_map_figure(net, base.mean().to_numpy(), f"{saved.base}: persons", False),
        ),
    ]
    for label in saved.labels:
        other = _leg_matrix(saved, label, net.leg_ids) if label != saved.base else None
        if other is None:
            continue
        seeds = other.index.intersection(base.index)
        diff = (other.loc[seeds] - base.loc[seeds]).mean().to_numpy()
        title = f"{label} minus {saved.base}: persons per leg"
        blocks.append(
            Figure(f"map_diff_{label}", title, plots.flow_map_figure(net, diff, title, True))
        )
    return blocks


def report_blocks(saved: SavedComparison) -> list[Block]:
    """The whole report, in order."""
    others = [lb for lb in saved.labels if lb != saved.base]
    title = f"mixmig: {', '.join(others)} compared with {saved.base}" if others else saved.base
    all_metrics = list(dict.fromkeys(saved.comparison["metric"]))
    everything = [
        block
        for route in [r for r in ROUTE_ORDER if r in set(saved.comparison["route"])]
        for block in (
            Heading(3, plots.ROUTE_NAMES.get(route, route)),
            outcome_table(saved, route, all_metrics),
        )
    ]
    manifest_text = json.dumps(saved.manifest, indent=2, ensure_ascii=False)
    return [
        Heading(1, title),
        *caveat_blocks(saved),
        *run_section(saved),
        *headline_section(saved),
        *displacement_section(saved),
        *composition_section(saved),
        *timeseries_section(saved),
        *map_section(saved),
        *scenario_section(saved),
        Details("All outcomes (every metric and route)", everything, in_markdown=False),
        Details("Manifest (manifest.json)", [Pre(manifest_text, "json")], in_markdown=False),
    ]


def build_report(folder: str | Path, saved: SavedComparison | None = None) -> tuple[Path, Path]:
    """Write ``report.html``, ``report.md`` and ``figures/*.png`` in ``folder`` (removing
    figures left by an earlier report); return the paths of the HTML and Markdown reports.
    ``saved`` is the folder already read by :func:`load_saved` (read here if not given)."""
    saved = saved if saved is not None else load_saved(folder)
    blocks = report_blocks(saved)
    images = {}
    for block in figures(blocks):
        images[block.name] = plots.png_bytes(block.figure)
        write_bytes_atomic(saved.folder / "figures" / f"{block.name}.png", images[block.name])
    for stale in (saved.folder / "figures").glob("*.png"):  # from an earlier report
        if stale.stem not in images:
            stale.unlink()
    page, markdown = render(blocks, images)
    html_path = write_text_atomic(saved.folder / "report.html", page)
    md_path = write_text_atomic(saved.folder / "report.md", markdown)
    return html_path, md_path
