"""The classroom exercise's pages say what the code does: the teacher's answers are what the
view's model gives today, their prose says what that table shows, and the students' table of
levers is the view's list of levers."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from classroom_answers import (  # noqa: E402
    BEGIN,
    END,
    LEVERS_BEGIN,
    LEVERS_END,
    STUDENTS_PAGE,
    TEACHERS_PAGE,
    answers_table,
    levers_table,
)


def _between(text: str, begin: str, end: str) -> str:
    return text[text.index(begin) : text.index(end) + len(end)]


def test_the_teachers_answers_are_what_the_model_gives():
    shown = _between(TEACHERS_PAGE.read_text(encoding="utf-8"), BEGIN, END)
    assert shown == answers_table(), "the model changed: rerun `make docs` and reread the page"


def test_the_students_table_of_levers_is_the_views_list():
    shown = _between(STUDENTS_PAGE.read_text(encoding="utf-8"), LEVERS_BEGIN, LEVERS_END)
    assert shown == levers_table(), "the levers changed: rerun `make docs`"


def _answers() -> dict[str, dict[str, float]]:
    """The teacher's table as {row letter: {column: value}}."""
    block = _between(TEACHERS_PAGE.read_text(encoding="utf-8"), BEGIN, END)
    lines = [line for line in block.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0][0]] = {
            h: float(c.replace(",", "")) for h, c in zip(header[1:], cells[1:], strict=True)
        }
    return rows


def test_the_teachers_answers_say_what_their_table_shows():
    """The prose of the answers, claim by claim, against the generated table above it: when
    the model changes the table, a claim it no longer bears fails here (reread the page)."""
    t = _answers()
    a, b, c, d, e, h, i, j, k = (t[x] for x in "ABCDEHIJK")
    # A: the Central and Eastern Mediterranean first, then the Western Balkans; more people
    # stranded than arrived in six months, and about as many again settled.
    assert min(a["central med"], a["eastern med"]) > a["western balkans"]
    assert a["stranded at the end"] > a["arrivals"]
    assert 0.5 < a["settled at the end"] / a["stranded at the end"] < 1.5
    # B: Central Mediterranean arrivals fall by about three quarters, total arrivals by less;
    # the Atlantic gains; deaths hardly fall; the stranded and settled about a sixth more than
    # in A.
    assert 0.18 < b["central med"] / a["central med"] < 0.32
    assert a["arrivals"] - b["arrivals"] < a["central med"] - b["central med"]
    assert 0.85 < b["dead and missing"] / a["dead and missing"] < 1.0
    held = ("stranded at the end", "settled at the end")
    assert b["atlantic"] > a["atlantic"]
    assert 1.05 < sum(b[x] for x in held) / sum(a[x] for x in held) < 1.3
    # C: fewer deaths, more people set out.
    assert c["dead and missing"] < a["dead and missing"] and c["set out"] > a["set out"]
    # D and E: without pushbacks the Balkan arrivals about double and the Eastern
    # Mediterranean's more than double, more set out, fewer settled; with all, about two
    # fifths set out, and some still arrive.
    assert 1.5 < d["western balkans"] / a["western balkans"] < 2.5
    assert d["eastern med"] > 2 * a["eastern med"]
    assert d["set out"] > a["set out"] and d["settled at the end"] < a["settled at the end"]
    assert 0.35 < e["set out"] / a["set out"] < 0.45 and e["arrivals"] > 0
    # F (rows H and I): visa leverage raises returns, a few fewer set out; information: fewer
    # set out, arrive and die in this run, fewer settled and stranded.
    assert h["returns"] > a["returns"] and h["set out"] < a["set out"]
    assert i["set out"] < a["set out"] and i["arrivals"] < a["arrivals"]
    assert i["dead and missing"] < a["dead and missing"]
    assert i["settled at the end"] < a["settled at the end"]
    assert i["stranded at the end"] < a["stranded at the end"]
    # G (rows J and K): more than twice the assisted returns, fewer settled, the stranded
    # about a sixth fewer; the crackdown expels many times Algeria's, and the stranded do not
    # fall.
    assert j["voluntary returns"] > 2 * a["voluntary returns"]
    assert j["settled at the end"] < a["settled at the end"]
    assert 0.78 < j["stranded at the end"] / a["stranded at the end"] < 0.88
    assert k["expelled"] > 10 * a["expelled"]
    assert k["stranded at the end"] >= a["stranded at the end"]
    assert a["arrivals"] - k["arrivals"] < k["expelled"] - a["expelled"]
