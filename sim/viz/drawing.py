"""The view's pictures, drawn with plain matplotlib from a :class:`~sim.viz.model.ViewModel`.

Each function returns a new :class:`~matplotlib.figure.Figure` (Agg, no global pyplot state,
so several browser sessions can draw at once): the map of the network with the people waiting
at each place and last week's crossings of each leg (over a background drawn once per
network), and the charts of arrivals, deaths and
people stranded per route since the first day. The view shows them; tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from sim.network import ROUTES, Network
from sim.network.maps import ROUTE_COLOURS, draw_network, map_positions
from sim.viz.model import FLOW_WINDOW_DAYS, ViewModel

#: Marker area (points²) of the largest crowd on the map.
MAX_CROWD_AREA = 900.0
CROWD_COLOUR = "#ffd92f"
#: Line width (points) of the busiest leg of the last week.
MAX_FLOW_WIDTH = 7.0
FLOW_COLOUR = "#222222"
#: The map's size in inches (100 dots each).
MAP_SIZE = (9.0, 5.6)


def _figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout=layout)
    FigureCanvasAgg(figure)
    return figure


@dataclass(frozen=True)
class MapBackground:
    """The parts of the map that do not change from day to day, drawn once per network: the
    country outlines, the places with their names, the legs in their routes' colours and the
    legend, as pixels; and where the map's axes lie in them, to draw each day's layer on top."""

    pixels: np.ndarray  # height x width x 4 (RGBA)
    position: tuple[float, float, float, float]  # axes box (left, bottom, width, height)
    xlim: tuple[float, float]
    ylim: tuple[float, float]


def _network_key(net: Network) -> tuple:
    return (tuple(net.place_ids), tuple(net.leg_ids), tuple(leg["closed"] for leg in net.legs))


_BACKGROUNDS: dict[tuple, MapBackground] = {}


def map_background(net: Network) -> MapBackground:
    """The network's :class:`MapBackground`, drawn on first use and then kept (a model that
    is reset draws the same network again; only a scenario that changes it draws anew)."""
    key = _network_key(net)
    if key not in _BACKGROUNDS:
        figure = _map_canvas()
        ax = figure.add_subplot()
        draw_network(net, ax, title=" ")
        figure.canvas.draw()
        box = ax.get_position()
        _BACKGROUNDS[key] = MapBackground(
            pixels=np.asarray(figure.canvas.buffer_rgba()).copy(),
            position=(box.x0, box.y0, box.width, box.height),
            xlim=ax.get_xlim(),
            ylim=ax.get_ylim(),
        )
    return _BACKGROUNDS[key]


def _map_canvas() -> Figure:
    # A fixed layout: the constrained one would measure every label of the map each time.
    figure = _figure(MAP_SIZE[0], MAP_SIZE[1], layout=None)
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.07, top=0.95)
    return figure


def map_figure(model: ViewModel) -> Figure:
    """The network map: dark lines over the legs, as wide as the persons who crossed them in
    the last week; yellow circles at the places, as large as the persons on their way there
    (the 12 largest crowds are labelled). Drawn over :func:`map_background`, so that a day
    costs two collections and a few labels."""
    net = model.simulation.net
    background = map_background(net)
    figure = _map_canvas()
    figure.figimage(background.pixels, origin="upper", zorder=-1)
    ax = figure.add_axes(background.position)
    ax.set_xlim(background.xlim)
    ax.set_ylim(background.ylim)
    ax.set_axis_off()
    ax.set_title(
        f"{model.scenario.name}, day {model.day} ({model.date:%d %b %Y}): crossings in the "
        f"last {FLOW_WINDOW_DAYS} days and people on their way at each place",
        fontsize=9,
    )
    xy = map_positions(net)
    c = net.compiled
    flows = model.recent_leg_flows()
    crossed = np.flatnonzero(flows > 0)
    widest = float(flows.max()) if crossed.size else 0.0
    if crossed.size:
        segments = np.stack([xy[c.leg_source[crossed]], xy[c.leg_target[crossed]]], axis=1)
        widths = 0.6 + (MAX_FLOW_WIDTH - 0.6) * flows[crossed] / widest
        ax.add_collection(
            LineCollection(segments, linewidths=widths, colors=FLOW_COLOUR, alpha=0.55, zorder=4)
        )
    people = model.people_at_places()
    top = float(people.max()) if people.size and people.max() > 0 else 1.0
    shown = people > 0
    ax.scatter(
        xy[shown, 0],
        xy[shown, 1],
        s=MAX_CROWD_AREA * people[shown] / top,
        facecolor=CROWD_COLOUR,
        edgecolor="#555555",
        linewidth=0.5,
        alpha=0.6,
        zorder=5,
    )
    for p in np.argsort(people)[::-1][:12]:
        if people[p] > 0:
            ax.annotate(
                f"{people[p]:,.0f}",
                xy[p],
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
                zorder=6,
            )
    ax.annotate(
        f"yellow circles: people on their way (largest: {top:,.0f})\n"
        f"dark lines: crossings in the last {FLOW_WINDOW_DAYS} days (widest: {widest:,.0f})",
        (0.995, 0.995),
        xycoords="axes fraction",
        ha="right",
        va="top",
        fontsize=7,
        bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
    )
    return figure


def charts_figure(model: ViewModel) -> Figure:
    """Three charts, one line per route: arrivals and deaths since the start (cumulative), and
    people stranded in transit countries each day."""
    series = model.route_series()
    figure = _figure(6.0, 7.0)
    axes = figure.subplots(3, 1, sharex=True)
    panels = (
        ("Irregular arrivals (entries, cumulative)", series.arrivals),
        ("Dead and missing (cumulative)", series.dead_missing),
        ("Stranded in transit countries", series.stranded),
    )
    for ax, (title, values) in zip(axes, panels, strict=True):
        for r, route in enumerate(ROUTES):
            ax.plot(
                series.dates,
                values[:, r] if len(series.dates) else [],
                color=ROUTE_COLOURS[route],
                label=route.replace("_", " "),
                linewidth=1.4,
            )
        ax.set_title(title, fontsize=8.5)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter("{x:,.0f}")
        top = float(np.max(values)) if np.size(values) else 0.0
        ax.set_ylim(0, max(top * 1.05, 10.0))  # a readable axis while nothing has happened
        ax.grid(alpha=0.3)
    if not series.dates:
        for ax in axes:
            ax.text(0.5, 0.5, "press Step or ▶", transform=ax.transAxes, ha="center", fontsize=8)
    axes[0].legend(fontsize=6.5, loc="upper left")
    axes[-1].xaxis.set_major_formatter(DateFormatter("%d %b"))
    figure.suptitle(f"Per route, day {model.day} of {model.simulation.days} (persons)", fontsize=9)
    return figure
