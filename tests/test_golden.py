"""The baseline regression: a small fixed run reproduces its stored totals exactly.

``tests/golden/golden.yaml`` (the whole-of-route package plus pushbacks and visa measures, one
seed, 240 days at one agent per 100 people) must give, byte for byte, the ``summary`` stored in
``tests/golden/golden_summary.csv``. Any change to the model's behaviour changes it; when that
change is intended, regenerate the file deliberately with ``make golden`` and say in the commit
why the numbers moved.
"""

from __future__ import annotations

from pathlib import Path

from sim.execution.runner import simulate
from sim.scenario.loading import load_scenario

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_summary_csv() -> str:
    """The summary table of the golden run, as CSV text (what ``make golden`` stores)."""
    scenario = load_scenario(GOLDEN / "golden.yaml")
    result = simulate(scenario, seed=scenario.seed)
    return result.summary.to_csv(index=False, lineterminator="\n")


def test_the_golden_run_reproduces_its_stored_totals_exactly():
    stored = (GOLDEN / "golden_summary.csv").read_text(encoding="utf-8")
    actual = golden_summary_csv()
    if actual != stored:
        changed = [
            f"{old} -> {new}"
            for old, new in zip(stored.splitlines(), actual.splitlines(), strict=False)
            if old != new
        ]
        raise AssertionError(
            f"{len(changed)} rows of the golden summary changed (first: {changed[:3]}). If the "
            "model's behaviour changed on purpose, run `make golden` and explain why in the commit."
        )


if __name__ == "__main__":  # make golden
    (GOLDEN / "golden_summary.csv").write_text(golden_summary_csv(), encoding="utf-8")
