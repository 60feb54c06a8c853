"""GB 51108-2015 alarm levels on series worked by hand (docs/industry.md shows the same tables).

Design values of the test pond: minimum seepage-line depth 6 m, minimum dry beach 70 m, water
levels 4,420 (production control) / 4,423 (flood-season control) / 4,425 m (highest flood),
allowable displacement 100 mm. Thresholds (blue, yellow, orange, red):

  seepage line depth (m, falling)  7.8  7.2  6.6  6.0     (1.3, 1.2, 1.1, 1.0 × 6 m)
  dry beach (m, falling)           91   84   77   70      (1.3, 1.2, 1.1, 1.0 × 70 m)
  displacement (mm)                40   60   80   100     (0.4, 0.6, 0.8, 1.0 × 100 mm)
  water level (m)                  4420 4421.5 4423 4425
  rainfall 24 h (mm)               25   50   100  250     (GB/T 28592 grades)
"""

import pytest

from xizang5g.industry import gb51108
from xizang5g.industry.choices import AlarmLevel as L
from xizang5g.industry.choices import MonitoringItem as I

DESIGN = gb51108.Design(
    min_phreatic_depth_m=6.0,
    min_beach_length_m=70.0,
    production_level_m=4420.0,
    flood_control_level_m=4423.0,
    max_flood_level_m=4425.0,
    displacement_limit_mm=100.0,
)


def level(item, value):
    return gb51108.point_level(item, value, gb51108.thresholds(item, DESIGN))


def test_thresholds_from_design_values():
    t = gb51108.thresholds(I.PHREATIC, DESIGN)
    assert [round(t[lv], 6) for lv in gb51108.LEVELS] == [7.8, 7.2, 6.6, 6.0]
    t = gb51108.thresholds(I.BEACH_LENGTH, DESIGN)
    assert [round(t[lv], 6) for lv in gb51108.LEVELS] == [91.0, 84.0, 77.0, 70.0]
    t = gb51108.thresholds(I.SURFACE_DISPLACEMENT, DESIGN)
    assert [round(t[lv], 6) for lv in gb51108.LEVELS] == [40.0, 60.0, 80.0, 100.0]
    t = gb51108.thresholds(I.WATER_LEVEL, DESIGN)
    assert [t[lv] for lv in gb51108.LEVELS] == [4420.0, 4421.5, 4423.0, 4425.0]
    t = gb51108.thresholds(I.RAINFALL, DESIGN)
    assert [t[lv] for lv in gb51108.LEVELS] == [25.0, 50.0, 100.0, 250.0]


@pytest.mark.parametrize(
    ("item", "value", "expected"),
    [
        (I.PHREATIC, 9.0, L.NONE),
        (I.PHREATIC, 7.8, L.BLUE),  # at the threshold
        (I.PHREATIC, 7.0, L.YELLOW),
        (I.PHREATIC, 6.5, L.ORANGE),
        (I.PHREATIC, 5.9, L.RED),
        (I.BEACH_LENGTH, 95.0, L.NONE),
        (I.BEACH_LENGTH, 80.0, L.YELLOW),
        (I.BEACH_LENGTH, 69.0, L.RED),
        (I.SURFACE_DISPLACEMENT, 39.9, L.NONE),
        (I.INTERNAL_DISPLACEMENT, 65.0, L.YELLOW),
        (I.SURFACE_DISPLACEMENT, 100.0, L.RED),
        (I.WATER_LEVEL, 4419.0, L.NONE),
        (I.WATER_LEVEL, 4421.0, L.BLUE),
        (I.WATER_LEVEL, 4423.5, L.ORANGE),
        (I.RAINFALL, 30.0, L.BLUE),
        (I.RAINFALL, 120.0, L.ORANGE),
    ],
)
def test_point_levels(item, value, expected):
    assert level(item, value) == expected


def test_escalation_within_an_item():
    # 4 points at blue → the item is yellow, though no point is
    assert gb51108.escalate([L.BLUE, L.BLUE, L.BLUE, L.BLUE, L.NONE]) == L.YELLOW
    # 3 blue: stays blue
    assert gb51108.escalate([L.BLUE, L.BLUE, L.BLUE, L.NONE]) == L.BLUE
    # 3 points at yellow or above → orange
    assert gb51108.escalate([L.YELLOW, L.YELLOW, L.YELLOW]) == L.ORANGE
    # 2 orange → red
    assert gb51108.escalate([L.ORANGE, L.ORANGE, L.NONE]) == L.RED
    # one red point makes the item red
    assert gb51108.escalate([L.RED]) == L.RED
    assert gb51108.escalate([]) == L.NONE


def test_a_pond_worked_by_hand():
    series = [
        # seepage line: four points between 7.2 and 7.8 m → 4 blue → item yellow
        (I.PHREATIC, level(I.PHREATIC, 7.5)),
        (I.PHREATIC, level(I.PHREATIC, 7.7)),
        (I.PHREATIC, level(I.PHREATIC, 7.6)),
        (I.PHREATIC, level(I.PHREATIC, 7.8)),
        (I.PHREATIC, level(I.PHREATIC, 9.0)),
        # displacement: 45 (blue), 65 and 70 (yellow), 82 (orange) → 3 at yellow+ → item orange
        (I.SURFACE_DISPLACEMENT, level(I.SURFACE_DISPLACEMENT, 45)),
        (I.SURFACE_DISPLACEMENT, level(I.SURFACE_DISPLACEMENT, 65)),
        (I.SURFACE_DISPLACEMENT, level(I.SURFACE_DISPLACEMENT, 70)),
        (I.SURFACE_DISPLACEMENT, level(I.SURFACE_DISPLACEMENT, 82)),
        (I.WATER_LEVEL, level(I.WATER_LEVEL, 4421.0)),  # blue
        (I.RAINFALL, level(I.RAINFALL, 30.0)),  # blue
        (I.BEACH_LENGTH, level(I.BEACH_LENGTH, 95.0)),  # normal
    ]
    items, pond = gb51108.pond_levels(series)
    assert items == {
        I.PHREATIC: L.YELLOW,
        I.SURFACE_DISPLACEMENT: L.ORANGE,
        I.WATER_LEVEL: L.BLUE,
        I.RAINFALL: L.BLUE,
        I.BEACH_LENGTH: L.NONE,
    }
    # items at blue or above: 4 → yellow; at yellow+: 2 (<3); at orange+: 1 → the worst, orange
    assert pond == L.ORANGE

    # the beach shortens to 80 m (yellow): 3 items at yellow or above → orange (still orange)
    series[-1] = (I.BEACH_LENGTH, level(I.BEACH_LENGTH, 80.0))
    assert gb51108.pond_levels(series)[1] == L.ORANGE
    # the pond rises to 4,423.5 m (orange): 2 items at orange → the pond is red
    series[-3] = (I.WATER_LEVEL, level(I.WATER_LEVEL, 4423.5))
    assert gb51108.pond_levels(series)[1] == L.RED
