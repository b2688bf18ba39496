"""The command line: ``python run.py <command> ...`` or ``mixmig <command> ...``.

This module only builds the parser and dispatches: each command is ``main(args)`` of its module
in :mod:`sim.commands`. Command modules are imported when their command runs (the one place in
the package where an import sits inside a function), so that ``mixmig --help`` or ``mixmig
check`` do not pay for pandas, matplotlib and the model. :func:`main` is the one place where a
:class:`~sim.errors.UserError` is turned into a printed paragraph and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from sim import __version__
from sim.errors import UserError
from sim.execution.folders import check_can_create


def _network(args: argparse.Namespace) -> int:
    from sim.commands import network

    return network.main(args)


def _check(args: argparse.Namespace) -> int:
    from sim.commands import check

    return check.main(args)


def _check_output(args: argparse.Namespace) -> None:
    """Fail at once, before the command's imports, if the output folder cannot be made."""
    folder = args.resume or args.out
    if folder is not None:
        check_can_create(folder)


def _run(args: argparse.Namespace) -> int:
    _check_output(args)
    from sim.commands import run

    return run.main(args)


def _compare(args: argparse.Namespace) -> int:
    _check_output(args)
    from sim.commands import compare

    return compare.main(args)


def _validate(args: argparse.Namespace) -> int:
    _check_output(args)
    from sim.commands import validate

    return validate.main(args)


def _calibrate(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_can_create(args.out)
    try:
        from sim.commands import calibrate
    except ModuleNotFoundError as missing:
        if missing.name != "pyabc":
            raise
        raise UserError(
            "calibrate needs pyabc, which is not installed: install the calibrate extra with "
            "`pip install -e '.[calibrate]'` (make demo and make test do)"
        ) from None
    return calibrate.main(args)


def _report(args: argparse.Namespace) -> int:
    from sim.commands import report

    return report.main(args)


def _sweep(args: argparse.Namespace) -> int:
    from sim.commands import sweep

    return sweep.main(args)


def _view(args: argparse.Namespace) -> int:
    from sim.commands import view

    return view.main(args)


def _add_run_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    parser.add_argument(
        "--seeds", type=int, help="number of replications (default: the scenario's)"
    )
    parser.add_argument(
        "--seed", type=int, help=f"root seed, 0 to {2**32 - 1} (default: the scenario's)"
    )
    parser.add_argument("--days", type=int, help="days to simulate (default: the scenario's)")
    parser.add_argument("--scale", type=float, help="agents per person, 0 < X <= 1")
    parser.add_argument(
        "--out", metavar="DIR", help=f"output folder, new or empty (default: {default_out})"
    )
    parser.add_argument(
        "--resume",
        metavar="DIR",
        help="finish the runs missing in DIR, an interrupted or failed result of this same "
        "command (same scenarios and options)",
    )
    parser.add_argument("--force", action="store_true", help="clear a non-empty --out folder first")
    parser.add_argument(
        "--workers",
        type=int,
        help="parallel processes (default: all cores; never more than the cores or the runs)",
    )
    parser.add_argument(
        "--check", action="store_true", help="check that people are conserved every day"
    )
    parser.add_argument("--parquet", action="store_true", help="write timeseries as Parquet")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="mixmig",
        description="Agent-based simulation of mixed-migration routes to Europe.",
    )
    parser.add_argument("--version", action="version", version=f"mixmig {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("network", help="summarise the route network; draw its map")
    p.add_argument("--json", action="store_true", help="print places and legs as JSON")
    p.add_argument("--map", metavar="PATH", help="draw the network over coastlines to PATH (PNG)")
    p.add_argument(
        "--ids",
        action="store_true",
        help="list the ids a scenario may use: places, states, legs, nationalities, routes",
    )
    p.set_defaults(func=_network)

    p = sub.add_parser("check", help="validate scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.set_defaults(func=_check)

    p = sub.add_parser("run", help="run one scenario over its seeds; write tidy tables")
    p.add_argument("scenario", metavar="SCENARIO")
    _add_run_options(p, "results/<scenario>/<timestamp>")
    p.set_defaults(func=_run)

    p = sub.add_parser("compare", help="run scenarios with the same seeds and compare them")
    p.add_argument("base", metavar="BASE")
    p.add_argument("others", nargs="+", metavar="OTHER")
    _add_run_options(p, "results/compare-<base>-vs-<others>/<timestamp>")
    p.add_argument(
        "--posterior", metavar="FILE",
        help="a calibration's posterior.parquet: run every scenario over parameter sets drawn "
        "from it (bands then include parameter uncertainty)",
    )  # fmt: skip
    p.add_argument(
        "--draws", type=int, help="posterior draws, each run over --seeds seeds (default 10)"
    )
    p.set_defaults(func=_compare)

    p = sub.add_parser("validate", help="run a scenario and compare it with the 2023 figures")
    p.add_argument(
        "scenario", metavar="SCENARIO", nargs="?", default="scenarios/baseline.yaml",
        help="the scenario to validate (default: scenarios/baseline.yaml)",
    )  # fmt: skip
    _add_run_options(p, "results/<scenario>/<timestamp>")
    p.set_defaults(func=_validate)

    p = sub.add_parser("calibrate", help="fit free parameters to the 2023 targets (ABC-SMC)")
    p.add_argument("config", metavar="CONFIG", help="calibration file (docs/calibration.md)")
    p.add_argument("--workers", type=int, help="local processes (default: all cores)")
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: results/calibration/<name>)"
    )
    p.add_argument("--resume", action="store_true", help="finish the calibration in its folder")
    p.add_argument("--force", action="store_true", help="clear a non-empty output folder first")
    p.set_defaults(func=_calibrate)

    p = sub.add_parser("report", help="rebuild a comparison report from saved results")
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(func=_report)

    p = sub.add_parser("sweep", help="run a parameter sweep; sensitivity indices and plots")
    p.add_argument("sweep", metavar="SWEEP")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, help="local processes (default: all cores, at most one per run)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786)"
    )
    p.add_argument("--out", help="output folder (default: results/sweeps/<name>/<timestamp>)")
    p.add_argument("--resume", action="store_true", help="finish the sweep in --out")
    p.add_argument("--days", type=int, help="days to simulate (default: the sweep file's)")
    p.add_argument("--scale", type=float, help="agents per person (default: the sweep file's)")
    p.add_argument("--replications", type=int, help="runs per design point (default: the file's)")
    p.add_argument("--samples", type=int, help="the design's sample size (default: the file's)")
    p.add_argument("--csv", action="store_true", help="also write runs.csv")
    p.set_defaults(func=_sweep)

    p = sub.add_parser(
        "view", help="open the interactive teaching view in the browser (the viz extra)"
    )
    p.add_argument(
        "scenario", nargs="?", metavar="SCENARIO", help="default: scenarios/teaching.yaml"
    )
    p.add_argument("--scale", type=float, help="agents per person to start with")
    p.add_argument("--replication", type=int, default=1, help="replication to start with, 1-20")
    p.add_argument("--port", type=int, default=8521, help="port to serve on (default: 8521)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=_view)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped reading: not an error, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        # Commands that run long catch it themselves and say what they kept.
        print("interrupted", file=sys.stderr)
        return 130
