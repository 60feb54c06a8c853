"""The line, dispatch and shift-report pages, the Excel export and the API: what an enterprise
sees, what another enterprise cannot see (404, absent from lists and reports), and bad input
answered 4xx naming the field."""

import io
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import TEST_PASSWORD
from tests.industry.test_factory import hand_worked_shift
from tests.industry.test_haulage import one_cycle
from xizang5g.core.choices import Role, UnitKind
from xizang5g.industry import services, shifts
from xizang5g.industry.choices import TruckState
from xizang5g.industry.demo import build_bottling_line, build_jiama
from xizang5g.industry.models import Assignment, HaulTruck, TruckStatus
from xizang5g.industry.services.haulage import TruckReading
from xizang5g.iot import subscriptions
from xizang5g.iot.ingest import directory

pytestmark = pytest.mark.django_db


def local(hour: int, minute: float = 0, day: int = 3) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=shifts.TZ) + timedelta(minutes=minute)


@pytest.fixture
def plant(make_unit, make_user):
    directory.invalidate()
    subscriptions.routes.invalidate()
    jiama = make_unit("jiama-copper", "西藏华泰龙矿业开发有限公司", UnitKind.ENTERPRISE)
    other = make_unit("yulong", "玉龙铜业", UnitKind.ENTERPRISE)
    make_user("jiama-safety", Role.UNIT_EDITOR, jiama)
    make_user("yulong-ops", Role.UNIT_EDITOR, other)
    mine = build_jiama(jiama)
    line = build_bottling_line(jiama)
    other_line = build_bottling_line(other, label="玉龙 ", code="yulong-l1")
    services.machine_readings_record(hand_worked_shift(line), now=local(10, day=4))
    truck = HaulTruck.objects.select_related("mine").get(mine=mine, code="T01")
    rows, end = one_cycle(truck, local(9))
    services.truck_readings_record([*rows, TruckReading(truck, end, TruckState.EMPTY)])
    return {"mine": mine, "line": line, "other_line": other_line}


def _client(username):
    client = Client()
    client.login(username=username, password=TEST_PASSWORD)
    return client


REPORT = {"date": "2026-12-03", "shift": "day"}


def test_the_enterprise_sees_its_line_dispatch_board_and_report(plant):
    client = _client("jiama-safety")
    line, mine = plant["line"], plant["mine"]
    page = client.get(reverse("industry:line_detail", args=[line.pk]), REPORT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "F1" in html and "line-chart-data" in html
    assert line.name in client.get(reverse("industry:line_list")).content.decode()
    board = client.get(reverse("industry:mine_dispatch", args=[mine.pk])).content.decode()
    assert "fleet-map-data" in board and "EX-3" in board
    report = client.get(reverse("industry:shift_report"), REPORT).content.decode()
    assert f'data-line="{line.code}"' in report and mine.name in report
    assert f'data-line="{plant["other_line"].code}"' not in report


def test_another_enterprise_sees_nothing(plant):
    client = _client("yulong-ops")
    line, mine = plant["line"], plant["mine"]
    assert client.get(reverse("industry:line_detail", args=[line.pk])).status_code == 404
    assert client.get(reverse("industry:mine_dispatch", args=[mine.pk])).status_code == 404
    posted = client.post(
        reverse("industry:assignment_create", args=[mine.pk]), {"truck": "T01", "loader": "EX-1"}
    )
    assert posted.status_code == 404 and not Assignment.objects.exists()
    mine_line, theirs = f'data-line="{line.code}"', f'data-line="{plant["other_line"].code}"'
    listed = client.get(reverse("industry:line_list")).content.decode()
    assert mine_line not in listed and theirs in listed
    report = client.get(reverse("industry:shift_report"), REPORT).content.decode()
    assert mine_line not in report and mine.name not in report and theirs in report
    api = client.get("/api/v1/industry/shift-report", REPORT).json()
    assert [x["line"] for x in api["lines"]] == [plant["other_line"].name] and api["mines"] == []
    assert client.get(f"/api/v1/industry/lines/{line.pk}/shifts").status_code == 404
    assert client.get(f"/api/v1/industry/mines/{mine.pk}/dispatch").status_code == 404
    ids = [x["id"] for x in client.get("/api/v1/industry/lines").json()["items"]]
    assert ids == [plant["other_line"].pk]
    book = load_workbook(
        io.BytesIO(client.get(reverse("industry:shift_report_export"), REPORT).content)
    )
    names = [r[0] for r in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert names == [plant["other_line"].name]


def test_api_shift_report_and_line_shifts(plant):
    client = _client("jiama-safety")
    body = client.get("/api/v1/industry/shift-report", REPORT).json()
    line = next(x for x in body["lines"] if x["line_id"] == plant["line"].pk)
    assert line["oee"]["oee"] == pytest.approx(10 / 11.5 * 0.9 * 0.985, abs=1e-4)
    # in the reader's language: Chinese by default
    assert line["oee"]["losses"][0] == {"cause": "灌装阀泄漏", "minutes": 60.0}
    mine = body["mines"][0]
    assert mine["trips"] == 1 and mine["tonnes"] == pytest.approx(88.2)
    assert {x["code"]: x["queue_min"] for x in mine["loaders"]}["EX-1"] == pytest.approx(3.0)
    shifts_page = client.get(f"/api/v1/industry/lines/{plant['line'].pk}/shifts").json()
    assert shifts_page["count"] >= 1 and shifts_page["items"][0]["total"] >= 0


def test_the_excel_export_carries_the_figures(plant):
    client = _client("jiama-safety")
    reply = client.get(reverse("industry:shift_report_export"), REPORT)
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.content))
    haulage = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert haulage[0][0] == plant["mine"].name and haulage[0][2] == 1  # one trip
    lines = {r[0]: r for r in book.worksheets[3].iter_rows(min_row=2, values_only=True)}
    row = lines[plant["line"].name]
    assert row[2] == pytest.approx(0.7709, abs=1e-4) and row[6] == 216000


def test_assignment_through_the_api_and_the_page(plant):
    client = _client("jiama-safety")
    mine = plant["mine"]
    reply = client.post(
        f"/api/v1/industry/mines/{mine.pk}/assignments",
        {"truck": "T01", "loader": "EX-2"},
        content_type="application/json",
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["loader"] == "EX-2"
    truck = HaulTruck.objects.get(mine=mine, code="T01")
    assert TruckStatus.objects.get(truck=truck).target.code == "EX-2"
    page = client.post(
        reverse("industry:assignment_create", args=[mine.pk]), {"truck": "T01", "loader": "EX-3"}
    )
    assert page.status_code == 302
    assert Assignment.objects.filter(mine=mine).count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"truck": "T99", "loader": "EX-1"}, "truck"),
        ({"truck": "T01", "loader": "EX-9"}, "loader"),
        ({"truck": "T 01", "loader": "EX-1"}, "truck"),
        ({"loader": "EX-1"}, "truck"),
    ],
)
def test_a_bad_assignment_names_the_field(plant, body, field):
    client = _client("jiama-safety")
    reply = client.post(
        f"/api/v1/industry/mines/{plant['mine'].pk}/assignments",
        body,
        content_type="application/json",
    )
    assert reply.status_code == 422
    assert field in [e["field"].split(".")[-1] for e in reply.json()["errors"]]


def test_bad_shift_input_is_a_4xx_naming_the_field(plant):
    client = _client("jiama-safety")
    api = client.get("/api/v1/industry/shift-report", {"date": "2026-13-45", "shift": "day"})
    assert api.status_code == 422
    assert "date" in [e["field"].split(".")[-1] for e in api.json()["errors"]]
    api = client.get("/api/v1/industry/shift-report", {"date": "2026-12-03", "shift": "noon"})
    assert api.status_code == 422 and "shift" in api.json()["detail"]
    page = client.get(reverse("industry:shift_report"), {"date": "1800-01-01", "shift": "day"})
    assert page.status_code == 400 and "2000" in page.content.decode()
    page = client.get(
        reverse("industry:line_detail", args=[plant["line"].pk]), {"date": "x", "shift": "day"}
    )
    assert page.status_code == 400
    export = client.get(reverse("industry:shift_report_export"), {"date": "2026-12-03"})
    assert export.status_code == 400 and "shift" in export.content.decode()
    bad = client.post(
        reverse("industry:assignment_create", args=[plant["mine"].pk]), {"truck": "", "loader": ""}
    )
    assert bad.status_code == 400
    limit = client.get("/api/v1/industry/lines", {"limit": 0})
    assert limit.status_code == 422
