"""Maps of the route network, drawn offline with plain matplotlib (Agg).

:func:`draw_network` draws country outlines from ``sim/data/coastline.json`` (Natural Earth,
public domain; see ``COASTLINE_LICENSE.txt``), the places coloured by kind and the legs coloured
by route and styled by mode (land solid, sea dashed, air dotted and curved). Given a value per
compiled leg (e.g. persons who travelled it), line widths scale with the value; with
``diverging=True`` the values are differences against a base run, drawn red for increases and
blue for decreases.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Polygon

from sim.network.io import DATA_DIR, KINDS, MODES, ROUTES
from sim.network.loading import Network

COASTLINE = DATA_DIR / "coastline.json"

#: Largest extent drawn (lon_min, lon_max, lat_min, lat_max); places beyond it are pinned
#: to the edge with an arrow marker (Dhaka).
REGION = (-25.0, 80.0, -5.0, 52.0)
MARGIN_DEGREES = 3.0

KIND_STYLE = {
    "origin": ("#7b3294", "o", 34),
    "hub": ("#e08214", "s", 26),
    "departure": ("#d7191c", "^", 34),
    "entry": ("#2c7bb6", "D", 30),
    "destination": ("#1a9641", "*", 110),
}
ROUTE_COLOURS = {
    "central_med": "#e41a1c",
    "western_balkans": "#984ea3",
    "atlantic": "#ff7f00",
    "western_med": "#a65628",
    "eastern_med": "#377eb8",
    "": "#777777",
}
MODE_STYLE = {"land": ("-", 0.0), "sea": ("--", 0.12), "air": (":", 0.3)}
LAND, SEA, BORDER = "#eeebe3", "#dbe8f2", "#b9b3a6"
FONT_SIZE = 6.0


@functools.lru_cache(maxsize=1)
def _countries() -> tuple[tuple[np.ndarray, ...], ...]:
    document = json.loads(COASTLINE.read_text())
    return tuple(
        tuple(np.asarray(ring, dtype=float) for ring in country["rings"])
        for country in document["countries"]
    )


def _extent(net: Network) -> tuple[float, float, float, float]:
    lon = np.clip(net.compiled.place_lon, REGION[0], REGION[1])
    lat = np.clip(net.compiled.place_lat, REGION[2], REGION[3])
    return (
        max(REGION[0], float(lon.min()) - MARGIN_DEGREES),
        min(REGION[1], float(lon.max()) + MARGIN_DEGREES),
        max(REGION[2], float(lat.min()) - MARGIN_DEGREES),
        min(REGION[3], float(lat.max()) + MARGIN_DEGREES),
    )


def _short_name(name: str) -> str:
    return name.split(" (")[0].split(" and ")[0]


def _widths(values: np.ndarray, max_width: float = 7.0) -> tuple[np.ndarray, float]:
    """Line widths proportional to |value| (0.4 pt minimum for non-zero), and the scale max."""
    magnitude = np.abs(values)
    top = float(magnitude.max()) if magnitude.size and magnitude.max() > 0 else 1.0
    widths = np.where(magnitude > 0, 0.4 + (max_width - 0.4) * magnitude / top, 0.0)
    return widths, top


def _draw_base(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    ax.set_facecolor(SEA)
    for rings in _countries():
        for ring in rings:
            ax.add_patch(
                Polygon(ring, closed=True, facecolor=LAND, edgecolor=BORDER, lw=0.5, zorder=1)
            )
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    # Equirectangular map with the aspect right at the middle latitude.
    ax.set_aspect(1.0 / math.cos(math.radians((extent[2] + extent[3]) / 2)))
    ax.tick_params(labelsize=7, colors="#666666")
    ax.set_xlabel("longitude", fontsize=7, color="#666666")
    ax.set_ylabel("latitude", fontsize=7, color="#666666")


def _draw_legs(ax: Axes, net: Network, xy: np.ndarray, leg_values: Any, diverging: bool) -> float:
    compiled = net.compiled
    pairs = set(zip(compiled.leg_source.tolist(), compiled.leg_target.tolist(), strict=True))
    widths, top = (None, 0.0) if leg_values is None else _widths(leg_values)
    for k, leg in enumerate(net.legs):
        s, t = int(compiled.leg_source[k]), int(compiled.leg_target[k])
        linestyle, rad = MODE_STYLE[leg["mode"]]
        if (t, s) in pairs:  # two-way pairs: bend apart so both directions show
            rad = max(rad, 0.15)
        colour, alpha = ROUTE_COLOURS[leg["route"]], 0.85
        width = 1.1 if leg["mode"] != "air" else 0.8
        if widths is not None:
            if widths[k] == 0:
                colour, width, alpha = "#999999", 0.3, 0.35
            else:
                width = float(widths[k])
                if diverging:
                    colour = "#c0392b" if leg_values[k] > 0 else "#2166ac"
        if leg["closed"]:
            colour, alpha = "#000000", 0.6
        ax.add_patch(
            FancyArrowPatch(
                tuple(xy[s]),
                tuple(xy[t]),
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>,head_length=2.4,head_width=1.2",
                mutation_scale=min(1.0 + width * 0.6, 2.6),
                shrinkA=3,
                shrinkB=4,
                linestyle=linestyle,
                linewidth=width,
                color=colour,
                alpha=alpha,
                zorder=3 + (widths is not None and widths[k] > 0),
            )
        )
    return top


def _draw_places(ax: Axes, net: Network, xy: np.ndarray, extent: tuple[float, ...]) -> None:
    placed: list[tuple[float, float, float, float]] = []
    to_points = ax.transData.transform
    scale = 72.0 / ax.figure.dpi
    for place, (x, y) in zip(net.places, xy, strict=True):
        colour, marker, size = KIND_STYLE[place["kind"]]
        off_map = not (extent[0] <= place["lon"] <= extent[1])
        ax.scatter(
            [x],
            [y],
            s=size,
            c=colour,
            marker=">" if off_map else marker,
            edgecolors="white",
            linewidths=0.6,
            zorder=6,
        )
        label = _short_name(place["name"]) + (" (off map)" if off_map else "")
        px, py = to_points((x, y)) * scale
        dx, dy, box = _free_spot(px, py, len(label) * FONT_SIZE * 0.52, FONT_SIZE, placed, off_map)
        placed.append(box)
        ax.annotate(
            label,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="right" if dx < 0 else "left",
            va="center",
            fontsize=FONT_SIZE,
            color="#222222",
            zorder=7,
        )


def _free_spot(
    px: float,
    py: float,
    width: float,
    height: float,
    placed: list[tuple[float, float, float, float]],
    left_only: bool,
) -> tuple[float, float, tuple[float, float, float, float]]:
    """Pick the label offset (points) around a marker that overlaps earlier labels least."""
    candidates = (
        [(-4.0, 0.0)] if left_only else [(4, 0), (-4, 0), (3, 6), (3, -6), (-3, 6), (-3, -6)]
    )
    best = None
    for dx, dy in candidates:
        x0 = px + dx if dx > 0 else px + dx - width
        box = (x0, py + dy - height / 2, x0 + width, py + dy + height / 2)
        overlap = sum(
            max(0.0, min(box[2], b[2]) - max(box[0], b[0]))
            * max(0.0, min(box[3], b[3]) - max(box[1], b[1]))
            for b in placed
        )
        if best is None or overlap < best[0]:
            best = (overlap, dx, dy, box)
        if overlap == 0:
            break
    assert best is not None
    return best[1], best[2], best[3]


def _legend(ax: Axes, top: float, diverging: bool, has_values: bool) -> None:
    handles = [
        Line2D([], [], ls="", marker=m, color=c, markersize=6 if k != "destination" else 9, label=k)
        for k, (c, m, _) in KIND_STYLE.items()
        if k in KINDS
    ]
    if has_values:
        for fraction in (1.0, 0.5, 0.1):
            label = f"{'±' if diverging else ''}{fraction * top:,.0f}"
            width = 0.4 + (7.0 - 0.4) * fraction
            handles.append(Line2D([], [], color="#555555", lw=width, label=label))
        if diverging:
            handles.append(Line2D([], [], color="#c0392b", lw=2, label="increase"))
            handles.append(Line2D([], [], color="#2166ac", lw=2, label="decrease"))
    else:
        handles += [Line2D([], [], color=ROUTE_COLOURS[r], lw=2, label=r) for r in ROUTES]
        handles.append(Line2D([], [], color=ROUTE_COLOURS[""], lw=2, label="(other)"))
    handles += [
        Line2D([], [], color="#444444", ls=MODE_STYLE[m][0], lw=1.2, label=m) for m in MODES
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, framealpha=0.9, ncol=2)


def map_positions(net: Network) -> np.ndarray:
    """Where each place is drawn (lon, lat; places beyond the map pinned to its edge)."""
    extent = _extent(net)
    return np.column_stack(
        [
            np.clip(net.compiled.place_lon, extent[0] + 0.5, extent[1] - 0.5),
            np.clip(net.compiled.place_lat, extent[2] + 0.5, extent[3] - 0.5),
        ]
    )


def draw_network(
    net: Network,
    path_or_ax: str | Path | Axes,
    leg_values: np.ndarray | None = None,
    title: str = "",
    diverging: bool = False,
) -> Axes:
    """Draw the network on a map and save it to a PNG path, or draw on the given axes.

    ``leg_values`` holds one number per compiled leg (``net.legs`` order), e.g. persons who
    travelled each leg; widths scale linearly with the absolute value and a width legend is
    shown. With ``diverging=True`` the values are differences against a base run (red for
    increases, blue for decreases). Closed legs are drawn black. Returns the axes.
    """
    if leg_values is not None:
        leg_values = np.asarray(leg_values, dtype=float)
        if leg_values.shape != (net.compiled.n_legs,):
            raise ValueError(f"leg_values needs shape ({net.compiled.n_legs},)")
    extent = _extent(net)
    xy = map_positions(net)
    figure = None
    if isinstance(path_or_ax, Axes):
        ax = path_or_ax
    else:
        figure = Figure(figsize=(16, 9.5), dpi=130, layout="constrained")
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
    _draw_base(ax, extent)
    top = _draw_legs(ax, net, xy, leg_values, diverging)
    _draw_places(ax, net, xy, extent)
    _legend(ax, top, diverging, leg_values is not None)
    ax.set_title(title or "mixmig route network", fontsize=11)
    ax.annotate(
        "Country outlines: Natural Earth (public domain)",
        (0.995, 0.005),
        xycoords="axes fraction",
        ha="right",
        va="bottom",
        fontsize=5.5,
        color="#666666",
    )
    if figure is not None:
        path = Path(path_or_ax)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
    return ax
