"""End to end over a real broker: the embedded amqtt always, Mosquitto when MQTT_URL is set."""

import time
import uuid

import pytest

from tests.iot.conftest import body, database_outage, wait_until
from xizang5g.core.choices import AlertSource, AlertState
from xizang5g.core.models import Alert
from xizang5g.iot import services
from xizang5g.iot.choices import RuleKind
from xizang5g.iot.models import DeviceStatus, LatestValue, Reading, RejectedMessage

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_publish_store_alert_and_reply(device_and_secret, start_worker, connect_device):
    device, secret = device_and_secret
    services.rule_create(
        product=device.product,
        name="库水位过高",
        kind=RuleKind.THRESHOLD,
        property="level",
        threshold=80,
        hysteresis=5,
        severity="critical",
    )
    start_worker()
    client = connect_device(device, secret)

    client.publish(body({"level": 50.5, "pump": True}, "m-1"))
    client.publish(body({"level": 91.0}, "m-2"))
    replies = client.wait_replies(2)
    assert [(r["id"], r["code"]) for r in replies] == [("m-1", 200), ("m-2", 200)]
    assert replies[0]["method"] == "thing.event.property.post"

    assert Reading.objects.filter(device=device, property="level").count() == 2
    assert LatestValue.objects.get(device=device, property="level").value == 91.0
    alert = Alert.objects.get(dedup_key__startswith="iot:")
    assert alert.source == AlertSource.DEVICE_RULE
    assert alert.state == AlertState.OPEN and alert.severity == "critical"
    assert alert.unit_id == device.unit_id and alert.object_id == str(device.pk)
    assert DeviceStatus.objects.get(device=device).state == "online"

    # Hysteresis: 78 is below 80 but not below 75, so the alert stays; 70 resolves it.
    client.publish(body({"level": 78.0}, "m-3"))
    client.wait_replies(3)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    client.publish(body({"level": 70.0}, "m-4"))
    client.wait_replies(4)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_malformed_rejected_good_ones_in_the_burst_stored(
    device_and_secret, start_worker, connect_device
):
    device, secret = device_and_secret
    start_worker()
    client = connect_device(device, secret)
    good = [body({"level": float(i)}, f"ok-{i}") for i in range(20)]
    burst = [
        *good[:7],
        b"{not json",
        body({"level": 180.0}, "bad-range"),
        *good[7:14],
        body({"nope": 1}, "bad-prop"),
        body({"level": "high"}, "bad-type"),
        *good[14:],
    ]
    for message in burst:
        client.publish(message)
    replies = client.wait_replies(len(burst))
    assert len(replies) == len(burst)
    codes = {r["id"]: r["code"] for r in replies if r["id"]}
    assert all(codes[f"ok-{i}"] == 200 for i in range(20))
    assert codes["bad-range"] == 460 and codes["bad-prop"] == 460 and codes["bad-type"] == 460
    assert Reading.objects.filter(device=device).count() == 20
    reasons = list(RejectedMessage.objects.filter(device=device).values_list("reason", flat=True))
    assert len(reasons) == 4
    assert any("params.level: 180.0 is above the maximum 100" in r for r in reasons)
    assert any("not valid JSON" in r for r in reasons)
    assert any("params.nope: not a property" in r for r in reasons)
    assert any("params.level: expected a number" in r for r in reasons)
    assert DeviceStatus.objects.get(device=device).rejected_total == 4


def test_qos1_redelivery_stored_once(device_and_secret, start_worker, connect_device):
    device, secret = device_and_secret
    start_worker()
    client = connect_device(device, secret)
    message = body({"level": 12.0, "seepage": 3.5}, "same-id")
    client.publish(message)
    client.wait_replies(1)
    client.publish(message)  # what a device does when its PUBACK was lost
    replies = client.wait_replies(2)
    assert [r["code"] for r in replies] == [200, 200]
    assert replies[1]["message"] == "duplicate"
    assert Reading.objects.filter(device=device).count() == 2  # two properties, stored once


def test_no_reply_when_the_device_asks_for_none(device_and_secret, start_worker, connect_device):
    """Alink's "sys": {"ack": 0}: stored, acknowledged, but no …_reply (telemetry that nobody
    on the device waits for); a rejected message is still answered."""
    device, secret = device_and_secret
    start_worker()
    client = connect_device(device, secret)
    client.publish(body({"level": 1.0}, "quiet", sys={"ack": 0}))
    client.publish(body({"level": 500.0}, "bad", sys={"ack": 0}))
    client.publish(body({"level": 2.0}, "loud"))
    replies = client.wait_replies(2)
    assert wait_until(lambda: Reading.objects.filter(device=device).count() == 2, timeout=10)
    time.sleep(0.3)  # a reply to "quiet" would have arrived by now
    assert sorted(r["id"] for r in client.replies) == ["bad", "loud"]
    assert {r["id"]: r["code"] for r in replies} == {"bad": 460, "loud": 200}


def test_kill_worker_mid_stream_loses_nothing(device_and_secret, start_worker, connect_device):
    device, secret = device_and_secret
    client_id = f"persist-{uuid.uuid4().hex[:6]}"
    worker = start_worker(client_id)
    client = connect_device(device, secret)
    total = 300
    for i in range(total):
        client.publish(body({"level": float(i % 100)}, f"k-{i}"))
        if i == 100:
            worker.kill()  # crash: whatever it had not acknowledged stays with the broker
    time.sleep(0.5)
    stored_at_kill = Reading.objects.filter(device=device).count()
    assert stored_at_kill < total
    start_worker(client_id)  # same client id: the persistent session comes back
    assert wait_until(lambda: Reading.objects.filter(device=device).count() >= total, timeout=30)
    ids = set(Reading.objects.filter(device=device).values_list("value", flat=True))
    assert Reading.objects.filter(device=device).count() == total
    assert len(ids) == 100


def test_stored_messages_are_acknowledged(device_and_secret, start_worker, connect_device):
    """The PUBACKs go out once a batch is stored: a worker coming back on the same persistent
    session is sent nothing again."""
    device, secret = device_and_secret
    client_id = f"acked-{uuid.uuid4().hex[:6]}"
    worker = start_worker(client_id)
    client = connect_device(device, secret)
    for i in range(150):
        client.publish(body({"level": float(i % 100)}, f"a-{i}"))
    assert len(client.wait_replies(150)) == 150
    assert worker.processed == 150
    worker.stop()  # the session stays with the broker
    again = start_worker(client_id)
    client.publish(body({"level": 1.0}, "after"))
    client.wait_replies(151)
    time.sleep(0.5)  # anything unacknowledged would have been sent again with the session
    assert again.processed == 1
    assert Reading.objects.filter(device=device).count() == 151


def test_latest_values_held_back_survive_a_crash(
    device_and_secret, start_worker, connect_device, monkeypatch, settings
):
    """Under load the worker writes latest values about once a second, and acknowledges a batch
    only once they are written: a worker that stops in between gets the messages again, and the
    redeliveries, not stored twice, bring the latest values."""
    from xizang5g.iot.worker import IngestWorker

    device, secret = device_and_secret
    settings.XZ5G_IOT_LATEST_SECONDS = 3600
    client_id = f"held-{uuid.uuid4().hex[:6]}"
    start_worker(client_id).stop()  # its session, with the subscription, stays with the broker
    client = connect_device(device, secret)
    for i in range(50):
        client.publish(body({"level": float(i)}, f"h-{i}"))
    # A worker that stores them and stops before it writes the values it held back.
    monkeypatch.setattr(IngestWorker, "_idle", lambda self: False)
    monkeypatch.setattr(IngestWorker, "_flush", lambda self: None)
    worker = start_worker(client_id)
    assert wait_until(lambda: not worker.alive)
    assert Reading.objects.filter(device=device).count() == 50
    assert not LatestValue.objects.filter(device=device).exists()
    monkeypatch.undo()
    start_worker(client_id)
    assert wait_until(
        lambda: LatestValue.objects.filter(device=device, property="level", value=49.0).exists()
    )
    assert Reading.objects.filter(device=device).count() == 50


def test_database_outage_loses_nothing(device_and_secret, start_worker, connect_device, caplog):
    """The database goes away mid-stream (a restart): what arrives meanwhile is neither
    acknowledged nor answered with an error, and is stored once the database is back."""
    from django.db import connection

    if connection.vendor != "postgresql":
        print("\nSKIP database outage: it needs a PostgreSQL server to drop connections")
        pytest.skip("dropping server connections needs PostgreSQL (DATABASE_URL)")
    device, secret = device_and_secret
    start_worker()
    client = connect_device(device, secret)
    for i in range(100):
        client.publish(body({"level": float(i % 100)}, f"o-{i}"))
    client.wait_replies(100)
    with database_outage():
        for i in range(100, 300):
            client.publish(body({"level": float(i % 100)}, f"o-{i}"))
        time.sleep(2)
        assert len(client.replies) == 100  # no answer while nothing can be stored
    replies = client.wait_replies(300, timeout=30)
    assert {r["code"] for r in replies} == {200}
    assert sorted(r["id"] for r in replies) == sorted(f"o-{i}" for i in range(300))
    assert Reading.objects.filter(device=device).count() == 300
    assert "database error; retrying" in caplog.text


def test_unknown_device_and_wrong_secret(device_and_secret, broker, start_worker):
    """The embedded broker refuses a wrong secret; any broker's worker drops unknown devices."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.client import CallbackAPIVersion

    from xizang5g.iot.signals import device_auth_failed

    device, _secret = device_and_secret
    seen = []
    handler = lambda sender, **kw: seen.append(kw)  # noqa: E731
    device_auth_failed.connect(handler)
    try:
        start_worker()
        if broker.auth:
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="intruder")
            client.username_pw_set(f"{device.name}&{device.product.product_key}", "wrong")
            result = {}
            client.on_connect = lambda c, u, f, rc, p=None: result.setdefault("rc", rc)
            client.connect(broker.host, broker.port)
            client.loop_start()
            assert wait_until(lambda: "rc" in result, 10)
            client.loop_stop()
            assert result["rc"].is_failure
            assert any(s["reason"] == "wrong secret" for s in seen)
        else:
            client = mqtt.Client(
                CallbackAPIVersion.VERSION2, client_id="ghost", protocol=mqtt.MQTTv5
            )
            client.connect(broker.host, broker.port)
            client.loop_start()
            client.publish(
                "/sys/nokey/ghost/thing/event/property/post",
                '{"id":"1","params":{"level":1}}',
                qos=1,
            ).wait_for_publish(5)
            assert wait_until(lambda: any(s["reason"] == "unknown device" for s in seen), 10)
            client.loop_stop()
    finally:
        device_auth_failed.disconnect(handler)


def test_will_message_marks_device_offline(device_and_secret, start_worker, connect_device):
    device, secret = device_and_secret
    start_worker()
    client = connect_device(device, secret, will=True)
    client.publish(body({"level": 1.0}))
    client.wait_replies(1)
    assert DeviceStatus.objects.get(device=device).state == "online"
    client.client.loop_stop()
    client.client.socket().close()  # an unclean drop: the broker publishes the will
    assert wait_until(lambda: DeviceStatus.objects.get(device=device).state == "offline", 20)
