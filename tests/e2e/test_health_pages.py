"""The medical pages in a real browser: the 120 dispatch map with a call dispatched from it, and
the hospital emergency board following an incoming patient live as vitals arrive through the IoT
hub."""

import pytest

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
from xizang5g.health.models import EmergencyCall

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
