"""Capacity of a scenic spot per LB/T 034-2014 (景区最大承载量核定导则), and crowd levels.

* instantaneous capacity C1 = Σ Xi / Yi over the zones (Xi effective area in m², Yi space per
  visitor in m²), rounded down;
* daily capacity C2 = C1 × Z with the turnover Z = opening hours / average stay, rounded down,
  and lowered to a legal or reservation cap when that is smaller.

Exact rational arithmetic (``fractions.Fraction`` of the decimal inputs) so that worked examples
land exactly on their integer results (1000/3 + 2000/3 is 1000, not 999.999…).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from xizang5g.tourism.choices import CrowdLevel

LEVELS = (CrowdLevel.COMFORTABLE, CrowdLevel.BUSY, CrowdLevel.WARNING, CrowdLevel.SATURATED)


def _exact(value: float | int | str) -> Fraction:
    return Fraction(str(value))


def zone_capacity(area_m2: float, per_visitor_m2: float) -> int:
    return math.floor(_exact(area_m2) / _exact(per_visitor_m2))


def instant_capacity(zones: Iterable[tuple[float, float]]) -> int:
    """C1 = floor(Σ area_m2 / per_visitor_m2) over (area_m2, per_visitor_m2) pairs."""
    return math.floor(sum((_exact(a) / _exact(y) for a, y in zones), Fraction(0)))


def daily_capacity(
    c1: int, open_hours: float, average_stay_hours: float, cap_daily: int | None = None
) -> int:
    """C2 = floor(C1 × open_hours / average_stay_hours), lowered to `cap_daily` if smaller."""
    c2 = math.floor(Fraction(c1) * _exact(open_hours) / _exact(average_stay_hours))
    if cap_daily is not None and cap_daily < c2:
        return cap_daily
    return c2


def level_for(
    occupancy: int,
    capacity: int,
    *,
    current: str = CrowdLevel.COMFORTABLE,
    busy_pct: float = 50,
    warning_pct: float = 80,
    saturated_pct: float = 100,
    hysteresis_pct: float = 5,
) -> str:
    """The crowd level for `occupancy` of `capacity` (C1), coming from level `current`.

    A level is reached at its threshold and left, downwards, only once the share falls
    `hysteresis_pct` points below it."""
    pct = math.inf if capacity <= 0 and occupancy > 0 else 0.0
    if capacity > 0:
        pct = 100.0 * occupancy / capacity
    thresholds = {
        CrowdLevel.BUSY: busy_pct,
        CrowdLevel.WARNING: warning_pct,
        CrowdLevel.SATURATED: saturated_pct,
    }
    raw = CrowdLevel.COMFORTABLE
    for level in LEVELS[1:]:
        if pct >= thresholds[level]:
            raw = level
    rank = LEVELS.index
    current = current if current in LEVELS else CrowdLevel.COMFORTABLE
    if rank(raw) >= rank(current):
        return raw
    for level in reversed(LEVELS[1 : rank(current) + 1]):
        if pct >= thresholds[level] - hysteresis_pct:
            return level
    return CrowdLevel.COMFORTABLE
