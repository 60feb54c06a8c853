"""EARS C1/C2/C3 on a series with a known outbreak."""

import math
import random
from datetime import date, timedelta

import pytest

from xizang5g.core.models import AdminDivision, Alert
from xizang5g.health.ears import ears
from xizang5g.health.models import SyndromicCount
from xizang5g.health.services import syndromic_check


def test_the_statistics_follow_their_definition():
    counts = [4, 6, 5, 7, 5, 3, 5, 12]
    day = ears(counts)[7]
    baseline = counts[0:7]
    mean = sum(baseline) / 7
    sd = math.sqrt(sum((c - mean) ** 2 for c in baseline) / 6)
    assert day.c1 == pytest.approx((12 - mean) / sd)
    assert ears(counts)[6].c1 is None and day.c2 is None  # C2 needs 9 days of history


def test_an_outbreak_is_found_and_quiet_days_are_not():
    rng = random.Random(18)
    # 60 days of fever counts in one county around 6 a day (Poisson-like noise) …
    counts = [max(0, round(rng.gauss(6, 2))) for _ in range(60)]
    # … then an outbreak starting on day 45 that grows for five days
    outbreak = {45: 6, 46: 10, 47: 16, 48: 22, 49: 26}
    for day, extra in outbreak.items():
        counts[day] += extra
    days = ears(counts)
    alarms = {d.index for d in days if d.alarm}
    assert 46 in alarms or 45 in alarms  # found within its first two days
    assert {47, 48} <= alarms
    assert {d.index for d in days if d.c3_alarm} & {46, 47, 48}
    quiet = [d for d in days[10:45] if d.alarm]
    assert len(quiet) <= 1  # at most one false alarm on 35 ordinary days


def test_a_flat_baseline_does_not_divide_by_zero():
    days = ears([0] * 10 + [3])
    assert days[-1].c1 == pytest.approx(6.0)  # (3 − 0) / 0.5, the sd floor
    assert days[-1].c1_alarm


@pytest.mark.django_db
def test_the_daily_check_alerts_the_county_with_the_outbreak(centre, divisions):
    counties = list(AdminDivision.objects.filter(level="county").order_by("adcode")[:2])
    rng = random.Random(7)
    end = date(2026, 11, 30)
    for county in counties:
        for i in range(28):
            day = end - timedelta(days=27 - i)
            n = max(0, round(rng.gauss(5, 1.5)))
            if county == counties[0] and i >= 25:
                n += 15 + 5 * (i - 25)  # the outbreak: the last three days
            SyndromicCount.objects.create(
                division=county, unit=centre, day=day, syndrome="respiratory", count=n
            )
    found = syndromic_check(day=end)
    assert [f["division"] for f in found] == [counties[0].adcode]
    alert = Alert.objects.get(source="epidemic")
    assert alert.details["adcode"] == counties[0].adcode
    assert counties[0].name_zh in alert.title


def test_clinics_report_their_daily_counts_over_the_api(client, nurse, viewer, divisions):
    """A clinic posts the day's counts for its county (stored once per day and syndrome, a later
    post corrects them); bad input names the field; an account without a unit cannot report."""
    from django.utils import timezone

    county = AdminDivision.objects.filter(level="county").first()
    today = timezone.localdate()
    body = {"county_adcode": county.adcode, "day": today.isoformat(), "counts": {"fever": 7}}
    client.force_login(nurse)
    post = lambda b: client.post("/api/v1/health/syndromic", b, content_type="application/json")  # noqa: E731
    assert post(body).json() == {"stored": 1}
    assert post({**body, "counts": {"fever": 9, "diarrhoea": 2}}).status_code == 200
    rows = SyndromicCount.objects.filter(division=county, day=today)
    assert {r.syndrome: r.count for r in rows} == {"fever": 9, "diarrhoea": 2}
    assert all(r.unit_id == nurse.unit_id for r in rows)
    for bad, field in (
        ({**body, "county_adcode": 540000}, "county_adcode"),  # the region, not a county
        ({**body, "day": (today + timedelta(days=1)).isoformat()}, "day"),
        ({**body, "counts": {"cough": 3}}, "counts"),
        ({**body, "counts": {"fever": -1}}, "counts"),
    ):
        response = post(bad)
        assert response.status_code == 422 and field in response.content.decode(), bad
    client.force_login(viewer)
    assert post(body).status_code == 403
