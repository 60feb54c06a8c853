"""Telemetry through the IoT hub into GB 51108 levels, the alert centre, underground air and
personnel alarms, and the pages a mine's editor and another enterprise see."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import TEST_PASSWORD
from xizang5g.core.choices import AlertSeverity, Role, UnitKind
from xizang5g.core.models import Alert
from xizang5g.industry import selectors, services
from xizang5g.industry.apps import MINE_SAFETY_SOURCE
from xizang5g.industry.demo import build_jiama, slope_history
from xizang5g.industry.models import GasState, MonitoringPoint, PointState, Presence, Zone
from xizang5g.iot import subscriptions
from xizang5g.iot.ingest import Inbound, directory, ingest_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_routes():
    directory.invalidate()
    subscriptions.routes.invalidate()
    yield


@pytest.fixture
def jiama(make_unit):
    unit = make_unit("jiama-copper", "西藏华泰龙矿业开发有限公司", UnitKind.ENTERPRISE)
    return build_jiama(unit)


def _post(device, values):
    msg = {
        "id": uuid.uuid4().hex[:12],
        "version": "1.0",
        "params": values,
        "method": "thing.event.property.post",
    }
    ingest_batch([Inbound(device.product.product_key, device.name, "property", msg)])


def _point(mine, code):
    return MonitoringPoint.objects.select_related("device").get(pond__mine=mine, code=code)


def test_telemetry_raises_escalates_and_resolves_the_pond_alarm(jiama):
    pond = jiama.ponds.get()
    # design: min seepage depth 6 m → blue at 7.8 m; four phreatic points at blue → yellow item
    for code in ("JZ-01", "JZ-02", "JZ-03", "JZ-04"):
        _post(_point(jiama, code).device, {"phreatic": 7.5})
    assert set(PointState.objects.filter(point__pond=pond).values_list("level", flat=True)) == {1}
    alert = Alert.objects.get(source=MINE_SAFETY_SOURCE, dedup_key=f"industry:pond:{pond.pk}")
    assert alert.severity == AlertSeverity.MINOR  # yellow
    assert alert.details["level"] == 2 and alert.details["items"] == {"phreatic": 2}
    # the water rises above the flood-season control level 4,623 m (orange) and one point's
    # displacement reaches 85 mm (orange): two orange items → red
    _post(_point(jiama, "SW-01").device, {"water_level": 4623.4})
    _post(_point(jiama, "WY-01").device, {"surface_displacement": 85.0})
    alert.refresh_from_db()
    assert alert.severity == AlertSeverity.CRITICAL and alert.details["level"] == 4
    # every point back to normal → resolved
    for code in ("JZ-01", "JZ-02", "JZ-03", "JZ-04"):
        _post(_point(jiama, code).device, {"phreatic": 9.0})
    _post(_point(jiama, "SW-01").device, {"water_level": 4618.0})
    _post(_point(jiama, "WY-01").device, {"surface_displacement": 10.0})
    alert.refresh_from_db()
    assert alert.state == "resolved"


def test_a_point_threshold_set_by_the_design_unit_wins(jiama):
    point = _point(jiama, "WY-02")
    point.thresholds = {"4": 50.0}
    point.save()
    assert services.point_thresholds(point)[4] == 50.0
    _post(point.device, {"surface_displacement": 55.0})
    assert PointState.objects.get(point=point).level == 4


def test_underground_air_alarm_at_altitude(jiama):
    state = GasState.objects.select_related("device").filter(zone__mine=jiama).first()
    _post(state.device, {"o2": 20.8, "co": 6.0, "no2": 0.4, "airflow": 1.2, "temperature": 16})
    state.refresh_from_db()
    assert state.alarms == ["po2_low"]  # 4,600 m: advisory only, no alert
    assert not Alert.objects.filter(dedup_key=f"industry:air:{state.device_id}").exists()
    _post(state.device, {"co": 40.0})
    state.refresh_from_db()
    assert "co_high" in state.alarms
    alert = Alert.objects.get(dedup_key=f"industry:air:{state.device_id}")
    assert alert.severity == AlertSeverity.CRITICAL
    _post(state.device, {"co": 3.0})
    alert.refresh_from_db()
    assert alert.state == "resolved"


def test_personnel_crowding_restricted_zone_overtime_and_evacuation_list(jiama):
    stope = Zone.objects.get(mine=jiama, name="4520 中段采场")
    magazine = Zone.objects.get(mine=jiama, name="炸药库")
    for n in range(stope.capacity + 1):
        services.presence_seen(zone=stope, card=f"C{n:03d}", person=f"矿工{n}")
    assert Alert.objects.filter(dedup_key=f"industry:crowd:{stope.pk}").exists()
    services.presence_seen(zone=magazine, card="C900", person="次仁")
    assert Alert.objects.filter(dedup_key=f"industry:restricted:{magazine.pk}:C900").exists()
    Presence.objects.filter(card="C000").update(entered_at=timezone.now() - timedelta(hours=11))
    view = selectors.underground_view(mine=jiama)
    assert len(view["people"]) == stope.capacity + 2
    assert [p.card for p in view["people"] if p.overtime] == ["C000"]
    assert {z["zone"].name for z in view["zones"] if z["crowded"]} == {"4520 中段采场"}
    services.presence_leave(mine=jiama, card="C900")
    assert len(selectors.underground_view(mine=jiama)["people"]) == stope.capacity + 1


def test_pages_for_the_enterprise_and_for_another(jiama, make_user, make_unit):
    editor = make_user("jiama-safety", Role.UNIT_EDITOR, jiama.unit)
    other = make_user(
        "other", Role.UNIT_EDITOR, make_unit("yulong", "玉龙铜业", UnitKind.ENTERPRISE)
    )
    pond = jiama.ponds.get()
    _post(_point(jiama, "SW-01").device, {"water_level": 4623.4})
    client = Client()
    client.login(username="jiama-safety", password=TEST_PASSWORD)
    page = client.get(reverse("industry:pond_detail", args=[pond.pk])).content.decode()
    assert "SW-01" in page and "JZ-01" in page
    assert client.get(reverse("industry:mine_underground", args=[jiama.pk])).status_code == 200
    board = client.get(reverse("industry:mine_dispatch", args=[jiama.pk]))
    assert board.status_code == 200 and "EX-2" in board.content.decode()
    assert jiama.name in client.get(reverse("industry:index")).content.decode()
    client.login(username="other", password=TEST_PASSWORD)
    assert client.get(reverse("industry:pond_detail", args=[pond.pk])).status_code == 404
    assert jiama.name not in client.get(reverse("industry:index")).content.decode()
    assert editor.pk != other.pk


def test_slope_forecast_from_radar_readings(jiama):
    now = timezone.now()
    slope_history(jiama, now=now, failure_in_h=20.0)
    points = {p["point"].code: p for p in selectors.slope_view(mine=jiama)}
    assert points["SP-01"]["readings"] == 25
    assert points["SP-01"]["hours_left"] == pytest.approx(20.0, abs=0.5)
    assert points["SP-02"]["forecast"] is None and points["SP-03"]["forecast"] is None
