"""The classroom exercise's pages say what the code does: the teacher's answers are what the
view's model gives today, and the students' table of levers is the view's list of levers."""

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
