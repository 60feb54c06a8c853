"""Pages: the tourism data dashboard and its Excel export, the public status page without login,
and guidance to the nearest car park with space."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import TEST_PASSWORD
from xizang5g.core.models import AdminDivision
from xizang5g.tourism import selectors, services
from xizang5g.tourism.models import DailyStat


@pytest.fixture
def with_data(spot, divisions):
    spot.county = AdminDivision.objects.get(adcode=540102)
    spot.save()
    for n in range(40):
        DailyStat.objects.create(
            spot=spot,
            date=date(2026, 7, 1) + timedelta(days=n),
            visitors=1000 + n,
            revenue_yuan=Decimal(200 * (1000 + n)),
            stay_hours=2.0,
            origins={"四川": 300, "西藏": 700 + n},
        )
    return spot


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_data_dashboard_and_excel_export(with_data, spot_editor, other_editor):
    client = _client(spot_editor)
    page = client.get("/tourism/data/", {"start": "2026-07-01", "end": "2026-08-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "布达拉宫" in html and "拉萨市" in html
    export = client.get("/tourism/data/export.xlsx", {"start": "2026-07-01", "end": "2026-08-31"})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    daily = book.worksheets[0]
    assert daily.max_row == 41  # a header and 40 days
    monthly = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert monthly[0][1] == "拉萨市"
    assert monthly[1] == [
        "2026-07",
        sum(1000 + n for n in range(31)),
        pytest.approx(200.0 * sum(1000 + n for n in range(31))),
    ]
    origins = dict(list(book.worksheets[2].iter_rows(values_only=True))[1:])
    assert origins["四川"] == 300 * 40
    # another unit's editor exports nothing of this spot
    other = load_workbook(
        io.BytesIO(_client(other_editor).get("/tourism/data/export.xlsx").content)
    )
    assert other.worksheets[0].max_row == 1


def test_public_status_page_needs_no_login(spot):
    for lang, text in (("zh", "今日景区"), ("en", "Scenic spots today"), ("bo", "དེ་རིང་གི་ལྟ་ཡུལ།")):
        response = Client().get("/tourism/status/", {"lang": lang})
        assert response.status_code == 200
        assert text in response.content.decode()
        assert len(response.content) < 30_000


def test_guidance_to_the_nearest_car_park_with_space(spot, spot_editor):
    near = services.car_park_save(
        user=spot_editor, spot=spot, code="p-near", name="近", lon=91.118, lat=29.657, spaces=100
    )
    far = services.car_park_save(
        user=spot_editor, spot=spot, code="p-far", name="远", lon=91.14, lat=29.66, spaces=200
    )
    services.car_park_count(park=near, occupied=100)
    services.car_park_count(park=far, occupied=120)
    park, km = selectors.nearest_free_car_park([near, far], spot.lon, spot.lat)
    assert park == far and 2.0 < km < 2.5 and park.free == 80
    services.car_park_count(park=near, occupied=99)
    assert selectors.nearest_free_car_park([near, far], spot.lon, spot.lat)[0] == near
