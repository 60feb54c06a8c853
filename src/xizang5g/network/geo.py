"""Small geographic helpers on the shipped division outlines (WGS84 GeoJSON)."""

from __future__ import annotations

import numpy as np


def _ring_contains(ring, lon: float, lat: float) -> bool:
    """Even-odd ray casting on one linear ring [[lon, lat], ...]."""
    pts = np.asarray(ring, float)
    x, y = pts[:, 0], pts[:, 1]
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    crosses = (y > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x + (lat - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(crosses & (lon < x_at)) % 2)


def geometry_contains(geometry: dict, lon: float, lat: float) -> bool:
    """Whether a GeoJSON Polygon/MultiPolygon holds the point (holes respected)."""
    kind = geometry.get("type")
    polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry.get("coordinates", [])
    for rings in polygons:
        inside = rings and _ring_contains(rings[0], lon, lat)
        if inside and not any(_ring_contains(hole, lon, lat) for hole in rings[1:]):
            return True
    return False


def county_at(lon: float, lat: float, counties) -> object | None:
    """The county (AdminDivision) holding the point, else the one with the nearest seat within 1°."""
    for county in counties:
        if geometry_contains(county.shape.geometry, lon, lat):
            return county
    best, best_d = None, 1.0
    for county in counties:
        d = float(
            np.hypot((county.seat_lon - lon) * np.cos(np.radians(lat)), county.seat_lat - lat)
        )
        if d < best_d:
            best, best_d = county, d
    return best
