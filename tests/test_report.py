"""sim.analysis.report and sim.analysis.render: the report's sections and figures, rebuilt from
saved results only, and the `report` command."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_chromium

from sim.analysis.comparison import load_saved
from sim.analysis.render import interval, number, percent
from sim.analysis.report import build_report, displacement_line
from sim.cli import main
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
        f"days: 60\nscale: 0.01\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> Path:
    """A saved comparison: the small teaching scenario against stronger Tunisian pullbacks."""
    folder = tmp_path_factory.mktemp("report")
    base = _scenario(folder, "base")
    squeeze = _scenario(
        folder, "tunisia_pullbacks", "parameters:\n  interception_rate: {TUN: 0.85, LBY_W: 0.6}\n"
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
    assert "Irregular arrivals (entries)" in page
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


def test_numbers_are_rounded_to_three_significant_figures_with_readable_units():
    assert number(875_328_947) == "875 M"
    assert number(875_328_947, unit="EUR") == "875 M EUR"
    assert interval(857_667_767, 892_990_127) == "858–893 M"
    assert number(1234567.4) == "1.23 M"
    assert number(-1234.0, signed=True) == "−1,230"
    assert number(1234.0, signed=True) == "+1,230"
    assert number(152_345) == "152,000"
    assert number(12.34) == "12.3"
    assert number(0.01234) == "0.0123"
    assert number(3.0) == "3"
    assert number(float("nan")) == "–"
    assert interval(-10.0, 20.0, signed=True) == "−10 to +20"
    assert percent(0.1234) == "+12%"
    assert percent(-0.0345) == "−3.5%"


def test_the_report_renders_in_headless_chromium(comparison, tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    from check_report_in_browser import check_report

    require_chromium()
    seen = check_report(comparison / "report.html", tmp_path / "screenshot.png")
    assert len(seen["images"]) >= 6
    assert all(image["width"] > 300 for image in seen["images"])
    assert seen["ink"] > 0.02


def test_the_report_opens_with_the_caveat_while_the_base_is_not_calibrated(tmp_path, comparison):
    page = (comparison / "report.html").read_text(encoding="utf-8")
    caveat = page.index("Caveat: not yet calibrated.")
    assert caveat < page.index("Headline outcomes per route")
    assert "not as forecasts" in (comparison / "report.md").read_text(encoding="utf-8")
    # Calibration lifts it: the same folder whose scenarios say `calibrated: true`.
    folder = tmp_path / "calibrated"
    shutil.copytree(comparison, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["scenarios"]:
        entry["resolved"]["calibrated"] = True
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    build_report(folder)
    assert "Caveat" not in (folder / "report.html").read_text(encoding="utf-8")


def _significant_digits(figure: str) -> int:
    digits = figure.replace(",", "").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." not in figure else len(digits)


def test_every_headline_figure_has_at_most_three_significant_figures_and_money_its_unit(
    comparison,
):
    text = (comparison / "report.md").read_text(encoding="utf-8")
    headline = text[text.index("## Headline outcomes") : text.index("## Route displacement")]
    rows = [line for line in headline.splitlines() if line.startswith("| ") and "---" not in line]
    figures = 0
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if cells[0] == "Outcome":
            continue
        for cell in cells[1:]:
            for figure in re.findall(r"\d[\d,]*(?:\.\d+)?", cell.split("), ")[0]):
                figures += 1
                assert _significant_digits(figure) <= 3, (figure, row)
        if cells[0].startswith("Smuggler revenue"):
            assert re.match(r"^[\d.,]+( M| bn)? EUR \(", cells[1]), cells[1]
    assert figures > 100


def test_the_report_states_the_seeds_completed_and_explains_displacement(comparison):
    text = (comparison / "report.md").read_text(encoding="utf-8")
    assert "Seeds completed, which every table and figure uses: base 3 of 3; " in text
    assert "tunisia_pullbacks 3 of 3" in text
    # Stronger pullbacks close the Central Mediterranean: the ratio and its plain meaning.
    line = next(ln for ln in text.splitlines() if ln.startswith("tunisia_pullbacks: "))
    assert "arrivals it prevents on the Central Mediterranean" in line
    assert re.search(r"(reappear|interval) [−+]?\d", line), line


def test_a_scenario_that_opens_routes_gets_no_displacement_ratio():
    row = pd.Series(
        {"scenario": "pushbacks_off", "squeezed_routes": "central_med", "arrivals_lost": 1000.0,
         "arrivals_gained_elsewhere": 9700.0, "ratio": 9.7, "ratio_lo": 8.0, "ratio_hi": 11.0,
         "seeds": 4}
    )  # fmt: skip
    line = displacement_line(row)
    assert "opens routes rather than closing them" in line and "9.7" not in line
    row = row.copy()
    row["squeezed_routes"] = ""
    assert "lowers arrivals clearly on no route" in displacement_line(row)
    closing = {**row, "squeezed_routes": "central_med", "arrivals_gained_elsewhere": 350.0}
    for (ratio, lo, hi), phrase in [
        ((0.35, 0.2, 0.5), "about 35 reappear on other routes (95% interval 20 to 50"),
        ((-0.05, -0.22, 0.12), "no clear displacement"),
        ((-0.4, -0.6, -0.2), "arrivals fall on other routes too, by about 40 for every 100"),
        # Above 1 but not clearly: an uncertain displacement, not a route opened.
        ((1.2, 0.4, 2.0), "about 120 reappear on other routes (95% interval 40 to 200"),
        ((1.02, -1.5, 3.5), "consistent with anything from none to all of them reappearing"),
    ]:
        values = {**closing, "ratio": ratio, "ratio_lo": lo, "ratio_hi": hi}
        assert phrase in displacement_line(pd.Series(values))


def _report_exit(folder: Path, capsys) -> tuple[int, str]:
    code = main(["report", str(folder)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "damage",
    ["truncated", "header only", "garbage", "deleted"],
)
def test_a_damaged_comparison_table_is_recomputed_with_a_note(tmp_path, comparison, capsys, damage):
    folder = tmp_path / "copy"
    shutil.copytree(comparison, folder)
    table = folder / "comparison.csv"
    original = table.read_bytes()
    if damage == "truncated":
        table.write_bytes(original[: len(original) // 2])
    elif damage == "header only":
        table.write_bytes(original.splitlines(keepends=True)[0])
    elif damage == "garbage":
        table.write_bytes(b'\x00\xff not, a\n"table,,\n' * 50)
    else:
        table.unlink()
    if damage == "truncated":  # the whole command once: the note is printed and in the report
        code, err = _report_exit(folder, capsys)
        assert code == 0
        assert "comparison.csv" in err and "recomputed from the run summaries" in err
        report = (folder / "report.md").read_text(encoding="utf-8")
        assert "recomputed from the run summaries" in report
    else:  # the other damages: the check alone (no figures drawn)
        (note,) = load_saved(folder).notes
        assert note.startswith("comparison.csv was ") and "recomputed" in note
    assert table.read_bytes() == original


@pytest.mark.parametrize(
    "name, damage, phrase",
    [
        ("runs/base/summary.csv", "truncated", "truncated or edited since"),
        ("runs/base/summary.csv", "garbage", "truncated or edited since"),
        ("runs/tunisia_pullbacks/timeseries.csv", "truncated", "truncated or edited since"),
        ("runs/base/leg_flows.csv", "header only", "truncated or edited since"),
        ("manifest.json", "truncated", "is not a comparison manifest"),
    ],
)
def test_a_damaged_run_table_or_manifest_is_an_error_naming_it(
    tmp_path, comparison, capsys, name, damage, phrase
):
    folder = tmp_path / "copy"
    shutil.copytree(comparison, folder)
    path = folder / name
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: int(len(data) * 0.7)])
    elif damage == "header only":
        path.write_bytes(data.splitlines(keepends=True)[0])
    else:
        path.write_bytes(b"garbage\n\x00\x01\x02")
    code, err = _report_exit(folder, capsys)
    assert code == 2
    assert name.split("/")[-1] in err and phrase in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_without_checksums_a_truncated_summary_is_still_found(tmp_path, comparison, capsys):
    folder = tmp_path / "copy"
    shutil.copytree(comparison, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["tables"]  # as an older version wrote it
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    summary = folder / "runs" / "base" / "summary.csv"
    lines = summary.read_text(encoding="utf-8").splitlines(keepends=True)
    summary.write_text("".join(lines[: len(lines) - 7]), encoding="utf-8")
    code, err = _report_exit(folder, capsys)
    assert code == 2 and "summary.csv" in err and "fewer rows than the others" in err
