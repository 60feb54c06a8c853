"""A light choropleth of the prefectures, drawn on the server as SVG (a few KB, no script), so that
a public page on a county's link can show where the pilots are without a charting library.

The outlines (core's DivisionShape, WGS84) are projected equirectangularly with the longitude
scaled by cos(latitude) at the region's centre — accurate enough for a thumbnail of Xizang — and
rounded to whole pixels and simplified to within a pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import DivisionShape

WIDTH = 640
# Five steps of one blue, lightest for none: readable on white, distinguishable in grey scale.
SHADES = ("#eef3f9", "#c6dbef", "#9ecae1", "#4292c6", "#08519c")


@dataclass(frozen=True)
class Region:
    adcode: int
    path: str  # SVG path data in the map's pixels


@dataclass(frozen=True)
class Outline:
    width: int
    height: int
    regions: tuple[Region, ...]


_OUTLINES: dict[str, Outline] = {}


def prefecture_outline() -> Outline | None:
    """The prefectures' outlines as SVG paths (kept once drawn: the shapes are reference data,
    loaded by `divisions_load`; None until they are)."""
    level = DivisionLevel.PREFECTURE
    if level not in _OUTLINES:
        outline = _outline(level)
        if outline is None:
            return None
        _OUTLINES[level] = outline
    return _OUTLINES[level]


def _outline(level: str) -> Outline | None:
    shapes = {
        shape.division.adcode: _polygons(shape.geometry)
        for shape in DivisionShape.objects.filter(division__level=level).select_related("division")
    }
    points = [p for polygons in shapes.values() for ring in polygons for p in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = WIDTH / ((max(lons) - min(lons)) * kx)
    height = math.ceil((max(lats) - min(lats)) * scale)

    def pixel(lon: float, lat: float) -> tuple[int, int]:
        return round((lon - min(lons)) * kx * scale), round((max(lats) - lat) * scale)

    regions = tuple(
        Region(adcode, _path(polygons, pixel)) for adcode, polygons in sorted(shapes.items())
    )
    return Outline(WIDTH, height, regions)


def _polygons(geometry: dict) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon (holes do not show at this size)."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _path(polygons, pixel) -> str:
    """Absolute first point, then relative steps (shorter), after dropping points within
    `TOLERANCE_PX` of the line their neighbours keep (Ramer–Douglas–Peucker)."""
    parts = []
    for ring in polygons:
        pixels = _simplified([pixel(lon, lat) for lon, lat, *_rest in ring])
        if len(pixels) < 3:
            continue
        (x0, y0), steps = pixels[0], []
        for (xa, ya), (xb, yb) in pairwise(pixels):
            steps.append(f"{xb - xa} {yb - ya}")
        parts.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(parts)


TOLERANCE_PX = 1.0


def _simplified(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    unique = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(unique) > 1 and unique[0] == unique[-1]:
        unique.pop()  # a closed ring: "z" closes it
    if len(unique) < 4:
        return unique
    # A ring's two ends coincide, so anchor it also at the point farthest from its start.
    x0, y0 = unique[0]
    far = max(range(len(unique)), key=lambda i: math.hypot(unique[i][0] - x0, unique[i][1] - y0))
    unique.append(unique[0])
    keep = {0, far, len(unique) - 1}
    stack = [(0, far), (far, len(unique) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = unique[first], unique[last]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        farthest, distance = None, TOLERANCE_PX
        for i in range(first + 1, last):
            x, y = unique[i]
            d = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep.add(farthest)
            stack += [(first, farthest), (farthest, last)]
    return [unique[i] for i in sorted(keep)][:-1]


def shade(value: int, top: int) -> str:
    """The fill for `value` of at most `top`: none is the lightest, the top the darkest."""
    if value <= 0 or top <= 0:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, 1 + math.floor((len(SHADES) - 1) * value / (top + 1)))]
