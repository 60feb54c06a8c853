"""Alarm levels of tailings-pond online monitoring (GB 51108-2015 with GB 50863-2013 5.5.4).

Each monitoring item gets four thresholds (blue, yellow, orange, red) derived from the pond's
design values (the design unit gives them, GB 50863 5.5.4; GB 51108 section 8.3 and its
commentary say how each is set — see constants.py and docs/industry.md). A point's level is the
highest threshold its value reaches. An item's level is the highest of its points' levels, raised
by the escalation rule (4 blue points → yellow item, 3 yellow → orange, 2 orange → red); the pond's
level follows from its items' levels by the same rule.

Pure functions: no database, so the tests work the standard's examples by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xizang5g.industry.choices import AlarmLevel, MonitoringItem
from xizang5g.industry.constants import (
    BEACH_FACTORS,
    DISPLACEMENT_FACTORS,
    ESCALATION,
    PHREATIC_FACTORS,
    RAINFALL_24H_MM,
)

LEVELS = (AlarmLevel.BLUE, AlarmLevel.YELLOW, AlarmLevel.ORANGE, AlarmLevel.RED)
# Items whose danger grows as the value falls (a shallower seepage line, a shorter beach).
FALLING = {MonitoringItem.PHREATIC, MonitoringItem.BEACH_LENGTH}


@dataclass(frozen=True)
class Design:
    """The design values of one pond."""

    min_phreatic_depth_m: float
    min_beach_length_m: float
    production_level_m: float
    flood_control_level_m: float
    max_flood_level_m: float
    displacement_limit_mm: float


def thresholds(item: str, design: Design) -> dict[int, float]:
    """{level: threshold} for an item, from the design values."""
    if item == MonitoringItem.PHREATIC:
        return {lv: design.min_phreatic_depth_m * PHREATIC_FACTORS[lv] for lv in LEVELS}
    if item == MonitoringItem.BEACH_LENGTH:
        return {lv: design.min_beach_length_m * BEACH_FACTORS[lv] for lv in LEVELS}
    if item in (MonitoringItem.SURFACE_DISPLACEMENT, MonitoringItem.INTERNAL_DISPLACEMENT):
        return {lv: design.displacement_limit_mm * DISPLACEMENT_FACTORS[lv] for lv in LEVELS}
    if item == MonitoringItem.RAINFALL:
        return dict(RAINFALL_24H_MM)
    if item == MonitoringItem.WATER_LEVEL:
        return {
            AlarmLevel.BLUE: design.production_level_m,
            AlarmLevel.YELLOW: (design.production_level_m + design.flood_control_level_m) / 2,
            AlarmLevel.ORANGE: design.flood_control_level_m,
            AlarmLevel.RED: design.max_flood_level_m,
        }
    raise ValueError(f"unknown monitoring item {item!r}")


def point_level(item: str, value: float, limits: Mapping[int, float]) -> int:
    """The level a value reaches: at or below the threshold for falling items, at or above for
    the others."""
    level = AlarmLevel.NONE
    for lv in LEVELS:
        limit = limits[lv]
        reached = value <= limit if item in FALLING else value >= limit
        if reached:
            level = lv
    return level


def escalate(levels: Iterable[int]) -> int:
    """The level of a group (an item's points, or a pond's items) under GB 50863 5.5.4."""
    levels = list(levels)
    if not levels:
        return AlarmLevel.NONE
    result = max(levels)
    for count, reached, makes in ESCALATION:
        if sum(1 for lv in levels if lv >= reached) >= count:
            result = max(result, makes)
    return result


def pond_levels(points: Iterable[tuple[str, int]]) -> tuple[dict[str, int], int]:
    """(item → level, pond level) from (item, point level) pairs."""
    by_item: dict[str, list[int]] = {}
    for item, level in points:
        by_item.setdefault(item, []).append(level)
    items = {item: escalate(levels) for item, levels in by_item.items()}
    return items, escalate(items.values())
