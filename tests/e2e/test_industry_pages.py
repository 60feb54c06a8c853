"""Mining and factory pages in a real browser: the tailings-pond dashboard with its monitoring
points fed through the IoT hub, the underground personnel view, the live dispatch board with its
recommendation, a production line's OEE, the shift report and its export, identifiers."""

import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.browser import expect
from xizang5g.core.choices import Role, UnitKind
from xizang5g.industry import handles, services, shifts
from xizang5g.industry.choices import TruckState
from xizang5g.industry.demo import (
    POINTS,
    build_bottling_line,
    build_jiama,
    fleet_history,
    line_history,
    slope_history,
)
from xizang5g.industry.models import (
    Assignment,
    GasState,
    HaulTruck,
    MonitoringPoint,
    Presence,
    TruckStatus,
    Zone,
)
from xizang5g.industry.services.haulage import TruckReading
from xizang5g.iot import subscriptions
from xizang5g.iot.ingest import Inbound, directory, ingest_batch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _post(device, values):
    msg = {
        "id": uuid.uuid4().hex[:12],
        "version": "1.0",
        "params": values,
        "method": "thing.event.property.post",
    }
    ingest_batch([Inbound(device.product.product_key, device.name, "property", msg)])


@pytest.fixture
def mine(make_unit, make_user):
    directory.invalidate()
    subscriptions.routes.invalidate()
    unit = make_unit("jiama-copper", "西藏华泰龙矿业开发有限公司", UnitKind.ENTERPRISE)
    make_user("jiama-safety", Role.UNIT_EDITOR, unit)
    mine = build_jiama(unit)
    normal = {code: value for code, _item, value in POINTS}
    # after a storm: rain 62 mm (yellow), the pond at 4,621 m (blue), three phreatic points
    # between 7.2 and 7.8 m (blue), one displacement point at 66 mm (yellow), the beach at 118 m
    # (yellow, 1.2 × 100 m = 120): three items at yellow → the pond is orange
    normal.update(
        {
            "YL-01": 62.0,
            "SW-01": 4621.0,
            "JZ-01": 7.6,
            "JZ-02": 7.4,
            "JZ-03": 7.7,
            "WY-02": 66.0,
            "GT-01": 118.0,
        }
    )
    for point in MonitoringPoint.objects.filter(pond__mine=mine).select_related("device__product"):
        _post(point.device, {point.item: normal[point.code]})
    names = [
        "扎西",
        "次仁",
        "达瓦",
        "尼玛",
        "格桑",
        "旺堆",
        "平措",
        "央金",
        "拉巴",
        "普布",
        "索朗",
        "卓玛",
        "边巴",
    ]
    zones = {z.name: z for z in Zone.objects.filter(mine=mine)}
    for n, name in enumerate(names):
        zone = zones["4520 中段采场"] if n < 13 else zones["1号竖井井底车场"]
        services.presence_seen(zone=zone, card=f"K{n:04d}", person=name)
    services.presence_seen(zone=zones["1号竖井井底车场"], card="K0100", person="米玛")
    services.presence_seen(zone=zones["炸药库"], card="K0200", person="多吉")
    Presence.objects.filter(card="K0100").update(entered_at=timezone.now() - timedelta(hours=11))
    for n, state in enumerate(
        GasState.objects.filter(zone__mine=mine).select_related("device__product")
    ):
        co = 32.0 if n == 1 else 5.0 + n  # one stope above the 24 ppm limit
        _post(state.device, {"o2": 20.7, "co": co, "no2": 0.4, "airflow": 1.1, "temperature": 17.5})
    return mine


def test_tailings_pond_dashboard(page, login, screenshot, mine):
    login("jiama-safety")
    page.goto("/industry/")
    pond = mine.ponds.get()
    expect(page.locator(f"tr[data-pond='{pond.pk}'] .badge")).to_have_text("橙色")
    page.click(f"tr[data-pond='{pond.pk}'] a")
    expect(page.locator("#pond-level")).to_have_attribute("data-level", "3")
    assert page.locator("#points tbody tr").count() == len(POINTS)
    expect(page.locator("tr[data-point='YL-01']")).to_have_attribute("data-level", "2")
    expect(page.locator("#response-action")).to_contain_text("停止")
    expect(page.locator("#pond-chart")).to_have_attribute("data-ready", "1")
    assert page.locator("#pond-chart canvas").count() == 1
    screenshot("industry-tailings-pond")


def test_underground_personnel_view(page, login, screenshot, mine):
    login("jiama-safety")
    page.goto(f"/industry/mines/{mine.pk}/underground/")
    expect(page.locator("#kpi-underground")).to_have_text("15")
    expect(page.locator("tr[data-zone='4520 中段采场']")).to_have_class("table-danger")
    expect(page.locator("tr[data-zone='炸药库']")).to_have_class("table-danger")
    assert page.locator("#people tbody tr").count() == 15
    assert page.locator("#people tr.table-warning").count() == 1  # 11 h underground
    assert page.locator("#air .badge[data-code=co_high]").count() == 1
    screenshot("industry-underground")


@pytest.fixture
def fleet(mine):
    """Two days of haul cycles replayed through the haulage services, and a truck at the dump
    now, so that the rule has a truck to send."""
    now = timezone.now()
    fleet_history(mine, now=now)
    truck = HaulTruck.objects.select_related("mine").get(mine=mine, code="T05")
    state = TruckStatus.objects.get(truck=truck).state
    if state != TruckState.DUMPING:
        services.truck_readings_record(
            [TruckReading(truck, now + timedelta(seconds=1), TruckState.DUMPING, payload_t=88)]
        )
    return mine


def test_dispatch_board(page, login, screenshot, fleet):
    mine = fleet
    login("jiama-safety")
    page.goto(f"/industry/mines/{mine.pk}/dispatch/")
    expect(page.locator("#dispatch-chart")).to_have_attribute("data-ready", "1")
    expect(page.locator("#fleet-map")).to_have_attribute("data-ready", "1")
    saving = int(page.inner_text("#kpi-saving").split()[0])
    assert saving >= 30
    assert page.locator("#loaders tbody tr").count() == 3
    assert page.locator("#live-loaders tbody tr").count() == 3
    assert int(page.inner_text("#kpi-trips")) > 0
    assert page.locator("#cycles tbody tr").count() == 12
    row = page.locator("#recommendations tr[data-truck='T05']")
    expect(row).to_have_count(1)
    recommended = row.get_attribute("data-loader")
    page.wait_for_timeout(300)
    screenshot("industry-dispatch")
    row.locator("button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#assignments")).to_contain_text(f"T05 → {recommended}")
    assignment = Assignment.objects.get(truck__code="T05", mine=mine)
    assert assignment.loader.code == recommended == assignment.recommended.code


@pytest.fixture
def line(make_unit, make_user):
    directory.invalidate()
    subscriptions.routes.invalidate()
    unit = make_unit("lhasa-water", "拉萨高原饮用水有限公司", UnitKind.ENTERPRISE)
    make_user("lhasa-water-ops", Role.UNIT_EDITOR, unit)
    line = build_bottling_line(unit)
    line_history(line, now=timezone.now())
    return line


def _previous_shift(shift_start):
    current = shifts.shift_at(timezone.now(), shift_start)
    return shifts.shift_at(current.start - timedelta(seconds=1), shift_start)


def test_line_oee_page(page, login, screenshot, line):
    login("lhasa-water-ops")
    page.goto("/industry/lines/")
    expect(page.locator(f"tr[data-line='{line.code}'] a")).to_have_count(1)
    page.click(f"tr[data-line='{line.code}'] a")
    expect(page.locator("#oee-gauge")).to_have_attribute("data-ready", "1")
    span = _previous_shift(line.shift_start)  # a whole shift
    page.goto(f"/industry/lines/{line.pk}/?date={span.day.isoformat()}&shift={span.kind}")
    for chart in ("#oee-gauge", "#oee-trend", "#state-timeline", "#loss-pareto"):
        expect(page.locator(chart)).to_have_attribute("data-ready", "1")
        assert page.locator(f"{chart} canvas").count() >= 1
    assert page.locator("#machines tbody tr").count() == 3
    oee = float(page.inner_text("#kpi-a").rstrip("%"))
    assert 50 < oee <= 100  # availability of a whole shift with micro-stops and faults
    assert page.locator("#losses tbody tr").count() >= 3
    page.wait_for_timeout(300)
    screenshot("industry-oee")


def test_shift_report_page_and_export(page, login, screenshot, fleet, make_user):
    mine = fleet
    line = build_bottling_line(mine.unit, code="jiama-water")  # the enterprise's own line
    line_history(line, now=timezone.now())
    login("jiama-safety")
    span = _previous_shift(mine.shift_start)
    page.goto(f"/industry/reports/?date={span.day.isoformat()}&shift={span.kind}")
    card = page.locator(f"[data-mine='{mine.pk}']")
    assert int(card.locator("[data-kpi=trips]").inner_text()) > 100
    assert card.locator("[data-table=loaders] tbody tr").count() == 3
    assert card.locator("[data-table=trucks] tbody tr").count() == 12
    expect(page.locator(f"#report-lines tr[data-line='{line.code}']")).to_have_count(1)
    page.wait_for_timeout(300)
    screenshot("industry-shift-report")
    with page.expect_download() as download:
        page.click("#export")
    with open(download.value.path(), "rb") as saved:
        book = load_workbook(io.BytesIO(saved.read()))
    assert [s.title for s in book.worksheets] == ["运输", "电铲", "矿卡", "生产线"]
    trips = book.worksheets[0].cell(row=2, column=3).value
    assert trips == int(card.locator("[data-kpi=trips]").inner_text())


def test_identifiers_page_creates_a_credential(page, login, screenshot, mine):
    login("jiama-safety")
    handles.identifiers_register(
        unit=mine.unit,
        prefix="88.118.8",
        rows=[{"suffix": "ORE-2026-0001", "kind": "ore_batch", "url": "https://jiama.example/1"}],
        user=None,
    )
    page.goto("/industry/identifiers/")
    page.fill("#hu-prefix", "88.118.8")
    page.fill("#hu-password", "A-long-enough-passw0rd")
    page.click("form[action$='credentials/'] button")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("300:88.118.8/ADMIN")
    assert "A-long-enough-passw0rd" not in page.content()
    assert timezone.now()
    screenshot("industry-identifiers")


def test_slope_forecast_page(page, login, screenshot, mine):
    slope_history(mine, now=timezone.now(), failure_in_h=20.0)
    login("jiama-safety")
    page.goto(f"/industry/mines/{mine.pk}/slope/")
    expect(page.locator("#slope-chart")).to_have_attribute("data-ready", "1")
    expect(page.locator("tr[data-point='SP-01']")).to_have_class("table-danger")
    hours = page.inner_text("tr[data-point='SP-01'] .small")
    assert hours.strip("() h") in {"19", "20", "21"}  # forecast 20 h ahead
    assert page.locator("tr.table-danger").count() == 1  # steady creep: no forecast
    screenshot("industry-slope")
