"""sim.analysis.report and sim.analysis.render: the report's sections and figures, rebuilt from
saved results only, and the `report` command."""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_chromium

from sim.analysis.render import interval, number, percent
from sim.analysis.report import build_report
from sim.commands import compare
from sim.commands import report as report_command
from sim.errors import UserError

REPO = Path(__file__).resolve().parent.parent
TEACHING = REPO / "scenarios" / "teaching.yaml"
SECTIONS = (
    "Headline outcomes per route",
    "Route displacement",
    "Over time",
    "Flows on the network",
    "Scenarios",
    "Manifest",
)


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nextends: {TEACHING}\ndescription: test scenario {name}\n"
        f"days: 40\nscale: 0.004\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> Path:
    """A saved comparison: the small teaching scenario against stronger Tunisian pullbacks."""
    folder = tmp_path_factory.mktemp("report")
    base = _scenario(folder, "base")
    squeeze = _scenario(
        folder, "tunisia_pullbacks", "parameters:\n  interception_rate: {TUN: 0.85, LBY: 0.6}\n"
    )
    out = folder / "out"
    args = argparse.Namespace(
        base=str(base), others=[str(squeeze)], out=str(out), seeds=3, seed=None, days=None,
        scale=None, workers=2, check=False, parquet=False,
    )  # fmt: skip
    assert compare.main(args) == 0
    return out


def _digests(folder: Path, skip: tuple[str, ...]) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not str(p.relative_to(folder)).startswith(skip)
    }


def test_the_report_has_every_section_and_embedded_figures(comparison):
    page = (comparison / "report.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert section in page, section
    images = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"', page)
    titles = [title for title, _ in images]
    assert "Difference in arrivals per route" in titles
    assert "Irregular arrivals, cumulative" in titles
    assert "Flows in base" in titles and any(
        t.startswith("tunisia_pullbacks minus") for t in titles
    )
    for title, data in images:
        png = base64.b64decode(data)
        assert png.startswith(b"\x89PNG") and len(png) > 10_000, title
    assert 'src="http' not in page and "<link" not in page  # self-contained
    assert "interception_rate:" in page and "TUN: 0.85" in page  # the scenario's changes


def test_the_headline_table_gives_differences_with_intervals_and_units(comparison):
    page = (comparison / "report.html").read_text(encoding="utf-8")
    assert "Irregular arrivals (detections)" in page
    assert "Smuggler revenue (EUR)" in page
    assert "Death rate at crossings (deaths per 1,000 attempts)" in page
    assert "Stranded in transit at the end (persons)" in page
    assert "tunisia_pullbacks: difference" in page
    table = pd.read_csv(comparison / "comparison.csv")
    row = table[(table.scenario == "tunisia_pullbacks") & (table.route == "central_med")]
    arrivals = row[row.metric == "arrivals"].iloc[0]
    assert number(arrivals["diff"], True) in page


def test_the_markdown_report_links_figures_that_exist(comparison):
    text = (comparison / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)
    assert len(links) >= 5
    assert all((comparison / link).is_file() for link in links)
    assert "| Outcome |" in text


def test_report_rebuilds_from_saved_results_without_touching_them(tmp_path, comparison):
    folder = tmp_path / "copy"
    shutil.copytree(comparison, folder)
    outputs = ("report.html", "report.md", "figures")
    before = _digests(folder, outputs)
    # Delete the report and the comparison tables: the tables are recomputed identically from
    # the saved run tables, and nothing else is touched.
    for name in ("report.html", "report.md", "comparison.csv", "displacement.csv"):
        (folder / name).unlink()
    shutil.rmtree(folder / "figures")
    assert report_command.main(argparse.Namespace(folder=str(folder))) == 0
    assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
    assert len(list((folder / "figures").glob("*.png"))) >= 5
    assert _digests(folder, outputs) == before


def test_report_of_a_folder_without_a_comparison_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no manifest.json"):
        build_report(tmp_path)


def test_numbers_are_readable_with_thousands_separators():
    assert number(1234567.4) == "1,234,567"
    assert number(-1234.0, signed=True) == "−1,234"
    assert number(1234.0, signed=True) == "+1,234"
    assert number(12.34) == "12.3"
    assert number(0.01234) == "0.012"
    assert number(float("nan")) == "–"
    assert interval(-10.0, 20.0, signed=True) == "−10.0 to +20.0"
    assert percent(0.1234) == "+12.3%"


def test_the_report_renders_in_headless_chromium(comparison, tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    from check_report_in_browser import check_report

    require_chromium()
    seen = check_report(comparison / "report.html", tmp_path / "screenshot.png")
    assert len(seen["images"]) >= 6
    assert all(image["width"] > 300 for image in seen["images"])
    assert seen["ink"] > 0.02
