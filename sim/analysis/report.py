"""The comparison report: ``report.html`` (self-contained) and ``report.md`` (for a brief).

:func:`build_report` reads only what ``compare`` saved in a results folder (the run tables,
``comparison.csv``, ``displacement.csv`` and ``manifest.json``), so ``python run.py report DIR``
rebuilds the report without rerunning anything. The report is assembled once as a list of
blocks (headings, paragraphs, tables, figures, preformatted text) and rendered twice: to HTML
with every figure embedded as a base64 PNG, and to Markdown with the same figures saved in
``figures/`` beside it.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.analysis import plots
from sim.analysis.comparison import ROUTE_ORDER, write_comparison_tables
from sim.analysis.plots import interval, number, percent
from sim.errors import UserError
from sim.execution.pool import write_bytes_atomic, write_text_atomic
from sim.outputs.metrics import unit_of

#: The headline outcomes: metric, name, unit.
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("arrivals", "Irregular arrivals", "detections"),
    ("dead_missing", "Dead and missing", "persons"),
    ("deaths_per_1000_attempts", "Deaths per 1,000 crossing attempts", "rate"),
    ("legal_admissions", "Legal admissions", "persons"),
    ("returns", "Returns carried out", "persons"),
    ("smuggler_revenue", "Smuggler revenue", "EUR"),
    ("stranded", "Stranded in transit at the end", "persons"),
)
#: Time-series figures: metric, title, unit, cumulative (flows) or level (stocks).
TIMESERIES: tuple[tuple[str, str, str, bool], ...] = (
    ("arrivals", "Irregular arrivals, cumulative", "detections", True),
    ("dead_missing", "Dead and missing, cumulative", "persons", True),
    ("legal_admissions", "Legal admissions, cumulative", "persons", True),
    ("stranded", "People stranded in transit", "persons", False),
)


@dataclass
class SavedComparison:
    """A comparison folder as saved by ``compare``: manifest and tables."""

    folder: Path
    manifest: dict[str, Any]
    labels: list[str]
    base: str
    comparison: pd.DataFrame
    displacement: pd.DataFrame
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)

    def run_table(self, label: str, name: str) -> pd.DataFrame | None:
        """``runs/<label>/<name>.csv`` (or ``.parquet``), or None if it was not saved."""
        for suffix in (".parquet", ".csv"):
            path = self.folder / "runs" / label / f"{name}{suffix}"
            if path.is_file():
                return pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
        return None


def load_saved(folder: str | Path) -> SavedComparison:
    """Read a comparison folder; recompute ``comparison.csv`` from the summaries if absent."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise UserError(f"{folder} is not a comparison folder: it has no manifest.json.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        scenarios = {s["label"]: s for s in manifest["scenarios"]}
        base = manifest["base"]
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(f"{manifest_path} is not a comparison manifest ({error}).") from None
    labels = [lb for lb in scenarios if (folder / "runs" / lb / "summary.csv").is_file()]
    if base not in labels:
        raise UserError(f"{folder}: the base scenario {base!r} has no saved runs to report on.")
    if not (folder / "comparison.csv").is_file() or not (folder / "displacement.csv").is_file():
        write_comparison_tables(folder, labels, base)
    return SavedComparison(
        folder=folder,
        manifest=manifest,
        labels=labels,
        base=base,
        comparison=pd.read_csv(folder / "comparison.csv"),
        displacement=pd.read_csv(folder / "displacement.csv"),
        scenarios=scenarios,
    )


# --------------------------------------------------------------------------- blocks and rendering


@dataclass
class Heading:
    """A section title (level 1-3)."""

    level: int
    text: str


@dataclass
class Para:
    """A paragraph of plain text."""

    text: str


@dataclass
class Table:
    """A table of preformatted cells; ``strong`` holds (row, column) cells to emphasise."""

    headers: list[str]
    rows: list[list[str]]
    strong: set[tuple[int, int]]


@dataclass
class Figure:
    """A matplotlib figure, saved as ``figures/<name>.png``."""

    name: str
    title: str
    figure: Any


@dataclass
class Pre:
    """Preformatted text (YAML, JSON)."""

    text: str
    language: str = ""


@dataclass
class Details:
    """A collapsed section in HTML; in Markdown shown only if ``in_markdown``."""

    summary: str
    blocks: list[Any]
    in_markdown: bool = True


Block = Heading | Para | Table | Figure | Pre | Details

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.88em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f2f2f2}td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}
img{max-width:100%;height:auto;border:1px solid #eee}figure{margin:1em 0 2em}
figcaption{font-size:.9em;color:#555}pre{background:#f7f7f7;padding:.8em;overflow-x:auto;
font-size:.85em}details{margin:1em 0}summary{cursor:pointer;font-weight:600}
"""


def _html(blocks: list[Block], images: dict[str, bytes]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            out.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
            body = []
            for i, row in enumerate(block.rows):
                cells = []
                for j, cell in enumerate(row):
                    text = html.escape(cell)
                    cells.append(
                        f"<td><b>{text}</b></td>" if (i, j) in block.strong else f"<td>{text}</td>"
                    )
                body.append("<tr>" + "".join(cells) + "</tr>")
            out.append(
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            )
        elif isinstance(block, Figure):
            data = base64.b64encode(images[block.name]).decode("ascii")
            title = html.escape(block.title)
            out.append(
                f'<figure id="{block.name}"><img alt="{title}" '
                f'src="data:image/png;base64,{data}"><figcaption>{title}</figcaption></figure>'
            )
        elif isinstance(block, Pre):
            out.append(f"<pre>{html.escape(block.text)}</pre>")
        elif isinstance(block, Details):
            inner = _html(block.blocks, images)
            out.append(f"<details><summary>{html.escape(block.summary)}</summary>{inner}</details>")
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _markdown(blocks: list[Block]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + block.text)
        elif isinstance(block, Para):
            out.append(block.text)
        elif isinstance(block, Table):
            lines = ["| " + " | ".join(block.headers) + " |"]
            lines.append(
                "|" + "|".join(":--" if j < 2 else "--:" for j in range(len(block.headers))) + "|"
            )
            for i, row in enumerate(block.rows):
                cells = [
                    f"**{_md_cell(c)}**" if (i, j) in block.strong and c else _md_cell(c)
                    for j, c in enumerate(row)
                ]
                lines.append("| " + " | ".join(cells) + " |")
            out.append("\n".join(lines))
        elif isinstance(block, Figure):
            out.append(f"![{block.title}](figures/{block.name}.png)")
        elif isinstance(block, Pre):
            out.append(f"```{block.language}\n{block.text.rstrip()}\n```")
        elif isinstance(block, Details) and block.in_markdown:
            out.append(f"**{block.summary}**\n\n" + _markdown(block.blocks))
    return "\n\n".join(out)


def render(blocks: list[Block], images: dict[str, bytes]) -> tuple[str, str]:
    """The report as (HTML page, Markdown text)."""
    title = next((b.text for b in blocks if isinstance(b, Heading)), "mixmig report")
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        f"{_html(blocks, images)}\n</body></html>\n"
    )
    markdown = _markdown(blocks) + "\n\nFull tables: comparison.csv; provenance: manifest.json.\n"
    return page, markdown


# --------------------------------------------------------------------------- sections


def outcome_table(saved: SavedComparison, route: str, metrics: Any) -> Table:
    """One row per outcome: the base's mean (95% interval), then for each other scenario the
    paired difference to the base (95% interval) and the relative difference."""
    others = [lb for lb in saved.labels if lb != saved.base]
    headers = ["Outcome", f"{saved.base} (base)", *(f"{lb}: difference" for lb in others)]
    rows, strong = [], set()
    table = saved.comparison[saved.comparison["route"] == route].set_index(["metric", "scenario"])
    for metric, name, unit in metrics:
        if (metric, saved.base) not in table.index:
            continue
        b = table.loc[(metric, saved.base)]
        row = [f"{name} ({unit})", f"{number(b['mean'])} ({interval(b['lo'], b['hi'])})"]
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
            "an interval that excludes zero. Arrivals are counted per crossing, like Frontex "
            "detections; revenue is in euros; totals are over the whole run."
        ),
    ]
    routes = [r for r in ROUTE_ORDER if r in set(saved.comparison["route"])]
    for route in routes:
        blocks += [Heading(3, plots.ROUTE_NAMES.get(route, route))]
        blocks += [outcome_table(saved, route, HEADLINE)]
    return blocks


def displacement_section(saved: SavedComparison) -> list[Block]:
    """How much of the arrivals lost on squeezed routes reappear on other routes."""
    others = [lb for lb in saved.labels if lb != saved.base]
    if not others:
        return []
    rows = []
    for _, r in saved.displacement.iterrows():
        squeezed = str(r["squeezed_routes"]) if isinstance(r["squeezed_routes"], str) else ""
        names = ", ".join(plots.ROUTE_NAMES.get(x, x) for x in squeezed.split(";") if x)
        rows.append(
            [
                r["scenario"],
                names or "none",
                number(r["arrivals_lost"]),
                number(r["arrivals_gained_elsewhere"], True),
                number(r["ratio"]),
                interval(r["ratio_lo"], r["ratio_hi"]),
                str(int(r["seeds"])),
            ]
        )
    headers = ["Scenario", "Squeezed routes", "Arrivals lost", "Change elsewhere", "Ratio"]
    figure = plots.arrival_differences_figure(saved.comparison, saved.base)
    return [
        Heading(2, "Route displacement"),
        Para(
            "Squeezed routes are those where the scenario clearly lowers arrivals (the 95% "
            "interval of the paired difference lies below zero). The displacement ratio is the "
            "net change in arrivals on all other routes divided by the arrivals lost on the "
            "squeezed ones: 1 means every lost arrival reappears elsewhere, 0 that none does, "
            "a negative value that arrivals fell elsewhere too, and above 1 that they rose "
            "elsewhere by more than they fell on the squeezed routes (the scenario adds "
            "arrivals overall). Its 95% interval comes from the "
            "paired seeds (delta method). Arrivals are detections over the whole run."
        ),
        Table([*headers, "95% interval", "Seeds"], rows, set()),
        Figure("arrival_differences", "Difference in arrivals per route", figure),
    ]


def timeseries_section(saved: SavedComparison) -> list[Block]:
    """Time series per route with 95% bands across seeds, one colour per scenario."""
    tables = {label: saved.run_table(label, "timeseries") for label in saved.labels}
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
    for metric, title, unit, cumulative in TIMESERIES:
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
    flows = saved.run_table(label, "leg_flows")
    if flows is None:
        return None
    table = flows.pivot_table(index="seed", columns="leg", values="persons", aggfunc="sum")
    return table.reindex(columns=legs).fillna(0.0)


def map_section(saved: SavedComparison) -> list[Block]:
    """Maps of persons per leg: the base, and each scenario's paired difference to it."""
    try:
        from sim.network import load_network

        overrides = saved.scenarios[saved.base].get("resolved", {}).get("network")
        net = load_network(overrides or None)
    except (ImportError, UserError) as error:
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


def run_section(saved: SavedComparison) -> list[Block]:
    """The settings of the runs and any failures."""
    m = saved.manifest
    seeds = m.get("seeds", [])
    blocks: list[Block] = [
        Para(
            f"{len(saved.labels)} scenarios, {len(seeds)} seeds each (root seed "
            f"{m.get('root_seed')}), {m.get('days')} days, scale {m.get('scale')} agents per "
            f"person. mixmig {m.get('package_version')}, commit "
            f"{(m.get('git_commit') or 'unknown')[:10]}, created {m.get('created')}."
        )
    ]
    if len(seeds) == 1:
        blocks.append(
            Para("With one seed there is no spread to measure: every interval is the value.")
        )
    failed = [r for r in m.get("runs", []) if not r.get("ok", True)]
    if failed:
        blocks.append(Heading(2, "Failed runs"))
        blocks.append(Para("These runs failed; the tables use the other seeds."))
        blocks += [Pre(f"{r['scenario']}, seed {r['seed']}:\n{r.get('error', '')}") for r in failed]
    return blocks


def report_blocks(saved: SavedComparison) -> list[Block]:
    """The whole report, in order."""
    others = [lb for lb in saved.labels if lb != saved.base]
    title = f"mixmig: {', '.join(others)} compared with {saved.base}" if others else saved.base
    all_metrics = [(m, m, unit_of(m)) for m in dict.fromkeys(saved.comparison["metric"])]
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
        *run_section(saved),
        *headline_section(saved),
        *displacement_section(saved),
        *timeseries_section(saved),
        *map_section(saved),
        *scenario_section(saved),
        Details("All outcomes (every metric and route)", everything, in_markdown=False),
        Details("Manifest (manifest.json)", [Pre(manifest_text, "json")], in_markdown=False),
    ]


def build_report(folder: str | Path) -> tuple[Path, Path]:
    """Write ``report.html``, ``report.md`` and ``figures/*.png`` in ``folder`` (removing
    figures left by an earlier report); return the paths of the HTML and Markdown reports."""
    saved = load_saved(folder)
    blocks = report_blocks(saved)
    images = {}
    for block in _figures(blocks):
        images[block.name] = plots.png_bytes(block.figure)
        write_bytes_atomic(saved.folder / "figures" / f"{block.name}.png", images[block.name])
    for stale in (saved.folder / "figures").glob("*.png"):  # from an earlier report
        if stale.stem not in images:
            stale.unlink()
    page, markdown = render(blocks, images)
    html_path = write_text_atomic(saved.folder / "report.html", page)
    md_path = write_text_atomic(saved.folder / "report.md", markdown)
    return html_path, md_path


def _figures(blocks: list[Block]) -> list[Figure]:
    found: list[Figure] = []
    for block in blocks:
        if isinstance(block, Figure):
            found.append(block)
        elif isinstance(block, Details):
            found += _figures(block.blocks)
    return found


def report_command(args: argparse.Namespace) -> int:
    """``python run.py report DIR``: rebuild the report of a saved comparison."""
    html_path, md_path = build_report(args.folder)
    print(f"report: {html_path}")
    print(f"markdown: {md_path}")
    return 0
