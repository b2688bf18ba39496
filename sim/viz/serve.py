"""The view's web server: ``python -m sim.viz.serve --host H --port P``.

Started by ``python run.py view`` as a child process (so that the command itself needs none
of the view's libraries to report what is missing). It first checks the scenario and the scale
(a mistake: the one-paragraph error and exit code 2), then serves :func:`sim.viz.app.Page` with
Solara's server on uvicorn, in production mode, with Solara's telemetry off and the front-end
assets taken from the ``solara-assets`` package installed in this environment (Solara's
"assets proxy" cache is ``<prefix>/share/solara/cdn``, which that package fills), so the page
loads nothing from the internet.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
import warnings

import uvicorn

from sim.errors import UserError
from sim.execution.runner import check_run_options
from sim.network import load_network
from sim.scenario.loading import Scenario, load_scenario
from sim.viz.drawing import map_background

#: Solara reads these when it is imported; they are set before that.
SOLARA_ENVIRONMENT = {
    "SOLARA_APP": "sim.viz.app:Page",
    "SOLARA_MODE": "production",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_THEME_TITLE": "mixmig",
    # Mesa 3.3's SolaraViz trips Solara's rule-of-hooks check (a warning, harmless).
    "SOLARA_CHECK_HOOKS": "off",
}


def check_what_to_show() -> Scenario:
    """Load the scenario the ``view`` command named and check the scale, before serving."""
    scenario = load_scenario(os.environ["MIXMIG_VIEW_SCENARIO"])
    scale = os.environ.get("MIXMIG_VIEW_SCALE")
    check_run_options(scale=float(scale) if scale else None)
    return scenario


def prepare_page(scenario: Scenario) -> None:
    """What the first page would otherwise wait for: its module (Mesa's SolaraViz, the model;
    seconds of imports) and the map's background for the scenario's network."""
    importlib.import_module("sim.viz.app")
    map_background(load_network(scenario.network_overrides() or None))


def main(argv: list[str] | None = None) -> int:
    """Check what to show, then serve the view until interrupted; on a mistake print the
    one-paragraph error (as the command line does) and return 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        scenario = check_what_to_show()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    os.environ.update(SOLARA_ENVIRONMENT)
    # Solara warns, once per visitor, that a local http:// page gets "lax" cookies: as it should.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none")
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    # Solara's server reads the settings above when it is imported, here, before the page's
    # thread starts: two threads importing Solara's package (it imports itself in a circle) at
    # once can meet in Python's import locks, and one of them fails with a _DeadlockError.
    server = importlib.import_module("solara.server.starlette")
    # Prepare the first page in the background while the server starts and the browser loads
    # the page's scripts (Solara's import of the page's module waits for this one to finish).
    threading.Thread(target=prepare_page, args=(scenario,), daemon=True).start()
    uvicorn.run(
        server.app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
