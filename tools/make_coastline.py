"""One-off script: build ``sim/data/coastline.json`` (country outlines for the network map).

Input: Natural Earth 1:110m Admin 0 countries (public domain), as shipped in the
``naturalearth_lowres`` dataset of the geopandas 0.14.4 wheel on PyPI. Reproduce with::

    pip download --no-deps "geopandas==0.14.4" -d /tmp/ne
    pip install pyshp            # only this script needs it; not a runtime dependency
    python tools/make_coastline.py /tmp/ne/geopandas-0.14.4-py3-none-any.whl

The script reads the shapefile straight out of the wheel (a zip archive) with ``pyshp``,
clips every ring to the map region, rounds coordinates to 0.01 degree, drops repeated points
and writes a small JSON file (~100 kB): ``{"source", "license", "bbox", "countries": [{"name",
"iso3", "rings": [[[lon, lat], ...], ...]}]}``. The attribution goes to
``sim/data/COASTLINE_LICENSE.txt``.
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from pathlib import Path

# lon_min, lat_min, lon_max, lat_max: the network's region with a margin (Dhaka is at 90 E).
BBOX = (-35.0, -12.0, 100.0, 65.0)
SOURCE = "Natural Earth 1:110m Admin 0 - Countries (naturalearth_lowres in geopandas 0.14.4)"
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
OUT = Path(__file__).resolve().parents[1] / "sim" / "data"

LICENSE = """\
Country outlines in coastline.json
==================================

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (version shipped as
"naturalearth_lowres" in the geopandas 0.14.4 wheel on PyPI), clipped to the map region and
rounded to 0.01 degree by tools/make_coastline.py.

Licence: Natural Earth data is in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/). No permission is needed to use it;
the attribution above is given as the authors request.

Country outlines are shown for orientation only and imply no position on any border or
territorial status. Small islands (Canary Islands, Malta, Lampedusa, Aegean islands) are not
in the 1:110m data; the network map still marks them as places.
"""


def _clip(ring: list[tuple[float, float]], bbox: tuple[float, ...]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clipping of a closed ring against the rectangle ``bbox``."""
    lon_min, lat_min, lon_max, lat_max = bbox
    edges = (
        (lambda p: p[0] >= lon_min, lambda a, b: _cut_x(a, b, lon_min)),
        (lambda p: p[0] <= lon_max, lambda a, b: _cut_x(a, b, lon_max)),
        (lambda p: p[1] >= lat_min, lambda a, b: _cut_y(a, b, lat_min)),
        (lambda p: p[1] <= lat_max, lambda a, b: _cut_y(a, b, lat_max)),
    )
    points = ring
    for inside, cut in edges:
        if not points:
            break
        clipped = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    clipped.append(cut(previous, point))
                clipped.append(point)
            elif inside(previous):
                clipped.append(cut(previous, point))
            previous = point
        points = clipped
    return points


def _cut_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cut_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def build(wheel: Path) -> dict:
    """Read the Natural Earth shapefile from the geopandas wheel and return the JSON document."""
    import shapefile  # pyshp

    with zipfile.ZipFile(wheel) as archive:
        files = {ext: io.BytesIO(archive.read(f"{MEMBER}.{ext}")) for ext in ("shp", "shx", "dbf")}
        encoding = archive.read(f"{MEMBER}.cpg").decode("ascii").strip() or "latin-1"
    reader = shapefile.Reader(
        shp=files["shp"], shx=files["shx"], dbf=files["dbf"], encoding=encoding
    )
    countries = []
    for item in reader.iterShapeRecords():
        record = item.record.as_dict()
        points = item.shape.points
        bounds = list(item.shape.parts) + [len(points)]
        rings = []
        for start, end in zip(bounds[:-1], bounds[1:], strict=True):
            clipped = _clip([tuple(p) for p in points[start:end]], BBOX)
            rounded: list[list[float]] = []
            for lon, lat in clipped:
                point = [round(lon, 2), round(lat, 2)]
                if not rounded or rounded[-1] != point:
                    rounded.append(point)
            if len(rounded) >= 4:
                rings.append(rounded)
        if rings:
            countries.append({"name": record["name"], "iso3": record["iso_a3"], "rings": rings})
    countries.sort(key=lambda c: c["name"])
    return {
        "source": SOURCE,
        "license": "public domain; see COASTLINE_LICENSE.txt",
        "bbox": list(BBOX),
        "countries": countries,
    }


def main() -> None:
    """Write ``sim/data/coastline.json`` and ``sim/data/COASTLINE_LICENSE.txt``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="path to geopandas-0.14.4-py3-none-any.whl")
    args = parser.parse_args()
    document = build(args.wheel)
    (OUT / "coastline.json").write_text(json.dumps(document, separators=(",", ":")) + "\n")
    (OUT / "COASTLINE_LICENSE.txt").write_text(LICENSE)
    print(f"wrote {len(document['countries'])} countries to {OUT / 'coastline.json'}")


if __name__ == "__main__":
    main()
