"""The teaching view's parts, without a browser: levers, the view's model, its pictures, the
page's controls and the ``view`` command's checks. (tests/test_view_browser.py opens the view
in a real browser.)"""

from __future__ import annotations

import dataclasses
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS
from mesa.visualization.solara_viz import _check_model_params

from sim.commands.view import missing_view_packages
from sim.execution.runner import replication_seeds, simulate
from sim.network import load_network
from sim.scenario.loading import load_scenario
from sim.viz.app import NUMBERS, ViewSettings, model_params
from sim.viz.drawing import charts_figure, map_background, map_figure
from sim.viz.levers import (
    AS_IN_SCENARIO,
    LEVER_NAMES,
    LEVERS,
    Levers,
    eu_border_states,
    lever_blocks,
    scenario_with_levers,
)
from sim.viz.model import FLOW_WINDOW_DAYS, ViewModel

TEACHING = SCENARIOS / "teaching.yaml"
#: Every lever away from its neutral value.
ALL_ON = Levers(
    pushbacks="0%",
    departure_prevention=0.6,
    smo_eligibility="restrictive",
    smo_capacity=1000,
    search_and_rescue=0.5,
    visa_leverage=0.8,
    information_campaign=0.4,
    voluntary_return=0.3,
    crackdown=0.1,
)


@pytest.fixture(scope="module")
def teaching():
    return load_scenario(TEACHING)


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def test_every_lever_is_a_field_of_levers_and_neutral_levers_add_no_block(network):
    assert LEVER_NAMES == tuple(f.name for f in dataclasses.fields(Levers))
    for lever in LEVERS:
        assert getattr(Levers(), lever.name) == lever.neutral
    assert lever_blocks(Levers(), network) == []


def test_each_lever_adds_its_policy_type(network):
    expected = {
        "pushbacks": {"pushbacks"},
        "departure_prevention": {"departure_prevention"},
        "smo_capacity": {"safe_mobility_office"},
        "search_and_rescue": {"search_and_rescue"},
        "visa_leverage": {"visa_leverage"},
        "information_campaign": {"information_campaign"},
        "voluntary_return": {"voluntary_return"},
        "crackdown": {"crackdown"},
    }
    for name, types in expected.items():
        one = dataclasses.replace(Levers(), **{name: getattr(ALL_ON, name)})
        assert {block["type"] for block in lever_blocks(one, network)} == types, name


def test_levers_make_a_scenario_validated_like_a_file(teaching, network):
    scenario = scenario_with_levers(teaching, ALL_ON, network)
    blocks = {block.id: block for block in scenario.policies}
    assert blocks["view_pushbacks"].probability == 0.0
    assert set(blocks["view_pushbacks"].states) == set(eu_border_states(network))
    assert {"HUN", "HRV", "GRC", "ESP", "ITA"} <= set(eu_border_states(network))
    assert blocks["view_smo"].capacity_per_month == 1000
    assert blocks["view_smo"].eligibility.nationalities == ["MLI", "BFA", "GIN"]
    assert blocks["view_prevention_TUN"].interception_rate == 0.6
    assert blocks["view_voluntary_return"].take_up == 0.3
    assert set(blocks["view_voluntary_return"].states) == {"LBY_W", "LBY_E", "TUN", "NER"}
    assert blocks["view_crackdown"].state == "TUN"
    assert blocks["view_crackdown"].expulsion_rate == 0.1
    assert scenario.days == teaching.days and scenario.scale == teaching.scale
    assert scenario_with_levers(teaching, Levers(), network).policies == teaching.policies


def test_replication_one_of_the_view_is_seed_one_of_run(teaching):
    view = ViewModel(scenario=teaching, replication=1)
    for _ in range(40):
        view.step()
    run = simulate(teaching, replication_seeds(teaching.seed, 1)[0], days=40)
    totals = run.summary[run.summary.route == "all"].set_index("metric").value
    assert view.seed == run.seed
    assert view.totals()["arrivals"] == totals["arrivals"]
    assert view.totals()["dead_missing"] == totals["dead_missing"]


def test_a_lever_changes_what_the_view_model_does(teaching):
    base = ViewModel(scenario=teaching)
    prevented = ViewModel(scenario=teaching, departure_prevention=0.9)
    for _ in range(60):
        base.step()
        prevented.step()
    central = 0  # central_med is the first route
    assert (
        prevented.route_series().arrivals[-1, central] < base.route_series().arrivals[-1, central]
    )
    assert prevented.simulation.outcomes.flows.sum() != base.simulation.outcomes.flows.sum()


def test_the_view_model_starts_on_day_0_after_the_scenarios_warm_up(teaching):
    assert teaching.parameters["warmup_days"] == 365
    view = ViewModel(scenario=teaching)
    assert view.day == 0 and view.date == teaching.start_date and view.running
    assert view.simulation.steps == 365
    # The people the warm-up put on the routes: stranded, settled, in line; nothing counted yet.
    totals = view.totals()
    assert totals["stranded"] > 10_000 and totals["settled"] > 10_000
    assert totals["arrivals"] == 0 and len(view.route_series().dates) == 0
    # The map of day 0 shows the warm-up's last week of crossings.
    assert view.recent_leg_flows().sum() > 0


def test_the_view_model_counts_people_at_places_and_recent_crossings(teaching):
    view = ViewModel(scenario=teaching)
    for _ in range(FLOW_WINDOW_DAYS):  # a window of days: every crossing counted is recent
        view.step()
    pop = view.simulation.population
    waiting = view.people_at_places().sum()
    on_legs = view.people_on_legs().sum()
    active = pop.active_count() / view.simulation.scale
    assert 0 < waiting < active and 0 < on_legs < active
    assert view.recent_leg_flows().sum() == pytest.approx(view.simulation.leg_flows.sum())
    for _ in range(20 - FLOW_WINDOW_DAYS):
        view.step()
    assert view.recent_leg_flows().sum() < view.simulation.leg_flows.sum()
    recorded = view.simulation.outcomes.daily_table()
    totals = view.totals()  # the model's own stocks
    assert totals["stranded"] == pytest.approx(recorded["stranded"][view.day - 1, -1])
    assert totals["settled"] == pytest.approx(recorded["settled"][view.day - 1, -1])
    series = view.route_series()
    assert series.arrivals.shape == (20, 5) and len(series.dates) == 20
    assert np.all(np.diff(series.arrivals, axis=0) >= 0)


def test_the_new_levers_send_people_home_and_expel_them_from_tunisia(teaching):
    def totals_after(days: int, **levers: object) -> dict[str, float]:
        view = ViewModel(scenario=teaching, **levers)
        for _ in range(days):
            view.step()
        table = view.simulation.outcomes.daily_table()
        return {m: float(table[m][:days, -1].sum()) for m in ("voluntary_returns", "expelled")}

    base = totals_after(30)  # the baseline's own expulsions: Algeria's
    returned = totals_after(30, voluntary_return=0.5)
    assert returned["voluntary_returns"] > base["voluntary_returns"]
    assert totals_after(30, crackdown=0.2)["expelled"] > base["expelled"] + 100


def test_the_view_model_stops_at_the_scenarios_last_day(teaching):
    short = load_scenario(TEACHING).model_copy(update={"days": 3})
    view = ViewModel(scenario=short)
    for _ in range(3):
        assert view.running
        view.step()
    assert not view.running


def test_the_map_and_the_charts_change_as_the_model_steps(teaching):
    view = ViewModel(scenario=teaching)
    view.step()
    before = _png(map_figure(view)), _png(charts_figure(view))
    for _ in range(5):
        view.step()
    after = _png(map_figure(view)), _png(charts_figure(view))
    assert before[0] != after[0] and before[1] != after[1]


def test_the_pages_controls_fit_the_view_model_as_mesa_checks_them(teaching):
    params = model_params(ViewSettings(teaching, 0.01, 2))
    _check_model_params(ViewModel.__init__, params)  # raises ValueError on a mismatch
    assert set(LEVER_NAMES) <= set(params) and params["scenario"] is teaching
    values = {k: v["value"] if isinstance(v, dict) else v for k, v in params.items()}
    assert ViewModel(**values).replication == 2
    assert {key for key, _ in NUMBERS} == set(ViewModel(scenario=teaching).totals())
    assert params["pushbacks"]["values"][0] == AS_IN_SCENARIO


def test_the_view_model_rejects_unknown_levers(teaching):
    with pytest.raises(Exception, match="unknown levers"):
        ViewModel(scenario=teaching, pushback=0.5)


def test_a_missing_package_of_the_viz_extra_is_named():
    assert missing_view_packages({"solara": "solara"}) == []
    assert missing_view_packages({"no_such_module_x": "no-such-package"}) == ["no-such-package"]


def _view(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "run.py", "view", *args, "--no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_view_on_a_port_in_use_says_so_in_one_line_with_code_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _view(str(TEACHING), "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"{port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_view_of_a_missing_scenario_or_bad_option_is_a_user_error():
    done = _view("no_such_scenario.yaml")
    assert done.returncode == 2 and "no_such_scenario.yaml" in done.stderr
    done = _view(str(TEACHING), "--replication", "99")
    assert done.returncode == 2 and "--replication" in done.stderr
    done = _view(str(TEACHING), "--scale", "2")
    assert done.returncode == 2 and "--scale" in done.stderr


def test_a_view_without_the_viz_extra_says_how_to_install_it_in_one_line():
    # Hide Solara from this Python as if the extra were not installed.
    hide = "import sys; sys.modules['solara'] = None; from sim.cli import main; "
    done = subprocess.run(
        [sys.executable, "-c", hide + f"sys.exit(main(['view', {str(TEACHING)!r}]))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "solara" in done.stderr and "pip install -e '.[viz]'" in done.stderr


def test_the_maps_background_is_drawn_once_per_network(teaching, network):
    background = map_background(network)
    assert map_background(load_network()) is background  # the same network again: kept
    closed = load_network({"legs": {network.leg_ids[0]: {"closed": True}}})
    other = map_background(closed)
    assert other is not background and other.pixels.shape == background.pixels.shape
    assert not np.array_equal(other.pixels, background.pixels)  # the closed leg is black


#: Run in the server's process instead of ``python -m sim.viz.serve``: it holds the page's
#: thread as it looks for ``solara`` (holding that module's import lock) until uvicorn starts
#: importing Solara's server, the moment at which two threads importing Solara's circular
#: package at once meet (Python then raises a ``_DeadlockError`` in one of them).
_MEET_IN_SOLARA = """
import sys, threading, time
from importlib import _bootstrap
from importlib.abc import MetaPathFinder
from importlib.machinery import PathFinder

import uvicorn

page_inside_solara = threading.Event()

def wait_until(condition):
    deadline = time.monotonic() + 20
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)

def main_thread_waits_for_an_import():
    return bool(_bootstrap._blocking_on.get(threading.main_thread().ident))

class HoldThePage(MetaPathFinder):
    # Solara's module is made, not yet in sys.modules, its lock held, until the main thread
    # waits for that lock (having taken the lock of solara.server first).

    def find_spec(self, name, path=None, target=None):
        if name != "solara" or threading.current_thread() is threading.main_thread():
            return None
        spec = PathFinder.find_spec(name, path)
        make = spec.loader.create_module

        def create_module(spec):
            page_inside_solara.set()
            wait_until(main_thread_waits_for_an_import)
            return make(spec)

        spec.loader.create_module = create_module
        return spec

def uvicorn_run_once_the_page_is_inside_solara(*args, _run=uvicorn.run, **kwargs):
    wait_until(lambda: "solara.server" in sys.modules or page_inside_solara.is_set())
    return _run(*args, **kwargs)

sys.meta_path.insert(0, HoldThePage())
uvicorn.run = uvicorn_run_once_the_page_is_inside_solara
from sim.viz.serve import main
sys.exit(main(["--port", sys.argv[1]]))
"""


def test_the_views_server_starts_when_the_page_and_the_server_import_solara_together():
    """The server prepares the page in a thread while uvicorn imports Solara's server; a
    view once failed to start in CI because both imported Solara at the same moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MIXMIG_VIEW_SCENARIO": str(TEACHING)}
    server = subprocess.Popen(
        [sys.executable, "-c", _MEET_IN_SOLARA, str(port)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        answered = False
        while time.monotonic() < deadline and server.poll() is None and not answered:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
                    answered = page.status == 200
            except OSError:
                time.sleep(0.3)
        time.sleep(1)  # the page's thread may still be importing when the server answers
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert answered, f"the view's server did not answer: {errors[-2000:]}"
    assert "Traceback" not in errors, errors[-2000:]
