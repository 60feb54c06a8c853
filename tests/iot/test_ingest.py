"""The ingest pipeline without a broker: validation, dedup, storage, rollups, rules, signals."""

import functools
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.iot.conftest import body
from xizang5g.core.choices import AlertState
from xizang5g.core.models import Alert
from xizang5g.iot import selectors, services, storage
from xizang5g.iot.choices import RuleKind
from xizang5g.iot.ingest import (
    Inbound,
    LatestBuffer,
    ingest_batch,
    mark_offline,
    parse_topic,
    status_post,
    store_batch,
)
from xizang5g.iot.models import (
    DeviceEvent,
    DeviceStatus,
    LatestValue,
    MessageReceipt,
    Reading,
    ReadingRollup,
    RejectedMessage,
)
from xizang5g.iot.rules import engine
from xizang5g.iot.signals import payload_rejected

pytestmark = pytest.mark.django_db


def post(device, payload, identifier="property", **kwargs):
    return Inbound(device.product.product_key, device.name, identifier, payload, **kwargs)


def test_parse_topic():
    assert parse_topic("/sys/pk/dev-1/thing/event/property/post") == ("pk", "dev-1", "property")
    assert parse_topic("/sys/pk/dev-1/thing/event/overflow/post") == ("pk", "dev-1", "overflow")
    assert parse_topic("/sys/pk/dev-1/thing/event/property/post_reply") is None
    assert parse_topic("sys/pk/dev/thing/event/property/post") is None


def test_store_latest_rollups_and_status(device):
    t0 = datetime(2026, 5, 1, 8, 0, 10, tzinfo=UTC)
    messages = [
        post(
            device,
            body(
                {
                    "level": {
                        "value": 10.0,
                        "time": int((t0 + timedelta(seconds=i * 20)).timestamp() * 1000),
                    }
                }
            ),
        )
        for i in range(6)  # 08:00:10 … 08:01:50
    ]
    messages.append(
        post(device, body({"note": "巡检正常", "pos": {"lon": 91.1, "lat": 29.65}, "mode": 1}))
    )
    outcomes = ingest_batch(messages)
    assert [o.code for o in outcomes] == [200] * 7
    assert Reading.objects.filter(device=device).count() == 9
    note = Reading.objects.get(device=device, property="note")
    assert note.value is None and note.value_text == "巡检正常"
    assert Reading.objects.get(device=device, property="pos").value_json == {
        "lon": 91.1,
        "lat": 29.65,
    }
    assert not ReadingRollup.objects.exists()  # computed from the readings, not per batch
    assert storage.rollups_refresh() == {"minutes": 2, "hours": 1}
    assert storage.rollups_refresh() == {"minutes": 0, "hours": 0}
    minute = ReadingRollup.objects.filter(device=device, property="level", period="1m").order_by(
        "start"
    )
    assert [(r.start.minute, r.count) for r in minute] == [(0, 3), (1, 3)]
    hour = ReadingRollup.objects.get(device=device, property="level", period="1h")
    assert hour.count == 6 and hour.sum == 60.0 and hour.min == 10.0
    # A late reading marks its minute due again; the refresh recomputes it and its hour.
    ingest_batch(
        [
            post(
                device,
                body(
                    {
                        "level": {
                            "value": 40.0,
                            "time": int((t0 + timedelta(seconds=5)).timestamp() * 1000),
                        }
                    }
                ),
            )
        ]
    )
    storage.rollups_refresh()
    storage.rollups_refresh()  # recomputing, not adding: running it again changes nothing
    hour.refresh_from_db()
    assert hour.count == 7 and hour.max == 40.0 and hour.min == 10.0
    # The latest value is the newest by time, not by arrival.
    assert LatestValue.objects.get(device=device, property="level").time == t0 + timedelta(
        seconds=100
    )
    status = DeviceStatus.objects.get(device=device)
    assert status.state == "online" and status.messages_total == 8


def test_rollups_of_a_minute_wait_until_it_is_over(device):
    now = timezone.now()
    ingest_batch(
        [post(device, body({"level": 5.0}, "r1")), post(device, body({"level": 7.0}, "r2"))]
    )
    assert storage.rollups_refresh(now=now) == {"minutes": 0, "hours": 0}  # still open
    history = selectors.history(device=device, prop="level", rollup="1m")
    assert history["points"][-1][1:] == [6.0, 5.0, 7.0]  # the open minute, from the readings
    assert storage.rollups_refresh(now=now + timedelta(minutes=2))["minutes"] >= 1
    rollup = ReadingRollup.objects.get(device=device, property="level", period="1m")
    hour = ReadingRollup.objects.get(device=device, property="level", period="1h")
    assert (rollup.count, rollup.sum, hour.count, hour.max) == (2, 12.0, 2, 7.0)


def test_bad_message_rejected_with_reason_and_signal(device):
    seen = []

    def handler(sender, **kwargs):
        seen.append(kwargs)

    payload_rejected.connect(handler)
    try:
        outcomes = ingest_batch(
            [
                post(device, body({"level": 1.0}, "a")),
                post(device, body({"level": 1.0, "seepage": -3.0}, "b")),
                post(device, b"\xff\xfe not json"),
                post(
                    device,
                    {"id": "c", "params": {"level": 2.0}, "method": "thing.event.overflow.post"},
                ),
                post(device, body({"level": 3.0}, "d")),
            ]
        )
    finally:
        payload_rejected.disconnect(handler)
    assert [o.code for o in outcomes] == [200, 460, 460, 460, 200]
    assert "params.seepage: -3.0 is below the minimum 0" in outcomes[1].message
    assert "does not match the topic" in outcomes[3].message
    assert Reading.objects.filter(device=device).count() == 2
    assert RejectedMessage.objects.filter(device=device).count() == 3
    assert DeviceStatus.objects.get(device=device).rejected_total == 3
    assert len(seen) == 3 and seen[0]["device"] == device and seen[-1]["count"] == 3


def test_unknown_and_disabled_devices(device):
    from xizang5g.iot.signals import device_auth_failed

    seen = []
    handler = lambda sender, **kw: seen.append(kw)  # noqa: E731
    device_auth_failed.connect(handler)
    try:
        unknown = ingest_batch(
            [Inbound("nope", "ghost", "property", body({"level": 1}), client_ip="10.0.0.9")]
        )
        services.device_set_enabled(device=device, enabled=False)
        disabled = ingest_batch([post(device, body({"level": 1.0}))])
    finally:
        device_auth_failed.disconnect(handler)
    assert unknown[0].code == 401 and disabled[0].code == 403
    assert seen[0] == {
        "signal": device_auth_failed,
        "product_key": "nope",
        "device_name": "ghost",
        "client_ip": "10.0.0.9",
        "reason": "unknown device",
    }
    assert seen[1]["reason"] == "device disabled"
    assert not Reading.objects.exists()


def test_duplicates_stored_once_within_and_across_batches(device):
    first = ingest_batch(
        [post(device, body({"level": 5.0}, "x1")), post(device, body({"level": 5.0}, "x1"))]
    )
    again = ingest_batch([post(device, body({"level": 5.0}, "x1"))])
    assert [o.duplicate for o in first] == [False, True] and again[0].duplicate
    assert Reading.objects.filter(device=device).count() == 1
    assert MessageReceipt.objects.filter(device=device).count() == 1
    storage.rollups_refresh(now=timezone.now() + timedelta(minutes=2))
    assert ReadingRollup.objects.get(device=device, period="1h").count == 1


def test_deleting_a_device_deletes_its_receipts(device):
    """Receipts have no foreign key in the database (it cost a lock per message): Django's
    cascade is what removes them with the device."""
    other = services.device_create(product=device.product, name="receipts-2", unit=device.unit)[0]
    ingest_batch([post(d, body({"level": 1.0}, "same-id")) for d in (device, other)])
    other_id = other.pk
    other.delete()
    assert not MessageReceipt.objects.filter(device_id=other_id).exists()
    assert MessageReceipt.objects.filter(device=device, msg_id="same-id").count() == 1


def test_bodies_that_are_not_json_objects_are_rejected_with_the_reason(device):
    bad = [b"\xff\xfe{}", b"", b'{"id": "n1", "params": {"level": NaN}}', b"[1, 2]"]
    outcomes = ingest_batch([post(device, payload) for payload in bad])
    assert [o.code for o in outcomes] == [460] * 4
    assert all("not valid JSON" in o.message for o in outcomes[:3])
    assert "must be a JSON object" in outcomes[3].message


def test_events_and_event_rule(device):
    services.rule_create(
        product=device.product, name="漫坝预警", kind=RuleKind.EVENT, severity="critical"
    )
    ingest_batch(
        [
            post(
                device,
                {"id": "e1", "params": {"level": 95.5}, "method": "thing.event.overflow.post"},
                identifier="overflow",
            )
        ]
    )
    ingest_batch(
        [
            post(
                device,
                {"id": "e2", "params": {}, "method": "thing.event.heartbeat.post"},
                identifier="heartbeat",
            )
        ]
    )
    assert DeviceEvent.objects.filter(device=device).count() == 2
    alert = Alert.objects.get()
    assert alert.severity == "critical" and alert.details["event"] == "overflow"


def test_range_and_rate_rules(device):
    services.rule_create(
        product=device.product,
        name="渗流异常",
        kind=RuleKind.RANGE,
        property="seepage",
        low=1,
        high=50,
        hysteresis=2,
    )
    services.rule_create(
        product=device.product,
        name="水位陡升",
        kind=RuleKind.RATE,
        property="level",
        rate_per_minute=5,
    )
    now = timezone.now()

    def at(seconds, **params):
        return post(
            device,
            body(
                {
                    k: {
                        "value": v,
                        "time": int((now + timedelta(seconds=seconds)).timestamp() * 1000),
                    }
                    for k, v in params.items()
                }
            ),
        )

    ingest_batch([at(-120, seepage=10.0, level=20.0), at(-60, seepage=60.0, level=30.0)])
    titles = set(Alert.objects.filter(state=AlertState.OPEN).values_list("rule", flat=True))
    assert titles == {"渗流异常", "水位陡升"}  # 60 > 50, and 10 m in one minute > 5/min
    ingest_batch([at(-30, seepage=49.0, level=30.5)])  # inside the range but within the hysteresis
    assert Alert.objects.get(rule="渗流异常").state == AlertState.OPEN
    assert Alert.objects.get(rule="水位陡升").state == AlertState.RESOLVED
    ingest_batch([at(0, seepage=47.0, level=30.6)])
    assert Alert.objects.get(rule="渗流异常").state == AlertState.RESOLVED


def test_rules_sharing_a_property_fire_and_clear_in_one_batch(device):
    """Values between the rules' thresholds skip the rules only while the device has none
    firing: a rule raised earlier in the same batch is still cleared by the next value."""
    other = services.device_create(product=device.product, name="rules-2", unit=device.unit)[0]
    rule = functools.partial(services.rule_create, product=device.product, property="level")
    rule(name="高", kind=RuleKind.THRESHOLD, threshold=80, hysteresis=5)
    rule(name="低", kind=RuleKind.THRESHOLD, comparison="below", threshold=10, hysteresis=2)
    rule(name="二号高", kind=RuleKind.THRESHOLD, threshold=50, device=other)
    values = [(device, 85.0), (device, 30.0), (other, 55.0)]
    values.append((other, 80.0))  # at the threshold: "above 80" does not fire
    ingest_batch([post(d, body({"level": v})) for d, v in values])

    def states():
        alerts = Alert.objects.values_list("rule", "object_id", "state")
        return {(name, int(pk)): state for name, pk, state in alerts}

    assert states() == {
        ("高", device.pk): AlertState.RESOLVED,  # raised by 85, cleared by 30 in the same batch
        ("二号高", other.pk): AlertState.OPEN,
    }
    ingest_batch([post(device, body({"level": v})) for v in (9.0, 11.0)])
    assert states()[("低", device.pk)] == AlertState.OPEN  # 11 is within the hysteresis
    ingest_batch([post(device, body({"level": 12.5}))])
    assert states()[("低", device.pk)] == AlertState.RESOLVED


def test_no_data_rule_raises_and_clears(device):
    services.rule_create(
        product=device.product, name="数据中断", kind=RuleKind.NO_DATA, minutes=10, severity="minor"
    )
    ingest_batch([post(device, body({"level": 1.0}))])
    assert engine.check_no_data() == 0
    later = timezone.now() + timedelta(minutes=11)
    assert engine.check_no_data(now=later) == 1
    assert engine.check_no_data(now=later) == 0  # already firing
    alert = Alert.objects.get(rule="数据中断")
    assert alert.state == AlertState.OPEN and alert.severity == "minor"
    ingest_batch([post(device, body({"level": 2.0}))])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_rule_state_survives_a_restart(device):
    services.rule_create(
        product=device.product,
        name="高",
        kind=RuleKind.THRESHOLD,
        property="level",
        threshold=50,
        hysteresis=10,
    )
    ingest_batch([post(device, body({"level": 60.0}))])
    engine.invalidate()  # a new worker: state comes from RuleState
    ingest_batch([post(device, body({"level": 70.0}))])
    alert = Alert.objects.get()
    assert alert.occurrences == 1 and alert.state == AlertState.OPEN
    ingest_batch([post(device, body({"level": 30.0}))])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_status_posts_and_offline_marking(device):
    ingest_batch([post(device, body({"level": 1.0}))])
    status_post(product_key=device.product.product_key, device_name=device.name, online=False)
    assert DeviceStatus.objects.get(device=device).state == "offline"
    ingest_batch([post(device, body({"level": 1.0}))])
    assert DeviceStatus.objects.get(device=device).state == "online"
    assert mark_offline(now=timezone.now() + timedelta(minutes=10), after_seconds=60) == 1
    assert DeviceStatus.objects.get(device=device).state == "offline"


def test_rule_validation(product):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.rule_create(
            product=product, name="x", kind=RuleKind.THRESHOLD, property="note", threshold=1
        )
    assert "not numeric" in str(info.value)
    with pytest.raises(ValidationError):
        services.rule_create(
            product=product, name="x", kind=RuleKind.RANGE, property="level", low=5, high=1
        )


def test_retention(device):
    from xizang5g.iot.storage import retention_apply

    old = timezone.now() - timedelta(days=400)
    ingest_batch(
        [
            post(device, body({"level": {"value": 1.0, "time": int(old.timestamp() * 1000)}})),
            post(device, body({"level": 2.0})),
        ]
    )
    result = retention_apply(days=180)
    assert result["readings"] == 1 and Reading.objects.count() == 1


def test_rate_rule_uses_stored_history_after_a_restart(device):
    services.rule_create(
        product=device.product, name="陡升", kind=RuleKind.RATE, property="level", rate_per_minute=5
    )
    now = timezone.now()
    stamp = lambda s: int((now + timedelta(seconds=s)).timestamp() * 1000)  # noqa: E731
    ingest_batch([post(device, body({"level": {"value": 10.0, "time": stamp(-60)}}))])
    engine.invalidate()
    engine._last.clear()  # a new worker: the previous value comes from the readings table
    ingest_batch([post(device, body({"level": {"value": 30.0, "time": stamp(0)}}))])
    assert Alert.objects.get(rule="陡升").state == AlertState.OPEN


@pytest.mark.django_db(transaction=True)
def test_housekeeping_jobs(device, settings):
    from xizang5g.iot.tasks import iot_housekeeping, iot_storage_maintain

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ingest_batch([post(device, body({"level": 1.0}))])
    DeviceStatus.objects.filter(device=device).update(last_seen=timezone.now() - timedelta(hours=1))
    result = iot_housekeeping.enqueue().return_value
    assert result["offline"] == 1
    assert DeviceStatus.objects.get(device=device).state == "offline"
    assert "retention" in iot_storage_maintain.enqueue().return_value


def test_array_literals_round_trip_on_postgresql():
    """The ingest statements pass whole columns as array literals; PostgreSQL must read back
    exactly the values, quotes, backslashes, braces and NULLs included."""
    from django.db import connection

    from xizang5g.iot.ingest.sql import _pg_array

    if connection.vendor != "postgresql":
        print("\nSKIP array literal round trip: unnest(array literal) is the PostgreSQL path")
        pytest.skip("array literals are only used on PostgreSQL")
    columns = [
        (("a", 'b"c', "d\\e", None, "", "{x}", "巡 检", "a,b"), "text"),
        (("temp", "humidity"), "varchar"),
        ((1.5, None, -2.0, 1e-300, 123456789.123456), "float8"),
        ((1, 2, 3), "bigint"),
        (
            (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=UTC)),
            "timestamptz",
        ),
        (('{"k": "v\\\\w"}', None), "text"),
    ]
    with connection.cursor() as cursor:
        for values, sql_type in columns:
            cursor.execute(f"SELECT %s::{sql_type}[]", [_pg_array(values)])
            assert cursor.fetchone()[0] == list(values), sql_type


def test_text_values_with_tabs_newlines_and_backslashes_round_trip(device):
    note = 'line 1\tcol\nline 2 \\ "quoted" \\N'
    outcomes = ingest_batch([post(device, body({"note": note, "pos": {"lon": 91.1, "lat": 29.6}}))])
    assert outcomes[0].code == 200
    assert Reading.objects.get(device=device, property="note").value_text == note
    assert LatestValue.objects.get(device=device, property="note").value_text == note
    assert Reading.objects.get(device=device, property="pos").value_json == {
        "lon": 91.1,
        "lat": 29.6,
    }


def test_rollups_computed_slice_by_slice_cover_every_device(device, monkeypatch):
    monkeypatch.setattr(storage, "ROLLUP_SLICE", 1)
    monkeypatch.setattr(storage, "ROLLUP_IDLE", 0)
    other = services.device_create(product=device.product, name="slice-2", unit=device.unit)[0]
    ingest_batch([post(d, body({"level": v})) for d in (device, other) for v in (1.0, 3.0)])
    storage.rollups_refresh(now=timezone.now() + timedelta(minutes=2))
    for d in (device, other):
        rows = ReadingRollup.objects.filter(device=d, property="level")
        assert {(r.period, r.count, r.sum) for r in rows} == {("1m", 2, 4.0), ("1h", 2, 4.0)}


def test_minute_rollups_merge_the_pieces_of_a_minute(device, monkeypatch):
    """Every piece of the minute is read once and the partial aggregates are merged."""
    monkeypatch.setattr(storage, "ROLLUP_TIME_SLICE", timedelta(seconds=7))
    monkeypatch.setattr(storage, "ROLLUP_IDLE", 0)
    minute = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    values = {0: 4.0, 6: 2.5, 7: 9.0, 33: 1.5, 59: 3.0, 60: 100.0}  # second → value
    ingest_batch(
        [
            post(
                device,
                body(
                    {
                        "level": {
                            "value": v,
                            "time": int((minute + timedelta(seconds=s)).timestamp() * 1000),
                        }
                    }
                ),
            )
            for s, v in values.items()
        ]
    )
    storage.rollups_refresh()
    rows = {
        r.start: (r.count, r.sum, r.min, r.max)
        for r in ReadingRollup.objects.filter(device=device, property="level", period="1m")
    }
    assert rows == {
        minute: (5, 20.0, 1.5, 9.0),
        minute + timedelta(minutes=1): (1, 100.0, 100.0, 100.0),
    }


def test_time_indexes_summarised_before_the_rollups(device):
    from django.db import connection

    if connection.vendor != "postgresql":
        print("\nSKIP BRIN summaries: the time indexes are BRIN on PostgreSQL only")
        pytest.skip("BRIN indexes are PostgreSQL only")
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    with connection.cursor() as cursor:
        # Enough rows for several 128-page BRIN ranges (a new index summarises only the first).
        cursor.execute(
            "INSERT INTO iot_reading (time, device_id, property, value, value_text) "
            "SELECT %s + i * interval '1 millisecond', %s, 'level', 1, '' "
            "FROM generate_series(0, 49999) AS i",
            [minute, device.pk],
        )
        cursor.execute(
            "INSERT INTO iot_rollupdirty (minute, device_id) VALUES (%s, NULL)", [minute]
        )
        cursor.execute(
            "SELECT i.indexrelid FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = ic.relam JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE am.amname = 'brin' AND t.relkind = 'r' AND t.relname LIKE %s",
            ["iot\\_reading\\_%"],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        assert indexes  # one per partition

        def unsummarised_ranges() -> int:
            total = 0
            for index in indexes:
                cursor.execute("SELECT brin_summarize_new_values(%s)", [index])
                total += cursor.fetchone()[0]
            return total

        storage.rollups_refresh()
        assert unsummarised_ranges() == 0
    rollup = ReadingRollup.objects.get(device=device, property="level", period="1m")
    assert (rollup.start, rollup.count, rollup.sum) == (minute, 50000, 50000.0)

    # A slice is read through the index, on one core, even where the partition has no
    # statistics (these rows were never analysed): no scan of the whole partition, no workers.
    with transaction.atomic(), connection.cursor() as cursor:
        storage._narrow_reads(cursor)
        cursor.execute(
            f"EXPLAIN {storage.MINUTE_PIECE_SQL}", [minute, minute + storage.ROLLUP_TIME_SLICE]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan" in plan and "Seq Scan" not in plan and "Gather" not in plan, plan


def test_directory_reload_sees_new_thing_model_and_disabled_device(device):
    """Expired entries are reloaded from the devices' columns; a product whose thing model
    changed is compiled again, one that did not keeps its compiled model."""
    from xizang5g.iot.ingest import DeviceDirectory

    other = services.device_create(product=device.product, name="dir-2", unit=device.unit)[0]
    keys = {(d.product.product_key, d.name) for d in (device, other)}
    directory = DeviceDirectory(ttl=0)
    directory.get_many(keys)
    first = directory.get(device.product.product_key, device.name)
    assert first.enabled and "extra_gauge" not in first.model.properties

    directory.get_many(keys)  # nothing changed: same compiled model
    assert directory._cache[(device.product.product_key, device.name)].model is first.model

    thing_model = dict(device.product.thing_model)
    thing_model["properties"] = [
        *thing_model["properties"],
        {"identifier": "extra_gauge", "name": "附加", "dataType": {"type": "float"}},
    ]
    services.product_set_thing_model(product=device.product, thing_model=thing_model)
    services.device_set_enabled(device=other, enabled=False)
    directory.get_many(keys)
    cached = directory._cache
    assert "extra_gauge" in cached[(device.product.product_key, device.name)].model.properties
    assert not cached[(other.product.product_key, other.name)].enabled


def latest_level(device):
    return (
        LatestValue.objects.filter(device=device, property="level")
        .values_list("value", flat=True)
        .first()
    )


def test_latest_values_held_back_until_due_or_flushed(device):
    """A worker's buffer writes latest values at most once per interval, or when told to."""
    held = LatestBuffer(interval=3600)
    store_batch([post(device, body({"level": 1.0}))], None, latest=held)
    store_batch([post(device, body({"level": 2.0}))], None, latest=held)
    assert Reading.objects.filter(device=device).count() == 2
    assert latest_level(device) is None and len(held) == 1
    store_batch([post(device, body({"level": 3.0}))], None, latest=held, flush=True)
    assert latest_level(device) == 3.0 and len(held) == 0


def test_a_batch_in_parts_is_acknowledged_once_all_its_latest_values_are_written(device):
    """The worker writes the values held back only with the last part of a batch, so that the
    write covers every message of it: written with the first part, the values of the next
    parts would have waited, and the whole batch's PUBACKs with them, for another second."""
    from concurrent.futures import Future

    from xizang5g.iot.worker import IngestWorker

    worker = IngestWorker("mqtt://127.0.0.1:1883", batch_size=2, housekeeping=False)
    worker._latest = LatestBuffer(interval=3600)
    worker._latest._written_at -= 3600  # due now, and not again for an hour
    worker._submitted = 2  # another batch is waiting behind this one
    topic = f"/sys/{device.product.product_key}/{device.name}/thing/event/property/post"
    batch = [(topic, json.dumps(body({"level": float(v)})).encode()) for v in range(5)]
    prepared = Future()
    prepared.set_result(worker._prepare(batch))  # three parts
    replies, written = worker._store(prepared)
    assert len(replies) == 5 and written
    assert latest_level(device) == 4.0


def test_redelivered_messages_still_give_their_latest_values(device):
    """A worker that stored a batch but died holding its latest values back never acknowledged
    it: the redelivery is not stored again, yet its values reach the latest-value table."""
    messages = [post(device, body({"level": v}, f"r-{v}")) for v in (5.0, 6.0)]
    store_batch(messages, None, latest=LatestBuffer(interval=3600))  # then the worker dies
    assert latest_level(device) is None
    outcomes = store_batch(messages, None, latest=LatestBuffer(interval=3600), flush=True)
    assert [o.duplicate for o in outcomes] == [True, True]
    assert Reading.objects.filter(device=device).count() == 2
    assert latest_level(device) == 6.0


@pytest.mark.django_db(transaction=True)  # foreign keys are checked at commit
def test_held_values_of_a_deleted_device_do_not_block_the_others(device, caplog):
    other = services.device_create(product=device.product, name="held-2", unit=device.unit)[0]
    held = LatestBuffer(interval=3600)
    store_batch([post(other, body({"level": 7.0}))], None, latest=held)
    type(other).objects.filter(pk=other.pk).delete()  # its held value now has no device
    outcomes = store_batch(
        [post(device, body({"level": 8.0})), post(device, body({"level": 9.0}))],
        None,
        latest=held,
        flush=True,
    )
    assert [o.code for o in outcomes] == [200, 200]
    assert Reading.objects.filter(device=device).count() == 2
    assert latest_level(device) == 9.0 and len(held) == 0
    assert "held latest values" in caplog.text
