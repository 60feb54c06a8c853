"""The integrators' contract: POST spots, POST spots/{code}/counts, GET spots/{code}/status,
with API tokens of the managing unit or the tourism department."""

import json

import pytest
from django.test import Client

from xizang5g.core.models import Alert
from xizang5g.core.services import api_token_create
from xizang5g.tourism.models import CountSample, ScenicSpot

P = "/api/v1/tourism"
SPOT = {
    "code": "jokhang",
    "name": "大昭寺",
    "zones": [
        {"code": "hall", "name": "主殿", "area_m2": 2500, "per_visitor_m2": 1.5},
        {"code": "kora", "name": "转经道", "area_m2": 100, "per_visitor_m2": 3},
    ],
    "open_hours": 9.5,
    "average_stay_hours": 2.5,
}


def api(user):
    client = Client()
    token = api_token_create(user=user, name="vendor")
    return lambda method, path, body=None: getattr(client, method)(
        P + path,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def vendor(spot_editor, tourism_dept):
    return api(spot_editor)


def test_register_a_spot_and_get_its_capacity(vendor):
    response = vendor("post", "/spots", SPOT)
    assert response.status_code == 201, response.content
    assert response.json() == {"code": "jokhang", "capacity_instant": 1700, "capacity_daily": 6460}
    capped = vendor("post", "/spots", {**SPOT, "cap_daily": 4000})
    assert capped.status_code == 200  # the same spot again: updated
    assert capped.json()["capacity_daily"] == 4000
    assert ScenicSpot.objects.get(code="jokhang").managing_unit.code == "potala-admin"


def test_counts_and_status_through_the_contract(vendor, tourism_dept, dept_editor):
    vendor("post", "/spots", SPOT)
    status = vendor("get", "/spots/jokhang/status").json()
    assert status["occupancy"] == 0 and status["level"] == "comfortable"
    body = {"zone": "hall", "at": "2026-08-01T10:00:00+08:00", "entries": 1500, "exits": 100}
    first = vendor("post", "/spots/jokhang/counts", body)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "stored": True,
        "level": "warning",
        "occupancy": 1400,
    }  # 82.4 % of 1,700
    again = vendor("post", "/spots/jokhang/counts", body)
    assert again.json()["stored"] is False  # idempotent by zone and time
    assert CountSample.objects.count() == 1
    # the tourism department reads and pushes too
    dept = api(dept_editor)
    status = dept("get", "/spots/jokhang/status").json()
    assert status == {
        "occupancy": 1400,
        "capacity_instant": 1700,
        "capacity_daily": 6460,
        "entries_today": 1500,
        "level": "warning",
        "updated_at": status["updated_at"],
    }
    assert status["updated_at"]
    later = {"zone": "hall", "at": "2026-08-01T10:10:00+08:00", "entries": 1800, "exits": 100}
    assert dept("post", "/spots/jokhang/counts", later).json()["level"] == "saturated"
    alert = Alert.objects.get(source="crowd")
    assert alert.severity == "critical"


def test_other_units_get_404_and_readers_403(vendor, other_editor, viewer):
    vendor("post", "/spots", SPOT)
    body = {"zone": "hall", "at": "2026-08-01T10:00:00+08:00", "entries": 1, "exits": 0}
    other = api(other_editor)
    assert other("get", "/spots/jokhang/status").status_code == 404
    assert other("post", "/spots/jokhang/counts", body).status_code == 404
    assert other("post", "/spots", SPOT).status_code == 404  # the code is another unit's
    leader = api(viewer)
    assert leader("get", "/spots/jokhang/status").status_code == 200
    assert leader("post", "/spots/jokhang/counts", body).status_code == 403
    assert Client().get(f"{P}/spots/jokhang/status").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SPOT, "zones": []}, "zones"),
        ({**SPOT, "zones": [{**SPOT["zones"][0], "per_visitor_m2": 0}]}, "per_visitor_m2"),
        ({**SPOT, "open_hours": 30}, "open_hours"),
        ({**SPOT, "code": "bad code!"}, "code"),
        ({**SPOT, "unit": "no-such-unit"}, "unit"),
        ({k: v for k, v in SPOT.items() if k != "average_stay_hours"}, "average_stay_hours"),
        (
            {**SPOT, "zones": [SPOT["zones"][0], SPOT["zones"][0]]},
            "zones",
        ),
    ],
)
def test_bad_spots_are_422_naming_the_field(vendor, body, field):
    response = vendor("post", "/spots", body)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json())
    assert not ScenicSpot.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"zone": "nowhere", "at": "2026-08-01T10:00:00+08:00", "entries": 1, "exits": 0}, "zone"),
        ({"zone": "hall", "at": "2026-08-01T10:00:00+08:00", "entries": -1, "exits": 0}, "entries"),
        ({"zone": "hall", "at": "not a time", "entries": 1, "exits": 0}, "at"),
        ({"zone": "hall", "at": "2999-01-01T10:00:00+08:00", "entries": 1, "exits": 0}, "at"),
        ({"zone": "hall", "at": "2026-08-01T10:00:00+08:00", "entries": 1}, "exits"),
    ],
)
def test_bad_counts_are_422_and_store_nothing(vendor, body, field):
    vendor("post", "/spots", SPOT)
    response = vendor("post", "/spots/jokhang/counts", body)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json())
    assert not CountSample.objects.exists()


def test_a_pushed_headcount_corrects_the_counters_drift(vendor, other_editor):
    """The gates say 1,400 inside; the operator's signalling count says 900: occupancy follows
    the headcount, and later gate counts move on from it."""
    vendor("post", "/spots", SPOT)
    gates = {"zone": "hall", "at": "2026-08-01T10:00:00+08:00", "entries": 1500, "exits": 100}
    assert vendor("post", "/spots/jokhang/counts", gates).json()["level"] == "warning"
    head = {"zone": "hall", "at": "2026-08-01T10:05:00+08:00", "count": 900, "source": "cmcc"}
    response = vendor("post", "/spots/jokhang/headcounts", head)
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": True, "level": "busy", "occupancy": 900}
    later = {"zone": "hall", "at": "2026-08-01T10:15:00+08:00", "entries": 1600, "exits": 100}
    assert vendor("post", "/spots/jokhang/counts", later).json()["occupancy"] == 1000
    # bad input names the field; another unit cannot push
    bad = vendor("post", "/spots/jokhang/headcounts", {**head, "zone": "roof"})
    assert bad.status_code == 422 and "zone" in bad.content.decode()
    negative = vendor("post", "/spots/jokhang/headcounts", {**head, "count": -1})
    assert negative.status_code == 422 and "count" in negative.content.decode()
    assert api(other_editor)("post", "/spots/jokhang/headcounts", head).status_code == 404
