"""The report's building blocks and their two renderings: one HTML page and Markdown.

A report is a list of blocks (:class:`Heading`, :class:`Para`, :class:`Callout`,
:class:`Table`, :class:`Figure`, :class:`Pre`, :class:`Details`), built once by
:mod:`sim.analysis.report` and rendered twice by :func:`render`: to a self-contained HTML page
(every figure embedded as a base64 PNG, no network needed) and to Markdown (figures linked as
``figures/<name>.png``). The number formats used in table cells (:func:`number`,
:func:`interval`, :func:`percent`) live here too: figures are rounded to three significant
figures (a simulation over a few seeds knows no more), with thousands separators below a
million and ``M``/``bn`` above, so that a brief can quote them as they stand
("875 M EUR (858–893 M)").
"""

from __future__ import annotations

import base64
import html
import math
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
class Callout:
    """A paragraph set apart (a caveat the reader must see): a framed box in HTML, a quoted
    paragraph in Markdown; ``title`` is shown in bold before the text."""

    title: str
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


Block = Heading | Para | Callout | Table | Figure | Pre | Details

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.88em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f2f2f2}td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}
img{max-width:100%;height:auto;border:1px solid #eee}figure{margin:1em 0 2em}
figcaption{font-size:.9em;color:#555}pre{background:#f7f7f7;padding:.8em;overflow-x:auto;
font-size:.85em}details{margin:1em 0}summary{cursor:pointer;font-weight:600}
.callout{border-left:.35em solid #d08c00;background:#fff7e0;padding:.6em 1em;margin:1em 0}
"""


# --------------------------------------------------------------------------- cells


#: Significant figures of the numbers in reports.
SIGNIFICANT = 3
_MINUS = "\u2212"


def significant(value: float, digits: int = SIGNIFICANT) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _suffix(size: float) -> tuple[float, str]:
    if size >= 1e9:
        return 1e9, " bn"
    if size >= 1e6:
        return 1e6, " M"
    return 1.0, ""


def _plain(value: float, divisor: float, digits: int) -> str:
    """``value / divisor`` written with ``digits`` significant figures, separators, no sign."""
    shown = abs(significant(value, digits)) / divisor
    if shown == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(shown)))
    text = f"{shown:,.{decimals}f}"
    if divisor == 1.0 and "." in text:  # 3.00 persons reads 3; 1.50 M keeps its figures
        text = text.rstrip("0").rstrip(".")
    return text


def number(value: float | None, signed: bool = False, unit: str = "") -> str:
    """A figure for a brief: three significant figures, thousands separators, ``M`` or ``bn``
    for millions and billions, a true minus sign, ``+`` when ``signed``, then ``unit`` if
    given; '–' for none. ``875328947`` reads ``875 M``; ``1234.5`` reads ``1,230``."""
    if value is None or not np.isfinite(value):
        return "–"
    value = significant(float(value))
    divisor, suffix = _suffix(abs(value))
    sign = _MINUS if value < 0 else "+" if signed and value > 0 else ""
    text = f"{sign}{_plain(value, divisor, SIGNIFICANT)}{suffix}"
    return f"{text} {unit}" if unit else text


def interval(lo: float, hi: float, signed: bool = False) -> str:
    """A 95% interval: ``858–893 M`` (one suffix when both ends share it), or ``−10 to +20``
    when a sign is shown; '–' when undefined."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "–"
    low, high = number(lo, signed), number(hi, signed)
    if signed or lo < 0:
        return f"{low} to {high}"
    for suffix in (" bn", " M"):
        if low.endswith(suffix) and high.endswith(suffix):
            return f"{low.removesuffix(suffix)}–{high}"
    return f"{low}–{high}"


def percent(value: float) -> str:
    """A relative difference as a signed percentage (two significant figures, at least one
    decimal below 10%)."""
    if not np.isfinite(value):
        return "–"
    shown = significant(value * 100, 2)
    decimals = 0 if shown == 0 else max(0, 1 - math.floor(math.log10(abs(shown))))
    return f"{shown:+.{decimals}f}%".replace("-", _MINUS)


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
        elif isinstance(block, Callout):
            out.append(
                f'<div class="callout" role="note"><p><strong>{html.escape(block.title)}</strong> '
                f"{html.escape(block.text)}</p></div>"
            )
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
        elif isinstance(block, Callout):
            out.append(f"> **{block.title}** {block.text}")
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
