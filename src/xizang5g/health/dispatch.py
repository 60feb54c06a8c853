"""Estimated travel time of an ambulance to a caller: distance with a per-county detour factor
and a speed, both configurable (settings, see constants.py)."""

from __future__ import annotations

import math

from django.conf import settings

from xizang5g.health import constants as C


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * C.EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def detour_factor(adcode: int | None) -> float:
    factors = getattr(settings, "HEALTH_DETOUR_FACTORS", {}) or {}
    default = getattr(settings, "HEALTH_DEFAULT_DETOUR_FACTOR", C.DEFAULT_DETOUR_FACTOR)
    return float(factors.get(adcode, default)) if adcode is not None else float(default)


def speed_kmh(adcode: int | None) -> float:
    speed = getattr(settings, "HEALTH_AMBULANCE_SPEED_KMH", C.DEFAULT_SPEED_KMH)
    if isinstance(speed, dict):
        return float(speed.get(adcode, C.DEFAULT_SPEED_KMH))
    return float(speed)


def travel_minutes(
    lon1: float, lat1: float, lon2: float, lat2: float, *, adcode: int | None = None
) -> float:
    """Minutes from (lon1, lat1) to (lon2, lat2) in county `adcode` (the caller's)."""
    road_km = distance_km(lon1, lat1, lon2, lat2) * detour_factor(adcode)
    return road_km / speed_kmh(adcode) * 60.0
