"""docs/odd.md describes the model the code has, and only that.

When the model changes (a stage, an attribute, a status, a metric, a lever, a parameter), one of
these tests fails and names what docs/odd.md must say differently.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, make_model

from sim.agents.population import FIELDS, Status
from sim.outputs.metrics import METRICS
from sim.policies import POLICY_TYPES

ODD = ROOT / "docs" / "odd.md"
ELEMENTS = (
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialisation",
    "Input data",
    "Submodels",
)


@pytest.fixture(scope="module")
def text() -> str:
    return ODD.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """The text of the level-2 section whose heading contains ``title``."""
    found = re.search(rf"^## \d+\. {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert found, f"docs/odd.md has no section '## N. {title}'"
    return found.group(1)


def names_on(text: str, label: str) -> list[str]:
    """The backticked names of every paragraph that starts with ``**label:**``."""
    names = []
    for paragraph in re.findall(rf"^\*\*{label}:\*\*(.*?)(?:\n\n|\Z)", text, re.M | re.S):
        names += re.findall(r"`([^`]+)`", paragraph)
    return names


def test_the_seven_elements_of_odd_are_there_in_order(text):
    headings = re.findall(r"^## (\d+)\. (.+)$", text, re.M)
    assert [title for _, title in headings] == list(ELEMENTS)
    assert [int(number) for number, _ in headings] == list(range(1, 8))
    for title in ELEMENTS:
        assert len(section(text, title).split()) > 100, f"section '{title}' is nearly empty"


def test_the_stage_table_is_the_models_stage_list_in_order(text):
    shown = re.findall(r'^\| \d+ \| "([^"]+)" \|', section(text, ELEMENTS[2]), re.M)
    stages = [stage.name for stage in make_model(days=1, check=False).stages]
    assert shown == stages, "update the table of section 3 to MigrationModel.stages"


def test_the_person_attributes_are_the_populations_arrays(text):
    part = section(text, ELEMENTS[1])
    table = part[part.index("**Person attributes**") : part.index("**Statuses**")]
    shown = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert sorted(shown) == sorted(FIELDS), "update the person attributes of section 2"


def test_the_statuses_are_the_codes(text):
    part = section(text, ELEMENTS[1])
    paragraph = part[part.index("**Statuses**") : part.index("**Smuggling networks.**")]
    shown = [name for name in re.findall(r"`(\w+)`", paragraph) if name != "Status"]
    assert sorted(shown) == sorted(s.name.lower() for s in Status)


def test_every_metric_of_the_registry_and_no_other_is_listed(text):
    assert sorted(names_on(text, "Metrics")) == sorted(m.name for m in METRICS)


def test_every_lever_and_no_other_is_listed(text):
    assert sorted(names_on(text, "Levers")) == sorted(POLICY_TYPES)


def test_every_parameter_is_named_once_and_no_other_name_is(text):
    spec = yaml.safe_load((ROOT / "sim" / "data" / "parameters.yaml").read_text())
    named = names_on(text, "Parameters")
    unknown = sorted(set(named) - set(spec))
    assert unknown == [], f"docs/odd.md names parameters the model does not have: {unknown}"
    missing = sorted(set(spec) - set(named))
    assert missing == [], f"name these parameters on a **Parameters:** line: {missing}"
    twice = sorted({name for name in named if named.count(name) > 1})
    assert twice == [], f"parameters named on two **Parameters:** lines: {twice}"


def _defined_names(path: Path) -> set[str]:
    """Classes, functions and ``Class.method`` names defined in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}.{item.name}")
    return names


def code_links(text: str) -> list[tuple[str, str]]:
    """``(link text, target)`` of every link into the code (``../sim/...`` and the like)."""
    return re.findall(r"\[([^\]]+)\]\(\.\./((?:sim|tests|tools)/[^)#]+)\)", text)


def test_every_link_into_the_code_points_to_what_it_names(text):
    links = code_links(text)
    assert len(links) > 30
    for label, target in links:
        path = ROOT / target
        assert path.is_file(), f"docs/odd.md links to {target}, which does not exist"
        name = label.strip("`")
        if re.fullmatch(r"[A-Za-z_]\w*(\.\w+)?", name) and not name.endswith(".py"):
            if "." in name or path.suffix == ".py":
                defined = _defined_names(path)
                module = path.stem
                assert name in defined or name == module, f"{name} is not defined in {target}"


def test_links_to_other_pages_exist(text):
    for target in re.findall(r"\]\(((?!\.\./|https?:)[^)#]+)(?:#[^)]*)?\)", text):
        assert (ODD.parent / target).is_file(), f"docs/odd.md links to missing {target}"
