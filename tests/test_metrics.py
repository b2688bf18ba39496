"""The metric registry is the one declaration of every output metric."""

from __future__ import annotations

from pathlib import Path

from sim.outputs import metrics
from sim.outputs.counters import METRICS as COUNTED

ROOT = Path(__file__).resolve().parents[1]


def test_docs_metric_table_is_generated_from_the_registry():
    page = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert metrics.with_metric_table(page) == page, (
        "docs/model.md's metric table differs from sim/outputs/metrics.py; run `make docs`."
    )


def test_counters_make_exactly_the_registered_metrics_in_registry_order():
    assert COUNTED == tuple(m.name for m in metrics.METRICS)


def test_every_ratio_divides_two_registered_flows():
    for m in metrics.RATIO_METRICS:
        assert metrics.BY_NAME[m.numerator].kind == "flow", m.name
        assert metrics.BY_NAME[m.denominator].kind == "flow", m.name
