"""The report's building blocks and their two renderings: one HTML page and Markdown.

A report is a list of blocks (:class:`Heading`, :class:`Para`, :class:`Table`, :class:`Figure`,
:class:`Pre`, :class:`Details`), built once by :mod:`sim.analysis.report` and rendered twice by
:func:`render`: to a self-contained HTML page (every figure embedded as a base64 PNG, no network
needed) and to Markdown (figures linked as ``figures/<name>.png``). The number formats used in
table cells (:func:`number`, :func:`interval`, :func:`percent`) live here too.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import Any

import numpy as np


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


# --------------------------------------------------------------------------- cells


def number(value: float, signed: bool = False) -> str:
    """A readable number: thousands separators, few decimals for small values, '–' for none."""
    if value is None or not np.isfinite(value):
        return "–"
    sign = "+" if signed and value > 0 else ""
    size = abs(value)
    text = f"{value:,.0f}" if size >= 100 else f"{value:,.1f}" if size >= 1 else f"{value:.2g}"
    return sign + text.replace("-", "−")


def interval(lo: float, hi: float, signed: bool = False) -> str:
    """``lo to hi``, or '–' when undefined."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "–"
    return f"{number(lo, signed)} to {number(hi, signed)}"


def percent(value: float) -> str:
    """A relative difference as a signed percentage."""
    return "–" if not np.isfinite(value) else f"{value * 100:+.1f}%".replace("-", "−")


# --------------------------------------------------------------------------- rendering


def figures(blocks: list[Block]) -> list[Figure]:
    """Every figure among ``blocks``, including those inside :class:`Details`, in order."""
    found: list[Figure] = []
    for block in blocks:
        if isinstance(block, Figure):
            found.append(block)
        elif isinstance(block, Details):
            found += figures(block.blocks)
    return found


def _html_table(block: Table) -> str:
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
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html(blocks: list[Block], images: dict[str, bytes]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            out.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Table):
            out.append(_html_table(block))
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


def _markdown_table(block: Table) -> str:
    lines = ["| " + " | ".join(block.headers) + " |"]
    lines.append("|" + "|".join(":--" if j < 2 else "--:" for j in range(len(block.headers))) + "|")
    for i, row in enumerate(block.rows):
        cells = [
            f"**{_md_cell(c)}**" if (i, j) in block.strong and c else _md_cell(c)
            for j, c in enumerate(row)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _markdown(blocks: list[Block]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + block.text)
        elif isinstance(block, Para):
            out.append(block.text)
        elif isinstance(block, Table):
            out.append(_markdown_table(block))
        elif isinstance(block, Figure):
            out.append(f"![{block.title}](figures/{block.name}.png)")
        elif isinstance(block, Pre):
            out.append(f"```{block.language}\n{block.text.rstrip()}\n```")
        elif isinstance(block, Details) and block.in_markdown:
            out.append(f"**{block.summary}**\n\n" + _markdown(block.blocks))
    return "\n\n".join(out)


def render(blocks: list[Block], images: dict[str, bytes]) -> tuple[str, str]:
    """The report as (HTML page, Markdown text); ``images`` maps figure name -> PNG bytes."""
    title = next((b.text for b in blocks if isinstance(b, Heading)), "mixmig report")
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        f"{_html(blocks, images)}\n</body></html>\n"
    )
    markdown = _markdown(blocks) + "\n\nFull tables: comparison.csv; provenance: manifest.json.\n"
    return page, markdown
