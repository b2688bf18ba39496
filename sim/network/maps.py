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
from matplotlib.textpath import TextPath

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
ROUTE_LABELS = {
    "central_med": "Central Mediterranean",
    "western_balkans": "Western Balkans",
    "atlantic": "Atlantic",
    "western_med": "Western Mediterranean",
    "eastern_med": "Eastern Mediterranean",
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


#: Label positions tried around a marker, nearest first: (distance in points, direction).
_LABEL_RADII = (4.0, 9.0, 15.0, 22.0, 30.0, 40.0)
_LABEL_DIRECTIONS = ((1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1))
_MARKER_HALF = 3.5  # half the side of the box a marker occupies, in points


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _draw_places(ax: Axes, net: Network, xy: np.ndarray, extent: tuple[float, ...]) -> None:
    """The places' markers and labels; each label takes the nearest spot around its marker
    that covers no other label or marker (crowded places choose first), with a thin leader
    line when it had to move away."""
    ax.apply_aspect()  # the axes' final box, so that positions in points are right
    scale = 72.0 / ax.figure.dpi
    points = ax.transData.transform(xy) * scale
    frame = ax.get_window_extent()
    bounds = (frame.x0 * scale, frame.y0 * scale, frame.x1 * scale, frame.y1 * scale)
    markers = [
        (px - _MARKER_HALF, py - _MARKER_HALF, px + _MARKER_HALF, py + _MARKER_HALF)
        for px, py in points
    ]
    crowding = [
        int(((np.abs(points - p) < 40).all(axis=1)).sum()) for p in points
    ]  # neighbours within 40 points
    placed: list[tuple[float, float, float, float]] = []
    for k in sorted(range(len(net.places)), key=lambda i: -crowding[i]):
        place, (x, y) = net.places[k], xy[k]
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
        width = TextPath((0, 0), label, size=FONT_SIZE).get_extents().width + 1.0
        others = [m for i, m in enumerate(markers) if i != k]
        height = FONT_SIZE * 1.2  # the text box: letters with ascent and descent
        dx, dy, box = _free_spot(points[k], width, height, placed, others, bounds, off_map)
        placed.append(box)
        moved = math.hypot(dx, dy) > _LABEL_RADII[0] + 1
        ax.annotate(
            label,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="right" if dx < 0 else "left" if dx > 0 else "center",
            va="center",
            fontsize=FONT_SIZE,
            color="#222222",
            zorder=7,
            arrowprops={"arrowstyle": "-", "lw": 0.35, "color": "#777777", "shrinkA": 0,
                        "shrinkB": 2} if moved else None,
        )  # fmt: skip


def _free_spot(
    point: np.ndarray,
    width: float,
    height: float,
    placed: list[tuple[float, float, float, float]],
    markers: list[tuple[float, float, float, float]],
    bounds: tuple[float, float, float, float],
    left_only: bool,
) -> tuple[float, float, tuple[float, float, float, float]]:
    """The label offset (points) around a marker at ``point`` whose box overlaps other labels
    and markers least (the first free one, nearest first), and that box."""
    px, py = float(point[0]), float(point[1])
    directions = ((-1, 0),) if left_only else _LABEL_DIRECTIONS
    best = None
    for radius in _LABEL_RADII:
        for ux, uy in directions:
            dx, dy = ux * radius, uy * radius * 0.8
            if ux > 0:
                x0 = px + dx
            elif ux < 0:
                x0 = px + dx - width
            else:
                x0 = px - width / 2
            box = (x0, py + dy - height / 2, x0 + width, py + dy + height / 2)
            # A label over a label is unreadable; over a marker, only untidy.
            cost = 4 * sum(_overlap(box, b) for b in placed)
            cost += sum(_overlap(box, m) for m in markers)
            outside = (
                max(0.0, bounds[0] - box[0]) + max(0.0, box[2] - bounds[2])
                + max(0.0, bounds[1] - box[1]) + max(0.0, box[3] - bounds[3])
            )  # fmt: skip
            cost += outside * height + radius * 0.01  # nearer is better, other things equal
            if best is None or cost < best[0]:
                best = (cost, dx, dy, box)
            if cost <= radius * 0.01:
                return dx, dy, box
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
    if not diverging:  # legs are coloured by route: say which colour is which
        handles += [
            Line2D([], [], color=ROUTE_COLOURS[r], lw=2, label=ROUTE_LABELS[r]) for r in ROUTES
        ]
        handles.append(Line2D([], [], color=ROUTE_COLOURS[""], lw=2, label="no route"))
    handles += [
        Line2D([], [], color="#444444", ls=MODE_STYLE[m][0], lw=1.2, label=m) for m in MODES
    ]
    # Lower right: the Arabian Sea and India hold the fewest places.
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 0.025),
        fontsize=6.5,
        framealpha=0.9,
        ncol=2,
    )


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
        # Fixed margins (not a constrained layout, which moves the axes at drawing time):
        # labels are placed from the axes' final position.
        figure = Figure(figsize=(16, 9.5), dpi=130)
        FigureCanvasAgg(figure)
        figure.subplots_adjust(left=0.04, right=0.99, bottom=0.05, top=0.96)
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
