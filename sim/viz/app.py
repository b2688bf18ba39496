"""The teaching view: Mesa's SolaraViz around a :class:`~sim.viz.model.ViewModel`.

``python run.py view [SCENARIO]`` serves this module's :func:`Page` (see
:mod:`sim.viz.serve`). The side bar holds SolaraViz's controls (Reset, ▶/❚❚ to run and
pause, Step) and the model's parameters: the replication (seed), the scale and the levers of
:data:`sim.viz.levers.LEVERS`. Moving a lever changes what the *next* model will be: press
Reset to start again from day 0 with it, as SolaraViz does for every parameter. The main area
shows the map, the charts and the numbers so far, redrawn after every step.

What to show comes from the environment (set by the ``view`` command), so the server process
needs no other configuration: ``MIXMIG_VIEW_SCENARIO`` (a scenario file),
``MIXMIG_VIEW_SCALE`` and ``MIXMIG_VIEW_REPLICATION`` (optional).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape

import solara
import yaml
from mesa.visualization import SolaraViz

from sim.scenario.loading import Scenario, load_scenario
from sim.viz.drawing import charts_figure, map_figure
from sim.viz.levers import LEVERS, lever_blocks
from sim.viz.model import MAX_REPLICATIONS, ViewModel

SCENARIO_VARIABLE = "MIXMIG_VIEW_SCENARIO"
SCALE_VARIABLE = "MIXMIG_VIEW_SCALE"
REPLICATION_VARIABLE = "MIXMIG_VIEW_REPLICATION"
#: Milliseconds between days when running (▶); drawing a day takes longer anyway.
PLAY_INTERVAL_MS = 50
#: Scales a class can choose (agents per person); the scenario's own is added.
SCALES = (0.002, 0.005, 0.01, 0.02, 0.05)
#: The totals shown under the charts: key of ViewModel.totals() and its label.
NUMBERS = (
    ("departures", "set out from home"),
    ("arrivals", "irregular arrivals (entries)"),
    ("dead_missing", "dead and missing"),
    ("legal_admissions", "legal admissions"),
    ("returns", "returns carried out"),
    ("voluntary_returns", "assisted voluntary returns"),
    ("expelled", "expelled from transit countries"),
    ("stranded", "stranded in transit countries today"),
    ("settled", "settled in transit countries today"),
    ("on_legs", "travelling a leg today"),
)


@dataclass(frozen=True)
class ViewSettings:
    """What the view starts with: the scenario, its scale and the replication."""

    scenario: Scenario
    scale: float
    replication: int = 1


def settings_from_environment() -> ViewSettings:
    """The settings the ``view`` command passed in the environment."""
    scenario = load_scenario(os.environ[SCENARIO_VARIABLE])
    scale = float(os.environ.get(SCALE_VARIABLE) or scenario.scale)
    replication = int(os.environ.get(REPLICATION_VARIABLE) or 1)
    return ViewSettings(scenario, scale, replication)


def model_params(settings: ViewSettings) -> dict[str, object]:
    """SolaraViz's ``model_params``: the scenario (fixed), the replication, the scale and
    every lever, at the values the view starts with."""
    scales = sorted({*SCALES, settings.scale})
    return {
        "scenario": settings.scenario,
        "replication": {"type": "SliderInt", "label": "Replication (seed 1 to 20)",
                        "value": settings.replication, "min": 1, "max": MAX_REPLICATIONS,
                        "step": 1},
        "scale": {"type": "Select", "label": "Scale (agents per person)",
                  "value": settings.scale, "values": scales},
        **{lever.name: lever.control() for lever in LEVERS},
    }  # fmt: skip


def map_view(model: ViewModel) -> solara.Element:
    """The network map (a PNG redrawn after each step)."""
    return solara.FigureMatplotlib(map_figure(model), format="png")


def charts_view(model: ViewModel) -> solara.Element:
    """Arrivals, deaths and people stranded per route (a PNG redrawn after each step)."""
    return solara.FigureMatplotlib(charts_figure(model), format="png")


def numbers_view(model: ViewModel) -> solara.Element:
    """The totals so far, and the policy blocks the levers added (as a scenario file holds
    them), so that what the class sees can be rerun with ``run`` and ``compare``.

    Plain HTML, not ``solara.Markdown``: Solara's Markdown fetches KaTeX from a CDN, which an
    offline classroom does not reach.
    """
    totals = model.totals()
    rows = "".join(
        f"<tr><td>{label}</td><td style='text-align:right' data-metric='{key}'>"
        f"{totals[key]:,.0f}</td></tr>"
        for key, label in NUMBERS
    )
    blocks = lever_blocks(model.levers, model.simulation.net)
    policy_text = (
        yaml.safe_dump({"policies": blocks}, sort_keys=False, allow_unicode=True)
        if blocks
        else "(none: the scenario as written)"
    )
    sim = model.simulation
    text = (
        f"<p id='mixmig-day'><b>{escape(model.scenario.name)}</b>, replication "
        f"{model.replication} (seed {model.seed}), scale {sim.scale:g}: "
        f"day {model.day} of {sim.days}, {model.date:%d %B %Y}</p>"
        f"<table><tr><th>all routes so far</th><th>persons</th></tr>{rows}</table>"
        "<p>Levers change the next run: move them, then press <b>Reset</b>.</p>"
        f"<p>Policy blocks the levers add:</p><pre>{escape(policy_text)}</pre>"
    )
    return solara.HTML(tag="div", unsafe_innerHTML=text, attributes={"id": "mixmig-numbers"})


@solara.component
def Page() -> None:
    """The page: one model per browser session, in Mesa's SolaraViz."""
    settings = solara.use_memo(settings_from_environment, [])
    model = solara.use_memo(
        lambda: ViewModel(
            scenario=settings.scenario, replication=settings.replication, scale=settings.scale
        ),
        [],
    )
    SolaraViz(
        model,
        components=[map_view, charts_view, numbers_view],
        model_params=model_params(settings),
        name=f"mixmig: {settings.scenario.name}",
        play_interval=PLAY_INTERVAL_MS,
    )
