"""Culture and tourism in a real browser: a spot's dashboard (live occupancy chart, level,
forecast), the region map of spots, and the public status page on a 390 px phone in Chinese and
Tibetan, under 200 KB."""

import pytest
from django.utils import timezone

from tests.browser import SCREENSHOTS, wait_until
from xizang5g.core.choices import Role
from xizang5g.tourism import demo, services
from xizang5g.tourism.models import Zone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tourism(make_user, make_unit, divisions):
    demo.load(history_days=200)
    # a crowd at the Jokhang now, pushed by a ticketing vendor: 85 % of C1, a crowd warning
    hall = Zone.objects.get(spot__code="jokhang", code="hall")
    services.counts_record([services.Count(zone=hall, at=timezone.now(), entries=1450, exits=0)])
    return make_user(
        "tourism-admin", Role.PLAN_ADMIN, make_unit("econ-it", "西藏自治区经济和信息化厅")
    )


def _points(page) -> int:
    return int(page.get_attribute("#occupancy-chart", "data-points") or 0)


def test_spot_dashboard_and_region_map(page, login, screenshot, tourism):
    login("tourism-admin")
    page.goto("/tourism/spots/jokhang/")
    wait_until(lambda: _points(page) > 10)
    assert page.locator("#occupancy-chart canvas").count() == 1
    assert page.locator("#forecast-chart canvas").count() == 1
    assert "预警" in page.inner_text("#spot-level")
    assert "MAPE" in page.inner_text("#backtest")
    assert "停止售票" in page.inner_text("#crowd-alert")  # the alert with the standard's actions
    assert int(page.inner_text("#kpi-occupancy")) >= 1450
    page.wait_for_timeout(500)
    screenshot("tourism-spot")

    page.goto("/tourism/")
    assert page.locator("#spot-table tbody tr").count() == len(demo.SPOTS)
    wait_until(lambda: page.locator("#spot-map canvas").count() == 1)
    assert page.inner_text("#kpi-warning").strip() == "1"
    page.wait_for_timeout(800)
    screenshot("tourism-map")


@pytest.mark.parametrize(("lang", "marker"), [("zh", "预警"), ("bo", "ཇོ་ཁང་།")])
def test_public_status_on_a_phone(browser, live_server, tourism, lang, marker):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        ignore_https_errors=True,
    )
    page = context.new_page()
    sizes = []
    page.on("response", lambda response: sizes.append(len(response.body())))
    page.goto(f"/tourism/status/?lang={lang}")  # no login
    page.wait_for_load_state("networkidle")
    assert sum(sizes) <= 200_000, f"first load {sum(sizes)} bytes"
    assert page.locator("section.card").count() == len(demo.SPOTS)
    assert marker in page.inner_text("body")
    assert page.locator("section.lvl-warning").count() == 1
    assert page.locator("main").bounding_box()["width"] <= 390  # no sideways scrolling
    if lang == "bo":
        assert page.get_attribute("html", "lang") == "bo"
        assert "Scenic spots today" not in page.inner_text("h1")  # translated
    page.screenshot(path=str(SCREENSHOTS / f"tourism-public-{lang}.png"), full_page=True)
    context.close()
