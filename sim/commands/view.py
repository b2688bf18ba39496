"""``view [SCENARIO]``: the interactive teaching view, in the browser.

The command checks everything a teacher could get wrong before anything starts (the view's
libraries, the scenario file, the options, the port), each with a one-line message and exit
code 2; then it starts the view's server (:mod:`sim.viz.serve`) as a child process, waits until
the page answers, prints its address and opens it in the browser. Ctrl-C stops the server.

The server is a child process so that this module imports none of the view's libraries (nor
the model's: the command answers at once): it can say that the ``viz`` extra is missing instead
of failing on an import. The child checks the scenario and the scale before it serves, and on a
mistake prints the usual one-paragraph error and exits with code 2, which the command passes on.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Sequence
from pathlib import Path

from sim.errors import UserError

DEFAULT_SCENARIO = Path("scenarios") / "teaching.yaml"
DEFAULT_PORT = 8521
#: Seconds to wait for the server to answer before giving up.
START_TIMEOUT_S = 90.0
#: The modules the view needs, and the package that brings each (the ``viz`` extra).
VIEW_MODULES = {
    "solara": "solara",
    "solara_assets": "solara-assets",
    "ipyvuetify": "ipyvuetify",
    "altair": "altair",
    "uvicorn": "uvicorn",
}
INSTALL_HINT = "install the view with `pip install -e '.[viz]'` (make demo and make test do)"
#: The replication a view starts with may be 1 to this (sim.viz.model.MAX_REPLICATIONS).
MAX_REPLICATIONS = 20
#: The exit code of a server that found a mistake in the scenario or options (a UserError).
USER_ERROR_EXIT = 2


class ServerStopped(Exception):
    """The view's server stopped before it answered; ``code`` is its exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the view's server stopped while starting (exit code {code})")
        self.code = code


def missing_view_packages(modules: dict[str, str] = VIEW_MODULES) -> list[str]:
    """The packages of the ``viz`` extra that are not installed (or, for ipyvuetify, at a
    version Mesa 3.3's SolaraViz cannot use)."""
    missing = [package for module, package in modules.items() if not _installed(module)]
    if "ipyvuetify" in modules and "ipyvuetify" not in missing:
        major = importlib.metadata.version("ipyvuetify").split(".")[0]
        if major.isdigit() and int(major) >= 3:
            missing.append("ipyvuetify<3 (Mesa 3.3's SolaraViz needs ipyvuetify 1.x)")
    return missing


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check_port_free(host: str, port: int) -> None:
    """Raise a :class:`UserError` unless ``port`` on ``host`` can be listened on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: a port that a closed connection left waiting is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise UserError(
                f"cannot serve the view on {host}:{port} ({error.strerror or error}): "
                f"stop what uses that port or pick another with --port"
            ) from None


def view_environment(scenario: Path, scale: float | None, replication: int) -> dict[str, str]:
    """The child's environment: this one plus what the view should show."""
    environment = dict(os.environ)
    environment["MIXMIG_VIEW_SCENARIO"] = str(scenario)  # the child runs in this folder
    environment["MIXMIG_VIEW_REPLICATION"] = str(replication)
    if scale is not None:
        environment["MIXMIG_VIEW_SCALE"] = repr(scale)
    return environment


def wait_until_served(url: str, server: subprocess.Popen, timeout: float) -> float:
    """Seconds until ``url`` answers; :class:`ServerStopped` if the server stops first, a
    :class:`UserError` if it does not answer in time."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise ServerStopped(server.returncode)
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise UserError(f"the view's server did not answer at {url} within {timeout:.0f} s")


def start_server(
    scenario: Path, host: str, port: int, scale: float | None, replication: int
) -> subprocess.Popen:
    """Start :mod:`sim.viz.serve` as a child process (its messages go to this terminal)."""
    command: Sequence[str] = [sys.executable, "-m", "sim.viz.serve", "--host", host]
    return subprocess.Popen(
        [*command, "--port", str(port)], env=view_environment(scenario, scale, replication)
    )


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    """Check, start the server, open the page; serve until Ctrl-C."""
    missing = missing_view_packages()
    if missing:
        raise UserError(f"the view needs {', '.join(missing)}: {INSTALL_HINT}")
    scenario = Path(args.scenario) if args.scenario else DEFAULT_SCENARIO
    if not scenario.is_file():
        raise UserError(
            f"{scenario}: scenario file not found"
            + ("" if args.scenario else "; run from the project folder or name a scenario file")
        )
    if not 1 <= args.replication <= MAX_REPLICATIONS:
        raise UserError(f"--replication must be 1 to {MAX_REPLICATIONS}, got {args.replication}")
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port must be 1 to 65535, got {args.port}")
    check_port_free(args.host, args.port)
    url = f"http://{args.host}:{args.port}/"
    server = start_server(scenario, args.host, args.port, args.scale, args.replication)
    # Stopped by a signal (not only Ctrl-C), the command still stops its server.
    signal.signal(signal.SIGTERM, _stop)
    try:
        seconds = wait_until_served(url, server, START_TIMEOUT_S)
        print(f"The view of {scenario} is at {url} (started in {seconds:.1f} s; Ctrl-C stops it)")
        sys.stdout.flush()
        if not args.no_browser:
            webbrowser.open(url)
        server.wait()
    except ServerStopped as stopped:
        if stopped.code == USER_ERROR_EXIT:
            return USER_ERROR_EXIT  # the server printed the error
        raise UserError(f"{stopped}; its messages are above") from None
    except KeyboardInterrupt:
        print("view stopped", file=sys.stderr)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
    return 0
