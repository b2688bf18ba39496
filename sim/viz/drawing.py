"""The view's pictures, drawn with plain matplotlib from a :class:`~sim.viz.model.ViewModel`.

Each function returns a new :class:`~matplotlib.figure.Figure` (Agg, no global pyplot state,
so several browser sessions can draw at once): the map of the network with the people waiting
at each place and last week's crossings of each leg, and the charts of arrivals, deaths and
people stranded per route since the first day. The view shows them; tests call them directly.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from sim.network import ROUTES
from sim.network.maps import ROUTE_COLOURS, draw_network, map_positions
from sim.viz.model import FLOW_WINDOW_DAYS, ViewModel

#: Marker area (points²) of the largest crowd on the map.
MAX_CROWD_AREA = 900.0
CROWD_COLOUR = "#ffd92f"


def _figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def map_figure(model: ViewModel) -> Figure:
    """The network map: leg widths by persons who crossed in the last week, circles by
    persons on their way at each place (the 12 largest crowds are labelled)."""
    # A fixed layout: the constrained one would measure every label of the map each frame.
    figure = _figure(9.0, 5.6, layout=None)
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.07, top=0.95)
    ax = figure.add_subplot()
    net = model.simulation.net
    title = (
        f"{model.scenario.name}, day {model.day} ({model.date:%d %b %Y}): crossings in the "
        f"last {FLOW_WINDOW_DAYS} days and people on their way at each place"
    )
    draw_network(net, ax, leg_values=model.recent_leg_flows(), title=title)
    ax.title.set_fontsize(9)
    people = model.people_at_places()
    xy = map_positions(net)
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
        f"yellow circles: people on their way (largest: {top:,.0f})",
        (0.995, 0.995),
        xycoords="axes fraction",
        ha="right",
        va="top",
        fontsize=7,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    return figure


def charts_figure(model: ViewModel) -> Figure:
    """Three charts, one line per route: arrivals and deaths since the start (cumulative), and
    people stranded in transit countries each day."""
    series = model.route_series()
    figure = _figure(6.0, 7.0)
    axes = figure.subplots(3, 1, sharex=True)
    panels = (
        ("Irregular arrivals (detections, cumulative)", series.arrivals),
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
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    if not series.dates:
        for ax in axes:
            ax.text(0.5, 0.5, "press Step or ▶", transform=ax.transAxes, ha="center", fontsize=8)
    axes[0].legend(fontsize=6.5, loc="upper left")
    axes[-1].xaxis.set_major_formatter(DateFormatter("%d %b"))
    figure.suptitle(f"Per route, day {model.day} of {model.simulation.days} (persons)", fontsize=9)
    return figure
