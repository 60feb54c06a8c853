"""The batch: prepare (no transaction) and store (one transaction) a batch of inbound messages,
with rule evaluation and the signals to the security side; see the package docstring."""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xizang5g.iot import constants as C
from xizang5g.iot import subscriptions
from xizang5g.iot.directory import DeviceInfo, directory
from xizang5g.iot.ingest.latest import LatestBuffer
from xizang5g.iot.ingest.messages import Inbound, Outcome, method_for
from xizang5g.iot.ingest.parsing import Accepted, Rejected, parse_message
from xizang5g.iot.ingest.sql import (
    DatabaseUnavailable,
    database_unavailable,
    insert_receipts,
    latest_params,
    mark_rollups_due,
    minute_of,
    readings_params,
    status_params,
    update_status,
    upsert_latest,
    write_readings,
)
from xizang5g.iot.models import Device, DeviceEvent, DeviceStatus, RejectedMessage
from xizang5g.iot.rules import engine
from xizang5g.iot.signals import device_auth_failed, payload_rejected

logger = logging.getLogger(__name__)


def ingest_batch(messages: list[Inbound], *, evaluate_rules: bool = True) -> list[Outcome]:
    """Validate and store a batch; see the package docstring. Never raises for a bad message;
    raises DatabaseUnavailable when the database is."""
    return store_batch(messages, None, evaluate_rules=evaluate_rules)


def prepare_batch(messages: list[Inbound]) -> "Prepared | None":
    """The Python part of ingest (directory look-ups, parsing, validation, duplicates within the
    batch, the rows rendered for the statements), which a worker runs for the next batch while
    one is in the database. None if it failed (store_batch then starts over)."""
    try:
        return _prepare(messages)
    except Exception:
        logger.exception("preparing a batch of %d failed", len(messages))
        return None


def store_batch(
    messages: list[Inbound],
    prepared: "Prepared | None",
    *,
    evaluate_rules: bool = True,
    latest: "LatestBuffer | None" = None,
    flush: bool = False,
) -> list[Outcome]:
    """Store what prepare_batch made of `messages` (None: prepare them here) in one transaction
    and evaluate the rules. The latest values are written with the batch, or, given a `latest`
    buffer, held back in it (and written with the batch, with all it holds, if `flush`)."""
    if not messages:
        return []
    try:
        batch = prepared or _prepare(messages)
        return _store(batch, evaluate_rules=evaluate_rules, latest=latest, flush=flush)
    except Exception as exc:
        if database_unavailable(exc):
            raise DatabaseUnavailable(str(exc)) from exc
        # A database error in a batch (e.g. a device deleted since it was cached): forget the
        # caches and retry one by one, so one bad row cannot sink the others.
        _forget_caches()
        if latest is not None:
            latest.salvage()  # what it held may be what failed
        elif len(messages) == 1:
            logger.exception("ingest failed for one message")
            m = messages[0]
            return [
                Outcome(
                    C.CODE_SERVER_ERROR, message="server error", method=method_for(m.identifier)
                )
            ]
        logger.exception("batch of %d failed; retrying one by one", len(messages))
        return [ingest_batch([m], evaluate_rules=evaluate_rules)[0] for m in messages]


@dataclass
class _Writes:
    """What a batch writes besides its receipts, rendered before the transaction."""

    readings: str | list[tuple]
    due: set[datetime]  # minutes whose rollups are due, for every device
    due_late: set[tuple[datetime, int]]  # (minute, device) of late readings
    status: list
    events: list  # DeviceEvent
    rejected: list  # RejectedMessage


@dataclass
class Prepared:
    messages: list[Inbound]
    now: datetime
    outcomes: list[Outcome]  # as if every valid message were new (receipts tell the duplicates)
    unique: list[Accepted]  # the valid messages, the first of each (device, message id)
    rejections: list[tuple[DeviceInfo, Inbound, str, str]]  # (device, message, msg id, reason)
    auth_failures: dict[tuple[str, str], tuple[str, str]]  # (pk, name) → (client ip, reason)
    writes: _Writes | None = None
    # The newest value of each (device, property) among the valid messages, redeliveries of
    # messages stored before included: rewriting a latest value is harmless, and a redelivery
    # may be all that is left of a value a crashed worker held back (LatestBuffer).
    latest: dict[tuple[int, str], tuple] = field(default_factory=dict)


def _prepare(messages: list[Inbound]) -> Prepared:
    now = timezone.now()
    directory.get_many({(m.product_key, m.device_name) for m in messages})
    batch = Prepared(messages, now, [None] * len(messages), [], [], {})  # type: ignore[list-item]
    outcomes = batch.outcomes
    first_of: set[tuple[int, str]] = set()
    for index, message in enumerate(messages):
        method = method_for(message.identifier)
        info = directory.get(message.product_key, message.device_name)
        if info is None or not info.enabled:
            reason = "unknown device" if info is None else "device disabled"
            code = C.CODE_UNAUTHORIZED if info is None else C.CODE_DISABLED
            outcomes[index] = Outcome(code, message=reason, method=method)
            batch.auth_failures[(message.product_key, message.device_name)] = (
                message.client_ip,
                reason,
            )
            continue
        try:
            item = parse_message(message, info, now)
        except Rejected as exc:
            batch.rejections.append((info, message, exc.msg_id, exc.reason))
            outcomes[index] = Outcome(
                C.CODE_INVALID_PARAMS, exc.msg_id, exc.reason, method, device_id=info.id
            )
            continue
        item.index = index
        key = (info.id, item.msg_id)
        duplicate = key in first_of  # a redelivery that came before the first was acknowledged
        outcomes[index] = Outcome(
            C.CODE_OK,
            item.msg_id,
            "duplicate" if duplicate else "success",
            method,
            duplicate,
            info.id,
            item.ack,
        )
        if not duplicate:
            first_of.add(key)
            batch.unique.append(item)
    batch.writes = _writes(batch, batch.unique)
    batch.latest = _latest_rows(batch.unique)
    return batch


def _latest_rows(items: list[Accepted]) -> dict[tuple[int, str], tuple]:
    """(device, property) → (device, property, time, value, text, json) of the newest reading."""
    latest: dict[tuple[int, str], tuple] = {}
    for item in items:
        device_id = item.info.id
        for prop, stored, at in item.readings:
            key = (device_id, prop)
            if key not in latest or latest[key][2] <= at:
                latest[key] = (device_id, prop, at, stored.value, stored.text, stored.json)
    return latest


def _writes(batch: Prepared, fresh: list[Accepted]) -> _Writes:
    """Render what the fresh messages and the rejections of a batch write."""
    messages, now = batch.messages, batch.now
    per_device: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    ips: dict[int, str] = {}
    reading_rows, events = [], []
    due: set[datetime] = set()
    due_late: set[tuple[datetime, int]] = set()
    recent = minute_of(now) - timedelta(minutes=1)
    last_at = minute = None
    for item in fresh:
        device_id = item.info.id
        per_device[device_id][0] += 1
        client_ip = messages[item.index].client_ip
        if client_ip:
            ips[device_id] = client_ip
        for prop, stored, at in item.readings:
            reading_rows.append((at, device_id, prop, stored.value, stored.text, stored.json))
            if stored.value is not None:
                if at is not last_at:
                    last_at, minute = at, minute_of(at)
                if minute >= recent:
                    due.add(minute)
                else:
                    due_late.add((minute, device_id))
        if item.event is not None:
            identifier, kind, params = item.event
            events.append(
                DeviceEvent(
                    device_id=device_id,
                    time=item.time,
                    identifier=identifier,
                    event_type=kind,
                    params=params,
                )
            )
    rejected = []
    for info, message, msg_id, reason in batch.rejections:
        rejected.append(
            RejectedMessage(
                device_id=info.id,
                time=now,
                channel=message.channel,
                topic=message.topic[:255],
                msg_id=msg_id,
                reason=reason[:2000],
                payload=_excerpt(message.payload),
            )
        )
        per_device[info.id][1] += 1
        if message.client_ip:
            ips.setdefault(info.id, message.client_ip)
    return _Writes(
        readings_params(reading_rows),
        due,
        due_late,
        status_params(per_device, ips),
        events,
        rejected,
    )


def _store(
    batch: Prepared, *, evaluate_rules: bool, latest: "LatestBuffer | None", flush: bool
) -> list[Outcome]:
    unique, rejections, now = batch.unique, batch.rejections, batch.now
    rejected_counts: dict[int, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        fresh = unique
        if unique:
            new = insert_receipts(cursor, [(i.info.id, i.msg_id) for i in unique], now)
            if len(new) < len(unique):  # redeliveries of messages stored before
                fresh = [i for i in unique if (i.info.id, i.msg_id) in new]
                for item in unique:
                    if (item.info.id, item.msg_id) not in new:
                        outcome = batch.outcomes[item.index]
                        outcome.message, outcome.duplicate = "duplicate", True
                batch.writes = _writes(batch, fresh)
        writes = batch.writes
        write_readings(cursor, writes.readings)
        if latest is None:
            upsert_latest(cursor, latest_params(list(batch.latest.values())))
        else:
            latest.add(batch.latest)
            if flush:
                latest.write(cursor)
        mark_rollups_due(cursor, writes.due, writes.due_late)
        if writes.events:
            DeviceEvent.objects.bulk_create(writes.events)
        if writes.rejected:
            RejectedMessage.objects.bulk_create(writes.rejected)
        update_status(cursor, writes.status, now)
        if rejections:
            rejected_counts = dict(
                DeviceStatus.objects.filter(
                    device_id__in={i.id for i, *_ in rejections}
                ).values_list("device_id", "rejected_total")
            )
        if evaluate_rules and fresh:
            engine.on_batch(fresh, now=now)
    if latest is not None and flush:
        latest.written()
    # After the commit, before the devices are acknowledged: at least once, in order per device.
    subscriptions.deliver(unique, now=now)
    _signal(batch, rejected_counts)
    return batch.outcomes


def _signal(batch: Prepared, rejected_counts: dict[int, int]) -> None:
    """Tell the security side about failed authentications and rejected payloads."""
    for (product_key, device_name), (ip, reason) in batch.auth_failures.items():
        device_auth_failed.send(
            sender=Inbound,
            product_key=product_key,
            device_name=device_name,
            client_ip=ip,
            reason=reason,
        )
    if batch.rejections:
        devices = Device.objects.in_bulk({info.id for info, *_ in batch.rejections})
        for info, _message, _msg_id, reason in batch.rejections:
            payload_rejected.send(
                sender=Inbound,
                device=devices.get(info.id),
                reason=reason,
                count=rejected_counts.get(info.id, 0),
            )


def _forget_caches() -> None:
    directory.invalidate()
    engine.invalidate()


def _excerpt(payload: Any) -> str:
    if isinstance(payload, bytes | bytearray):
        text = payload.decode("utf-8", errors="replace")
    elif isinstance(payload, str):
        text = payload
    else:
        text = json.dumps(payload, ensure_ascii=False, default=str)
    return text[: C.REJECTED_PAYLOAD_CHARS]
