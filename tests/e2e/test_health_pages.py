"""The medical pages in a real browser: the 120 dispatch map with a call dispatched from it, and
the hospital emergency board following an incoming patient live as vitals arrive through the IoT
hub."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import expect, wait_until
from tests.health.conftest import (  # noqa: F401
    LHASA,
    centre,
    dispatcher,
    fleet,
    hospital,
    monitor,
    nurse,
)
from tests.health.test_vitals import CALM, SICK, WORSE, post, transporting
from xizang5g.core.models import AdminDivision
from xizang5g.core.services import divisions_load
from xizang5g.health.models import EmergencyCall, SyndromicCount

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counties(db):
    if not AdminDivision.objects.exists():
        divisions_load()


def test_dispatch_map_records_and_dispatches_a_call(
    page,
    login,
    screenshot,
    counties,
    fleet,  # noqa: F811
    dispatcher,  # noqa: F811
):
    login("health")
    page.goto("/health/")
    wait_until(lambda: page.get_attribute("#dispatch-map", "data-ready") == "1")
    page.fill("#f-lon", str(LHASA[0] - 0.02))
    page.fill("#f-lat", str(LHASA[1]))
    page.fill("#f-complaint", "胸痛30分钟，大汗")
    page.select_option("#f-priority", "1")
    page.click("#call-submit")
    expect(page.locator("#call-state")).to_contain_text("已接警")
    # the nearest available ambulance is proposed first, then dispatched
    assert "amb-west" in page.inner_text("#ranked li:first-child")
    page.click("#step-submit")
    expect(page.locator("#call-ambulance")).to_contain_text("amb-west")
    call = EmergencyCall.objects.get()
    assert call.ambulance.code == "amb-west" and call.state == "dispatched"
    page.goto("/health/")
    wait_until(lambda: page.get_attribute("#dispatch-map", "data-ready") == "1")
    page.wait_for_timeout(500)
    screenshot("health-dispatch")


def test_hospital_board_follows_an_incoming_patient_live(
    page,
    login,
    screenshot,
    counties,
    monitor,  # noqa: F811
    centre,  # noqa: F811
    hospital,  # noqa: F811
    dispatcher,  # noqa: F811
    nurse,  # noqa: F811
):
    _ambulance, device, _secret = monitor
    call = transporting(centre, hospital, dispatcher)
    post(device, *[(f"calm-{n}", {**CALM, "heart_rate": 80 + n}) for n in range(8)])
    login("hospital")
    page.goto("/health/board/")
    card = page.locator(f'.xz-incoming[data-call="{call.pk}"]')
    expect(card).to_have_count(1)
    wait_until(lambda: card.get_attribute("data-points") == "8")
    assert card.get_attribute("data-score") == "0"
    # the patient worsens in the ambulance: the board follows without a reload
    post(device, ("worse", WORSE), ("sick", SICK))
    wait_until(lambda: card.get_attribute("data-score") == "13", timeout_s=20)
    expect(card.locator("[data-news2]")).to_contain_text("NEWS2 13")
    expect(card.locator('[data-v="spo2"]')).to_contain_text("90% O₂")
    page.wait_for_timeout(500)
    screenshot("health-board")

    # arrival and handover from the call page
    page.goto(f"/health/calls/{call.pk}/")
    page.click("#step-submit")  # arrived at hospital
    expect(page.locator("#call-state")).to_contain_text("到达医院")
    page.fill("#f-note", "交接：呼吸急促，已给氧，NEWS2 13，转抢救室")
    page.click("#step-submit")
    expect(page.locator("#call-state")).to_contain_text("已交接")
    expect(page.locator("#handover-note")).to_contain_text("转抢救室")
    screenshot("health-call")


def test_a_remote_consultation(page, login, screenshot, hospital, nurse, make_user, make_unit):  # noqa: F811
    clinic = make_unit("damxung-clinic", "当雄县乌玛塘乡卫生院", "institution")
    make_user("clinic-doctor", "unit_editor", clinic)
    login("clinic-doctor")
    page.goto("/health/consultations/")
    page.select_option("#f-cons", "tar-peoples-hospital")
    page.select_option("#f-dep", "high_altitude")
    page.select_option("#f-urg", "urgent")
    page.fill("#f-q", "牧民男性，海拔4300米，咳粉红色泡沫痰，SpO2 78%")
    page.fill("#f-att", "1.2.826.0.1.3680043.8.498.77")
    page.click("#consultation-submit")
    expect(page.locator("#consultation-state")).to_contain_text("待安排")
    number = page.locator("h1").inner_text().split(" ")[0]

    page.context.clear_cookies()  # the hospital's doctor on their own computer
    login("hospital")
    page.goto("/health/consultations/")
    page.click(f"text={number}")
    page.fill("#f-spec", "高原医学科 扎西主任")
    page.fill("#f-when", "2026-12-03T16:00")
    page.click("#schedule-submit")
    expect(page.locator("#specialist")).to_contain_text("扎西")
    page.fill("#f-start", "2026-12-03T16:00")
    page.fill("#f-end", "2026-12-03T16:25")
    page.fill("#f-rtt", "28")
    page.fill("#f-loss", "0.1")
    page.fill("#f-down", "310")
    page.fill("#f-up", "62")
    page.fill("#f-outcome", "考虑高原肺水肿：持续吸氧，硝苯地平，尽快转运至区人民医院")
    page.click("#complete-submit")
    expect(page.locator("#consultation-state")).to_contain_text("已完成")
    expect(page.locator("#link-quality")).to_contain_text("28")
    page.wait_for_timeout(300)
    screenshot("health-consultation")


def test_epidemic_curves_mark_the_outbreak(page, login, screenshot, counties, centre, dispatcher):  # noqa: F811
    today = timezone.localdate()
    county = AdminDivision.objects.get(adcode=540602)
    for d in range(28):
        day = today - timedelta(days=28 - d)
        for syndrome, base in (("fever", 6), ("respiratory", 9), ("diarrhoea", 3)):
            n = base + (d % 3) - 1
            if syndrome == "respiratory" and d >= 25:
                n += 12 + 6 * (d - 25)
            SyndromicCount.objects.create(
                division=county, unit=centre, day=day, syndrome=syndrome, count=n
            )
    login("health")
    page.goto("/health/epidemic/")
    expect(page.locator("#curve-540602 canvas")).to_have_count(1)
    page.wait_for_timeout(500)
    screenshot("health-epidemic")
