"""Hostile bodies and files for the IoT hub: JSON nested 100,000 deep (HTTP ingest, thing-model
import by API and page), NaN, oversized bodies, and a GBK-encoded thing model file whose Chinese
must be kept."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.hostile import assert_cheap, deep_json, deep_json_object, measured, warm_up
from tests.iot.conftest import THING_MODEL, body
from tests.iot.test_api import basic
from xizang5g.iot.models import Product, Reading

pytestmark = pytest.mark.django_db


def _ingest(client, device, secret, payload: bytes, **extra):
    return client.post(
        "/api/v1/iot/ingest",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(device.mqtt_username, secret),
        **extra,
    )


@pytest.mark.parametrize("payload", [deep_json(), deep_json_object()], ids=["array", "object"])
def test_deeply_nested_ingest_body_is_refused(client, device_and_secret, payload):
    device, secret = device_and_secret
    _ingest(client, device, secret, b"[]")  # warm up
    with measured() as cost:
        response = _ingest(client, device, secret, payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert_cheap(cost)
    assert Reading.objects.count() == 0


def test_nan_in_an_ingest_body_is_refused_naming_the_field(client, device_and_secret):
    device, secret = device_and_secret
    payload = json.dumps(body({"level": 12.5})).replace("12.5", "NaN").encode()
    response = _ingest(client, device, secret, payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "params.level is nan" in response.json()["detail"]
    assert Reading.objects.count() == 0


def test_ingest_body_over_the_limit_answers_413(client, device_and_secret, settings):
    device, secret = device_and_secret
    settings.XZ5G_JSON_MAX_BYTES = 64 * 1024
    messages = [body({"level": 1.0}, msg_id=str(n)) for n in range(2_000)]
    payload = json.dumps(messages).encode()
    response = _ingest(client, device, secret, payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "at most 65,536 bytes is accepted" in response.json()["detail"]
    huge = b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    with measured() as cost:
        response = _ingest(client, device, secret, huge, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and "at most" in response.json()["detail"]
    assert cost.seconds < 2
    assert Reading.objects.count() == 0


def test_deeply_nested_thing_model_is_refused_by_api_and_page(client, plan_admin, product):
    client.force_login(plan_admin)
    url = f"/api/v1/iot/products/{product.product_key}/thing-model"
    before = product.thing_model
    warm_up(client, url)
    with measured() as cost:
        response = client.put(
            url, deep_json_object(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 422
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert_cheap(cost)
    page = reverse("iot:product_detail", args=[product.product_key])
    with measured() as cost:
        response = client.post(
            page, {"text": deep_json_object().decode()}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 422
    assert "nested more than 32 levels deep" in response.content.decode()
    assert_cheap(cost)
    product.refresh_from_db()
    assert product.thing_model == before


def test_gbk_thing_model_file_keeps_its_chinese(client, plan_admin, iot_unit):
    client.force_login(plan_admin)
    text = json.dumps(THING_MODEL, ensure_ascii=False, indent=2)
    upload = SimpleUploadedFile("tsl.json", text.encode("gbk"), content_type="application/json")
    response = client.post(
        reverse("iot:product_create"),
        {"name": "水位计", "unit": iot_unit.pk, "file": upload},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    product = Product.objects.get(name="水位计")
    names = {p["identifier"]: p["name"] for p in product.properties}
    assert names["level"] == "库水位" and names["seepage"] == "渗流量"
    assert "\ufffd" not in json.dumps(product.thing_model, ensure_ascii=False)


def test_thing_model_file_in_an_unknown_encoding_is_refused(client, plan_admin, product):
    client.force_login(plan_admin)
    before = product.thing_model
    upload = SimpleUploadedFile("tsl.json", b'{"name": "\x81\x30\xff\xfe"}')
    response = client.post(
        reverse("iot:product_detail", args=[product.product_key]),
        {"file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "tried UTF-8, GB18030" in response.content.decode()
    product.refresh_from_db()
    assert product.thing_model == before
