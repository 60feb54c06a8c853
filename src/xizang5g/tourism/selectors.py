"""Reads of the tourism app, always from what the user may see."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils import timezone

from xizang5g.core import access
from xizang5g.tourism.models import CarPark, ContentItem, DailyStat, OccupancyPoint, ScenicSpot


def spot_list(*, user, filters: dict | None = None):
    qs = ScenicSpot.objects.restrict(user).select_related("state", "county", "managing_unit")
    filters = filters or {}
    if filters.get("prefecture"):
        qs = qs.filter(county__parent__adcode=filters["prefecture"])
    if filters.get("level"):
        qs = qs.filter(state__level=filters["level"])
    return qs


def spot_get(*, user, code: str, action: str = access.VIEW) -> ScenicSpot:
    return access.get_or_404(
        ScenicSpot.objects.select_related("state", "managing_unit"), user, action, code=code
    )


def occupancy_last_day(*, user, spot: ScenicSpot) -> list[tuple[datetime, int]]:
    """(time, occupancy) of the spot over the last 24 hours, so that before opening the chart
    still shows yesterday."""
    since = timezone.now() - timedelta(hours=24)
    points = OccupancyPoint.objects.restrict(user).filter(spot=spot, at__gte=since).order_by("at")
    return list(points.values_list("at", "occupancy"))


def car_park_list(*, user, spot: ScenicSpot | None = None):
    qs = CarPark.objects.restrict(user).select_related("spot")
    return qs.filter(spot=spot) if spot else qs


def content_list(*, user, spot: ScenicSpot | None = None):
    qs = ContentItem.objects.restrict(user).select_related("spot")
    return qs.filter(spot=spot) if spot else qs


def daily_list(*, user, filters: dict | None = None):
    qs = DailyStat.objects.restrict(user).select_related("spot__county__parent")
    filters = filters or {}
    if filters.get("start"):
        qs = qs.filter(date__gte=filters["start"])
    if filters.get("end"):
        qs = qs.filter(date__lte=filters["end"])
    if filters.get("prefecture"):
        qs = qs.filter(spot__county__parent__adcode=filters["prefecture"])
    return qs


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def nearest_free_car_park(parks, lon: float, lat: float) -> tuple[CarPark, float] | None:
    """Guidance: the nearest car park with a free space, with its distance in km."""
    best = None
    for park in parks:
        if park.free <= 0:
            continue
        d = haversine_km(lon, lat, park.lon, park.lat)
        if best is None or d < best[1]:
            best = (park, d)
    return best
