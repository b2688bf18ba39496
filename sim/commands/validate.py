"""``mixmig validate [SCENARIO]``: run a scenario and compare it with the 2023 figures.

The runs are those of ``run`` (the same options, folder checks, kept runs and ``--resume``;
:func:`sim.commands.run.execute`); the command then measures every target of
``sim/data/targets/targets_2023.csv`` on the kept runs, like for like
(:mod:`sim.calibration.measures`), and writes ``validation.csv`` and the validation report
(``validation.html``, ``validation.md``, ``figures/``) beside the run tables. It exits 0
whatever the fit (the table says it), 1 if a run failed, 2 on bad input.
"""

from __future__ import annotations

import argparse

from sim.calibration.measures import measure_run, pool_measures, tables_of
from sim.calibration.report import summary_line, write_validation
from sim.calibration.targets import load_targets
from sim.commands.run import Executed, execute, report_failures

DEFAULT_SCENARIO = "scenarios/baseline.yaml"


def main(args: argparse.Namespace) -> int:
    """Run, measure, write the validation table and report; print the verdict."""
    targets = load_targets()
    written: dict = {}

    def validate(executed: Executed) -> None:
        runs = [measure_run(tables_of(r), targets) for r in executed.done]
        table = pool_measures(runs, targets)
        settings = (
            f"Scenario {executed.scenario.name} ({executed.scenario.path}), "
            f"{len(executed.done)} seed(s), {executed.days} days from "
            f"{executed.scenario.start_date}, scale {executed.scale:g}."
        )
        written["paths"] = write_validation(executed.out, table, runs, settings)
        written["line"] = summary_line(table)

    executed = execute(args, "validate", after=validate)
    if executed.stopped is not None:
        return executed.stopped
    if written:
        print(written["line"])
        print(f"validation table: {executed.out / 'validation.csv'}")
        print(f"report: {written['paths'][0]}")
    return report_failures(executed)
