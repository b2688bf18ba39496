"""The command line: ``python run.py <command> ...`` or ``mixmig <command> ...``.

Every command is a small function that parses nothing itself: :func:`main` builds the
parser, dispatches, and is the one place where a :class:`~sim.errors.UserError` is turned
into a printed paragraph and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim import __version__
from sim.errors import UserError


def _cmd_network(args: argparse.Namespace) -> int:
    from sim.network import load_network, summary_text, to_json

    net = load_network()
    if args.json:
        print(json.dumps(to_json(net), indent=2, ensure_ascii=False))
    else:
        print(summary_text(net))
    if args.map:
        from sim.network.maps import draw_network

        path = Path(args.map)
        path.parent.mkdir(parents=True, exist_ok=True)
        draw_network(net, path, title="mixmig route network")
        print(f"map written to {path}", file=sys.stderr if args.json else sys.stdout)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from sim.scenario.loading import load_scenario

    for path in args.scenarios:
        scenario = load_scenario(path)
        print(f"OK  {path}: {scenario.summary_line()}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.execution.runner import run_command

    return run_command(args)


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.analysis.comparison import compare_command

    return compare_command(args)


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.analysis.report import report_command

    return report_command(args)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds", type=int, help="number of replications (default: the scenario's)"
    )
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument("--days", type=int, help="days to simulate (default: the scenario's)")
    parser.add_argument("--scale", type=float, help="agents per person, 0 < X <= 1")
    parser.add_argument("--out", help="output folder (default: results/<scenario>/<timestamp>)")
    parser.add_argument(
        "--workers", type=int, help="parallel processes (default: all cores, at most one per run)"
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
    p.set_defaults(func=_cmd_network)

    p = sub.add_parser("check", help="validate scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("run", help="run one scenario over its seeds; write tidy tables")
    p.add_argument("scenario", metavar="SCENARIO")
    _add_run_options(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("compare", help="run scenarios with the same seeds and compare them")
    p.add_argument("base", metavar="BASE")
    p.add_argument("others", nargs="+", metavar="OTHER")
    _add_run_options(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("report", help="rebuild a comparison report from saved results")
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(func=_cmd_report)
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
        print("interrupted: results already written are kept", file=sys.stderr)
        return 130
