"""docs/scenarios.md is generated from the scenario schema and parameters.yaml: no drift."""

from __future__ import annotations

from pathlib import Path

from sim.config.specs import parameter_specs
from sim.policies import POLICY_TYPES
from sim.scenario.reference import generate

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"


def test_scenarios_md_is_up_to_date():
    expected = generate()
    actual = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert actual == expected, (
        "docs/scenarios.md is out of date with the scenario schema or sim/data/parameters.yaml; "
        "run `make docs` (python -m sim.scenario.reference > docs/scenarios.md) and commit it."
    )


def test_reference_documents_every_key_policy_type_and_parameter():
    text = generate()
    for key in ("`name`", "`extends`", "`start_date`", "`days`", "`seed`", "`seeds`", "`scale`"):
        assert key in text
    assert "`network.legs.<leg id>.death_risk` | number | none | between 0 and 1 |" in text
    for name in POLICY_TYPES:
        assert f"### `{name}`" in text
    assert "| `probability` | number | `0.5` | between 0 and 1 |" in text
    assert "| `from` | list of place ids | **required** |" in text
    for name in parameter_specs():
        assert f"### `{name}`" in text
