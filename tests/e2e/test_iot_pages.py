"""The IoT hub in a real browser: the device page draws a live chart of each property and keeps it
up to date; the product page rejects an invalid thing model with precise errors."""

import json
import time

import pytest
from django.utils import timezone

from tests.browser import expect, wait_until
from xizang5g.core.choices import Role
from xizang5g.iot.demo import iot_demo_load
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.iot.models import Device, RejectedMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(make_user, make_unit):
    iot_demo_load(history_hours=1)
    return make_user("iot-admin", Role.PLAN_ADMIN, make_unit("econ-it", "西藏自治区经济和信息化厅"))


def _post(device, params, msg_id):
    body = {"id": msg_id, "params": params, "method": "thing.event.property.post"}
    return Inbound(device.product.product_key, device.name, "property", json.dumps(body))


def _points(page, prop):
    return int(page.get_attribute(f"#chart-{prop}", "data-points") or 0)


def test_device_page_shows_live_charts(page, login, screenshot, demo):
    pond = Device.objects.get(product__product_key="xzTailings", name="pond-001")
    ingest_batch([_post(pond, {"water_level": 21.3, "seepage": 9.6}, "e2e-high")])
    ingest_batch([_post(pond, {"water_level": 250.0}, "e2e-bad")])  # out of range: rejected
    assert RejectedMessage.objects.filter(device=pond).count() == 1

    login("iot-admin")
    page.goto(f"/iot/devices/{pond.pk}/")
    wait_until(lambda: _points(page, "water_level") > 30)
    assert page.locator("#chart-water_level canvas").count() == 1
    for prop in ("seepage", "displacement", "rainfall"):
        assert _points(page, prop) > 30
    assert "250.0 is above the maximum 60" in page.inner_text("#rejected-log")
    assert "库水位超警戒" in page.inner_text("body")  # the alert raised by the 21.3 m reading

    # New data appears without reloading the page (the chart polls every 5 seconds).
    before = _points(page, "water_level")
    ingest_batch([_post(pond, {"water_level": 19.1}, f"e2e-live-{time.time()}")])
    wait_until(lambda: _points(page, "water_level") > before, timeout_s=15)
    assert "19.1" in page.inner_text("#latest-water_level")
    page.wait_for_timeout(300)
    screenshot("iot-device")


def test_device_list_and_yak_collar(page, login, demo):
    login("iot-admin")
    page.goto("/iot/devices/")
    assert page.locator("#devices tbody tr").count() == 22
    page.select_option("#f-product", "xzYakCollar")
    expect(page.locator("#devices tbody tr")).to_have_count(8)
    page.click("#devices tbody tr:first-child a")
    wait_until(lambda: _points(page, "body_temp") > 30)
    assert page.locator("#chart-activity canvas").count() == 1  # enum charted as steps


def test_thing_model_editor_shows_precise_errors(page, login, demo):
    login("iot-admin")
    page.goto("/iot/products/xzBarnEnv/")
    model = json.loads(page.input_value("textarea[name=text]"))
    model["properties"][0]["dataType"]["specs"]["min"] = "cold"
    model["properties"][1]["accessMode"] = "w"
    page.fill("textarea[name=text]", json.dumps(model, ensure_ascii=False))
    page.click("#save-thing-model")
    errors = page.inner_text("#tsl-errors")
    assert "properties[0].dataType.specs.min" in errors and "properties[1].accessMode" in errors
    # Nothing was saved.
    assert (
        Device.objects.filter(product__product_key="xzBarnEnv")
        .first()
        .product.properties[0]["dataType"]["specs"]["min"]
        == -40
    )
    assert timezone.now()
