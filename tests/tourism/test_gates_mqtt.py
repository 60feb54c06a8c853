"""Gate counters on the IoT hub: a product whose thing model declares `gate_counter`, delivered to
the tourism subscription — over MQTT through the ingest worker (embedded broker, and Mosquitto
when MQTT_URL is set) and through a stored batch."""

import pytest

from tests.iot.conftest import body, wait_until
from xizang5g.core.models import Alert
from xizang5g.iot import services as iot
from xizang5g.iot import subscriptions
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.tourism import services
from xizang5g.tourism.demo import GATE_THING_MODEL
from xizang5g.tourism.models import CountSample, SpotState, Zone


@pytest.fixture(autouse=True)
def _routes():
    subscriptions.routes.invalidate()
    subscriptions.backlogged._loaded = -1e9
    yield


@pytest.fixture
def gate(spot, spot_editor, spot_unit):
    product = iot.product_create(
        name="闸机客流计数器", thing_model=GATE_THING_MODEL, unit=spot_unit
    )
    device, secret = iot.device_create(product=product, name="potala-gate-1", unit=spot_unit)
    zone = Zone.objects.get(spot=spot, code="square")
    services.gate_attach(user=spot_editor, zone=zone, device=device)
    return device, secret


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_gate_counts_published_over_mqtt_raise_the_crowd_alert(
    gate, spot, start_worker, connect_device
):
    device, secret = gate
    start_worker()
    client = connect_device(device, secret)
    for n, (entries, exits) in enumerate(((100, 0), (1800, 200), (2900, 200))):
        client.publish(body({"entries": entries, "exits": exits}, f"g-{n}"))
    client.wait_replies(3)
    assert wait_until(lambda: CountSample.objects.count() == 3)
    assert wait_until(lambda: SpotState.objects.get(spot=spot).occupancy == 2700)
    state = SpotState.objects.get(spot=spot)
    assert state.level == "warning" and state.entries_today == 2900  # 90 % of 3,000
    alert = Alert.objects.get(source="crowd")
    assert alert.details["spot"] == "potala"


def test_a_stored_batch_is_delivered_once(gate, spot):
    device, _secret = gate
    key = device.product.product_key
    message = body({"entries": 500, "exits": 50}, "same")
    ingest_batch([Inbound(key, device.name, "property", message)])
    ingest_batch([Inbound(key, device.name, "property", message)])  # the broker redelivers
    assert CountSample.objects.count() == 1
    assert SpotState.objects.get(spot=spot).occupancy == 450
