"""Capacity per LB/T 034-2014 on worked examples, and the crowd levels with hysteresis."""

import pytest

from tests.tourism.conftest import PALACE_ZONES
from xizang5g.tourism import capacity, services
from xizang5g.tourism.choices import CrowdLevel
from xizang5g.tourism.models import Zone


def test_instantaneous_capacity_is_the_floor_of_the_sum_of_area_over_space():
    assert capacity.instant_capacity([(6000, 4), (3000, 2)]) == 3000
    # Sum before the floor: 1000/3 + 2000/3 is exactly 1,000 (floating point gives 999.999…).
    assert capacity.instant_capacity([(1000, 3), (2000, 3)]) == 1000
    # 2,500 m² at 1.5 m² is 1,666.67 and 100 m² at 3 m² is 33.33: together 1,700.
    assert capacity.instant_capacity([(2500, 1.5), (100, 3)]) == 1700
    assert capacity.zone_capacity(2500, 1.5) == 1666


def test_daily_capacity_is_c1_times_turnover_lowered_to_the_cap():
    # open 8 h, average stay 3 h: Z = 2.667; 3,000 × 8 / 3 = 8,000.
    assert capacity.daily_capacity(3000, 8, 3) == 8000
    # 1,700 × 9.5 / 2.5 = 6,460.
    assert capacity.daily_capacity(1700, 9.5, 2.5) == 6460
    # a legal or reservation cap lower than C2 overrides it, a higher one does not
    assert capacity.daily_capacity(3000, 8, 2, cap_daily=5000) == 5000
    assert capacity.daily_capacity(3000, 8, 2, cap_daily=20000) == 12000


def test_a_spot_keeps_its_inputs_beside_the_results(spot):
    assert (spot.capacity_instant, spot.capacity_daily) == (3000, 5000)
    zones = {z.code: z for z in Zone.objects.filter(spot=spot)}
    assert zones["interior"].capacity_instant == 1500
    assert (zones["square"].area_m2, zones["square"].per_visitor_m2) == (3000, 2)
    assert (spot.open_hours, spot.average_stay_hours, spot.cap_daily) == (8, 2, 5000)


def test_the_tourism_department_supervises_every_spot(spot, tourism_dept, dept_editor):
    assert spot.supervising_unit == tourism_dept
    # it changes a spot it does not manage: here it lifts the reservation cap
    spot, created = services.spot_save(
        user=dept_editor,
        code="potala",
        name="布达拉宫",
        zones=PALACE_ZONES,
        open_hours=8,
        average_stay_hours=2,
        cap_daily=None,
    )
    assert not created and spot.capacity_daily == 12000


def test_another_unit_cannot_see_or_change_the_spot(spot, other_editor):
    from django.http import Http404

    with pytest.raises(Http404):
        services.spot_save(
            user=other_editor,
            code="potala",
            name="x",
            zones=PALACE_ZONES,
            open_hours=8,
            average_stay_hours=2,
        )


@pytest.mark.parametrize(
    ("occupancy", "current", "expected"),
    [
        (1499, CrowdLevel.COMFORTABLE, CrowdLevel.COMFORTABLE),
        (1500, CrowdLevel.COMFORTABLE, CrowdLevel.BUSY),
        (2400, CrowdLevel.BUSY, CrowdLevel.WARNING),
        (3000, CrowdLevel.WARNING, CrowdLevel.SATURATED),
        # falling: a level is held until 5 points below its threshold
        (2900, CrowdLevel.SATURATED, CrowdLevel.SATURATED),  # 96.7 %
        (2849, CrowdLevel.SATURATED, CrowdLevel.WARNING),  # 94.97 %
        (2300, CrowdLevel.WARNING, CrowdLevel.WARNING),  # 76.7 % ≥ 75 %
        (2249, CrowdLevel.WARNING, CrowdLevel.BUSY),  # 74.97 %
        (1000, CrowdLevel.SATURATED, CrowdLevel.COMFORTABLE),
        # rising never waits
        (2350, CrowdLevel.COMFORTABLE, CrowdLevel.BUSY),
    ],
)
def test_levels_with_hysteresis(occupancy, current, expected):
    assert capacity.level_for(occupancy, 3000, current=current) == expected
