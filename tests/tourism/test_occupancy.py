"""Live occupancy from a day of cumulative gate counts, a headcount correcting the drift, and the
crowd alert at 80 % and 100 % of C1 with hysteresis."""

import zoneinfo
from datetime import datetime
from decimal import Decimal

import pytest

from xizang5g.core.choices import AlertSeverity, AlertState
from xizang5g.core.models import Alert
from xizang5g.tourism import services
from xizang5g.tourism.choices import CountSource, CrowdLevel
from xizang5g.tourism.models import DailyStat, SpotState, Zone

LHASA = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 8, 1, hh, mm, tzinfo=LHASA)


def push(zone, when, entries, exits, source="gate:1", kind=CountSource.GATE):
    return services.counts_record(
        [
            services.Count(
                zone=zone, at=when, entries=entries, exits=exits, source=source, kind=kind
            )
        ],
        now=when,
    )


@pytest.fixture
def zones(spot):
    return {z.code: z for z in Zone.objects.filter(spot=spot)}


def test_a_day_of_gate_counts_with_a_headcount_correction(spot, zones):
    interior = zones["interior"]
    # two gates, each reporting cumulative entries and exits since opening
    push(interior, at(9), 0, 0, "gate:1")
    push(interior, at(9), 0, 0, "gate:2")
    push(interior, at(10), 600, 50, "gate:1")
    push(interior, at(10), 400, 50, "gate:2")
    state = SpotState.objects.get(spot=spot)
    assert (state.occupancy, state.entries_today) == (900, 1000)
    # the operators' signalling data count 1,000 people at 10:30: the gates missed 100
    services.headcount_record(zone=interior, at=at(10, 30), count=1000, source="cmcc")
    assert SpotState.objects.get(spot=spot).occupancy == 1000
    # from then on, the net flow of each gate since its last count before the headcount is added
    push(interior, at(11), 1000, 200, "gate:1")  # net since 10:00: +400 − 150 = +250
    push(interior, at(11), 600, 100, "gate:2")  # net since 10:00: +200 − 50 = +150
    state = SpotState.objects.get(spot=spot)
    assert state.occupancy == 1000 + 250 + 150
    assert state.entries_today == 1600
    assert state.zones == {"interior": 1400, "square": 0}
    # evening: the gates count everyone out; the 100 the gates missed in the morning (the
    # headcount's correction) stay until the next headcount
    push(interior, at(17), 1500, 1500, "gate:1")
    push(interior, at(17), 900, 900, "gate:2")
    assert SpotState.objects.get(spot=spot).occupancy == 100
    services.headcount_record(zone=interior, at=at(17, 30), count=0)
    assert SpotState.objects.get(spot=spot).occupancy == 0


def test_counts_are_idempotent_by_zone_source_and_time(spot, zones):
    first = push(zones["square"], at(10), 500, 100)
    again = push(zones["square"], at(10), 500, 100)
    assert (first["stored"], again["stored"]) == (1, 0)
    assert SpotState.objects.get(spot=spot).occupancy == 400


def test_ticket_validations_stand_in_only_without_gates(spot, zones):
    square = zones["square"]
    push(square, at(10), 300, 0, source="ticket", kind=CountSource.TICKET)
    assert SpotState.objects.get(spot=spot).occupancy == 300
    push(square, at(10, 5), 280, 20, source="api", kind=CountSource.API)
    assert SpotState.objects.get(spot=spot).occupancy == 260


def _crowd_alerts(spot):
    return Alert.objects.filter(dedup_key=services.crowd_dedup_key(spot))


def test_alert_at_80_and_100_percent_resolved_with_hysteresis(spot, zones):
    square = zones["square"]
    minute = iter(range(60))

    def occupancy(n):
        return push(square, at(12, next(minute)), 10_000 + n, 10_000)["spots"][spot.pk]

    assert occupancy(2399) == CrowdLevel.BUSY  # 79.97 %
    assert not _crowd_alerts(spot).exists()
    assert occupancy(2400) == CrowdLevel.WARNING  # 80 %: notices, stop ticket sales, divert
    alert = _crowd_alerts(spot).get()
    assert (alert.source, alert.severity, alert.state) == ("crowd", AlertSeverity.MAJOR, "open")
    assert alert.unit == spot.managing_unit
    assert "stop ticket sales" in alert.message or "停止售票" in alert.message
    assert alert.details["level"] == "warning" and alert.details["percent"] == 80.0
    assert occupancy(2500) == CrowdLevel.WARNING
    assert _crowd_alerts(spot).get().occurrences == 1  # no repeat without a change of level
    assert occupancy(3000) == CrowdLevel.SATURATED  # 100 %
    alert = _crowd_alerts(spot).get()
    assert (alert.severity, alert.occurrences) == (AlertSeverity.CRITICAL, 2)
    assert occupancy(2860) == CrowdLevel.SATURATED  # 95.3 %: held
    assert occupancy(2800) == CrowdLevel.WARNING  # 93.3 %
    assert occupancy(2260) == CrowdLevel.WARNING  # 75.3 %: held, still alerting
    assert _crowd_alerts(spot).get().state == AlertState.OPEN
    assert occupancy(2240) == CrowdLevel.BUSY  # 74.7 %: resolved
    alert = _crowd_alerts(spot).get()
    assert alert.state == AlertState.RESOLVED
    # a new crossing raises a new alert
    assert occupancy(2450) == CrowdLevel.WARNING
    assert _crowd_alerts(spot).exclude(state=AlertState.RESOLVED).count() == 1
    assert _crowd_alerts(spot).count() == 2


def test_a_new_day_starts_from_its_own_counts(spot, zones):
    push(zones["square"], at(12), 2600, 0)
    assert SpotState.objects.get(spot=spot).level == CrowdLevel.WARNING
    next_day = datetime(2026, 8, 2, 9, 30, tzinfo=LHASA)
    push(zones["square"], next_day, 10, 0)
    state = SpotState.objects.get(spot=spot)
    assert (state.occupancy, state.level, str(state.day)) == (
        10,
        CrowdLevel.COMFORTABLE,
        "2026-08-02",
    )
    assert _crowd_alerts(spot).get().state == AlertState.RESOLVED
    # a late count of the day before changes nothing live
    push(zones["square"], at(16), 2900, 100)
    assert SpotState.objects.get(spot=spot).occupancy == 10


def test_the_daily_rollup_records_visitors_and_revenue(spot, zones):
    spot.ticket_price_yuan = Decimal("200")
    spot.save()
    push(zones["interior"], at(16), 3000, 2900)
    push(zones["square"], at(16), 1000, 1000, source="api", kind=CountSource.API)
    assert services.daily_rollup(day=at(16).date()) == 1
    row = DailyStat.objects.get(spot=spot)
    assert (row.visitors, row.revenue_yuan) == (4000, Decimal("800000"))
