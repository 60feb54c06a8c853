"""Apps reacting to telemetry: the test-only app (tests/testapp, "frost watch") subscribes to
weather stations by capability and names a rule action; both come only from its AppConfig."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.iot.conftest import body, wait_until
from tests.testapp import handlers
from tests.testapp.models import Observation
from xizang5g.core.choices import AlertSource, AlertState
from xizang5g.core.models import Alert
from xizang5g.iot import services, subscriptions
from xizang5g.iot.choices import RuleKind
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.iot.models import Reading, SubscriptionBacklog

WEATHER = {
    "capabilities": ["weather_station"],
    "properties": [
        {
            "identifier": "temperature",
            "name": "气温",
            "dataType": {"type": "float", "specs": {"min": "-60", "max": "60", "unit": "°C"}},
        }
    ],
}


@pytest.fixture(autouse=True)
def _subscriber_healthy():
    handlers.failing.clear()
    subscriptions.routes.invalidate()
    subscriptions.backlogged._loaded = -1e9
    yield
    handlers.failing.clear()


@pytest.fixture
def station(db, iot_unit):
    product = services.product_create(name="温室气象站", thing_model=WEATHER, unit=iot_unit)
    device, secret = services.device_create(product=product, name="ws-01", unit=iot_unit)
    return device, secret


def _post(device, *temperatures, msg_ids=None):
    ids = msg_ids or [uuid.uuid4().hex[:10] for _ in temperatures]
    return ingest_batch(
        [
            Inbound(
                device.product.product_key,
                device.name,
                "property",
                body({"temperature": t}, msg_id),
            )
            for t, msg_id in zip(temperatures, ids, strict=True)
        ]
    )


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_the_subscriber_receives_readings_published_over_mqtt(
    station, start_worker, connect_device
):
    device, secret = station
    start_worker()
    client = connect_device(device, secret)
    for n, temperature in enumerate((3.5, 1.0, -2.5)):
        client.publish(body({"temperature": temperature}, f"t-{n}"))
    client.wait_replies(3)
    assert wait_until(lambda: Observation.objects.count() == 3)
    assert list(Observation.objects.values_list("msg_id", "temperature")) == [
        ("t-0", 3.5),
        ("t-1", 1.0),
        ("t-2", -2.5),
    ]


def test_only_products_with_the_capability_are_delivered(station, device):
    weather, _secret = station
    _post(weather, 1.0)
    ingest_batch([Inbound(device.product.product_key, device.name, "property", body({"level": 5}))])
    assert list(Observation.objects.values_list("device_id", flat=True)) == [weather.pk]


def test_a_redelivery_is_delivered_again_and_kept_once(station):
    device, _secret = station
    _post(device, 1.5, msg_ids=["same"])
    _post(device, 1.5, msg_ids=["same"])  # the broker redelivers an unacknowledged message
    assert Reading.objects.filter(device=device).count() == 1
    assert Observation.objects.count() == 1


def test_a_failing_subscriber_never_stops_ingest_and_catches_up_in_order(station):
    device, _secret = station
    handlers.failing.set()
    _post(device, 4.0, 3.0, msg_ids=["a", "b"])
    assert Reading.objects.filter(device=device).count() == 2  # ingest went on
    assert SubscriptionBacklog.objects.count() == 2
    handlers.failing.clear()
    _post(device, 2.0, msg_ids=["c"])  # queues behind the failed ones: order per device holds
    assert Observation.objects.count() == 0
    later = timezone.now() + timedelta(hours=2)
    assert subscriptions.backlog_retry(now=later) == {"delivered": 3, "waiting": 0}
    assert list(Observation.objects.order_by("id").values_list("msg_id", flat=True)) == [
        "a",
        "b",
        "c",
    ]


def test_a_subscriber_failing_again_and_again_is_alerted_then_resolved(station):
    device, _secret = station
    handlers.failing.set()
    _post(device, -1.0)
    now = timezone.now()
    for _attempt in range(subscriptions.ALERT_AFTER_ATTEMPTS):
        now += timedelta(hours=2)
        subscriptions.backlog_retry(now=now)
    alert = Alert.objects.get(dedup_key="iot-subscriber:testapp.temperatures")
    assert alert.source == AlertSource.PLATFORM and alert.state == AlertState.OPEN
    assert "frost watch is down" in alert.message
    handlers.failing.clear()
    subscriptions.backlog_retry(now=now + timedelta(hours=2))
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and Observation.objects.count() == 1


def test_a_rule_action_lets_the_app_raise_its_own_alert(station):
    device, _secret = station
    services.rule_create(
        product=device.product,
        name="霜冻",
        kind=RuleKind.THRESHOLD,
        property="temperature",
        comparison="below",
        threshold=0,
        action="testapp.frost",
    )
    _post(device, -3.0)
    alert = Alert.objects.get(dedup_key=f"frost:{device.pk}")
    assert alert.source == "frost" and alert.get_source_display() == "Frost warning"
    assert not Alert.objects.filter(source=AlertSource.DEVICE_RULE).exists()
    _post(device, 5.0)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_a_rule_naming_an_unknown_action_is_refused(station):
    from django.core.exceptions import ValidationError

    device, _secret = station
    with pytest.raises(ValidationError, match="action"):
        services.rule_create(
            product=device.product,
            name="x",
            kind=RuleKind.THRESHOLD,
            property="temperature",
            threshold=0,
            action="nobody.nothing",
        )
