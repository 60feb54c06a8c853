"""The ingest pipeline shared by the MQTT worker and HTTP ingest.

`ingest_batch(messages)` takes a batch of inbound messages and, in one transaction:
resolves each device (cached directory), parses and validates the body against the thing model
(a bad message is rejected with its reason and counted on the device; the good ones around it are
kept), drops QoS 1 redeliveries by (device, message id) with a unique receipt, writes readings
(COPY on PostgreSQL), upserts latest values, marks the minutes it wrote into as due for their
rollups (`storage.rollups_refresh` computes them once the minute is over), stores events, updates
device status, and evaluates the rules (which raise or resolve alerts). It returns one Outcome
per message, in order, from which the caller answers (`…_reply` topic or HTTP body).

The MQTT worker runs it in two halves, `prepare_batch` (no transaction: everything up to the
statements' parameters) and `store_batch`, on two threads, so that Python prepares a batch while
PostgreSQL stores the one before. A database that cannot be reached raises DatabaseUnavailable:
nothing is stored, and nothing may be acknowledged.
"""

import json
import logging
import threading
import time as _time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from xizang5g.iot import constants as C
from xizang5g.iot import subscriptions
from xizang5g.iot.choices import DeviceState, EventType, IngestChannel
from xizang5g.iot.signals import device_auth_failed, payload_rejected
from xizang5g.iot.storage import db_datetime
from xizang5g.iot.tsl import (
    CompiledModel,
    ValueRejected,
    check_value,
    compile_thing_model,
)

logger = logging.getLogger(__name__)

# Device timestamps may run a little ahead of ours; beyond this the message is rejected.
MAX_FUTURE = timedelta(minutes=10)


# --- the device directory (cached lookups by product key and device name) ----------------------
@dataclass
class DeviceInfo:
    id: int
    name: str
    label: str
    product_id: int
    product_key: str
    unit_id: int
    enabled: bool
    secret_hash: str
    model: CompiledModel
    loaded_at: float = field(default_factory=_time.monotonic)

    def __str__(self) -> str:
        return self.label or self.name


class DeviceDirectory:
    """(product_key, device_name) → DeviceInfo, cached for `ttl` seconds (misses for less)."""

    # What a DeviceInfo is made of (`_info`'s arguments, in order).
    _COLUMNS = (
        "id",
        "name",
        "label",
        "product_id",
        "unit_id",
        "enabled",
        "secret_hash",
        "product__product_key",
        "product__updated_at",
    )

    def __init__(self, ttl: float = 30.0, miss_ttl: float = 5.0):
        self.ttl, self.miss_ttl = ttl, miss_ttl
        self._cache: dict[tuple[str, str], DeviceInfo | float] = {}
        self._models: dict[tuple[int, str], CompiledModel] = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def get(self, product_key: str, device_name: str) -> DeviceInfo | None:
        key = (product_key, device_name)
        now = _time.monotonic()
        hit = self._cache.get(key)
        if isinstance(hit, DeviceInfo) and now - hit.loaded_at < self.ttl:
            return hit
        if isinstance(hit, float) and now - hit < self.miss_ttl:
            return None
        info = self._load(product_key, device_name)
        with self._lock:
            self._cache[key] = info if info is not None else now
        return info

    def get_many(self, keys: set[tuple[str, str]]) -> None:
        """Warm the cache for many devices in one query."""
        from xizang5g.iot.models import Device

        now = _time.monotonic()
        missing = {
            k
            for k in keys
            if not (
                isinstance(self._cache.get(k), DeviceInfo)
                and now - self._cache[k].loaded_at < self.ttl
            )
        }
        if len(missing) < 2:
            return
        # Only the columns a DeviceInfo needs: all of a busy fleet's entries expire together, and
        # fetching each product's thing model with every device made the reload a stall.
        rows = Device.objects.filter(name__in={name for _, name in missing}).values_list(
            *self._COLUMNS
        )
        for row in rows:
            info = self._info(*row)
            key = (info.product_key, info.name)
            if key in missing:
                with self._lock:
                    self._cache[key] = info

    def _load(self, product_key: str, device_name: str) -> DeviceInfo | None:
        from xizang5g.iot.models import Device

        row = (
            Device.objects.filter(product__product_key=product_key, name=device_name)
            .values_list(*self._COLUMNS)
            .first()
        )
        return self._info(*row) if row is not None else None

    def _info(
        self, pk, name, label, product_id, unit_id, enabled, secret_hash, product_key, updated_at
    ) -> DeviceInfo:
        version = (product_id, updated_at.isoformat() if updated_at else "")
        model = self._models.get(version)
        if model is None:
            model = self._models[version] = self._compile(product_id)
        return DeviceInfo(
            id=pk,
            name=name,
            label=label,
            product_id=product_id,
            product_key=product_key,
            unit_id=unit_id,
            enabled=enabled,
            secret_hash=secret_hash,
            model=model,
        )

    @staticmethod
    def _compile(product_id: int) -> CompiledModel:
        from xizang5g.iot.models import Product

        thing_model = Product.objects.filter(pk=product_id).values_list("thing_model", flat=True)
        return compile_thing_model(thing_model.first() or {})


directory = DeviceDirectory()


# --- messages in and out ---------------------------------------------------------------------------
@dataclass
class Inbound:
    product_key: str
    device_name: str
    identifier: str  # "property" for property posts, else the event identifier
    payload: Any  # bytes/str (JSON text) or an already parsed dict
    topic: str = ""
    channel: str = IngestChannel.MQTT
    client_ip: str = ""
    received_at: datetime | None = None


@dataclass
class Outcome:
    code: int
    msg_id: str = ""
    message: str = "success"
    method: str = ""
    duplicate: bool = False
    device_id: int | None = None
    ack: bool = True  # False: the device asked for no MQTT reply (Alink "sys": {"ack": 0})

    def reply_bytes(self) -> bytes:
        """reply() as JSON, formatted directly (one per MQTT message)."""
        return (
            f'{{"id":{encode_basestring(self.msg_id)},"code":{self.code},"data":{{}},'
            f'"message":{encode_basestring(self.message)},"method":{encode_basestring(self.method)},'
            f'"version":"1.0"}}'
        ).encode()

    def reply(self) -> dict:
        return {
            "id": self.msg_id,
            "code": self.code,
            "data": {},
            "message": self.message,
            "method": self.method,
            "version": "1.0",
        }


def parse_topic(topic: str) -> tuple[str, str, str] | None:
    """'/sys/{pk}/{dn}/thing/event/{identifier}/post' → (pk, dn, identifier)."""
    parts = topic.split("/")
    if (
        len(parts) == 8
        and parts[0] == ""
        and parts[1] == "sys"
        and parts[4:6] == ["thing", "event"]
        and parts[7] == "post"
    ):
        return parts[2], parts[3], parts[6]
    return None


def topic_for(product_key: str, device_name: str, identifier: str = "property") -> str:
    return f"/sys/{product_key}/{device_name}/thing/event/{identifier}/post"


def method_for(identifier: str) -> str:
    return f"thing.event.{identifier}.post"


class Rejected(Exception):
    def __init__(self, reason: str, msg_id: str = ""):
        super().__init__(reason)
        self.reason, self.msg_id = reason, msg_id


@dataclass
class _Accepted:
    index: int
    info: DeviceInfo
    msg_id: str
    time: datetime
    readings: list[tuple[str, Any, Any]]  # (identifier, stored, numeric value or None)
    event: tuple[str, str, dict] | None = None  # (identifier, type, params)
    ack: bool = True  # Alink "sys": {"ack": 0}: the device wants no reply


def _ms_to_dt(value: Any, path: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Rejected(f"{path}: expected epoch milliseconds, got {value!r}")
    try:
        return datetime.fromtimestamp(value / 1000.0, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Rejected(f"{path}: {value!r} is not a valid time") from exc


def _is_timed(raw: dict, prop: dict) -> bool:
    """{"value": …, "time": …}: a value with its own time (a struct needs the time to tell)."""
    return (
        "value" in raw
        and set(raw) <= {"value", "time"}
        and (prop["dataType"]["type"] != "struct" or "time" in raw)
    )


def _parse(message: Inbound, info: DeviceInfo, now: datetime) -> _Accepted:
    body = message.payload
    if isinstance(body, bytes | bytearray | str):
        try:
            body = orjson.loads(body)
        except ValueError as exc:  # orjson's error is a JSONDecodeError (a ValueError)
            raise Rejected(f"body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Rejected("body must be a JSON object with id, version, params, method")
    raw_id = body.get("id")
    if raw_id is None or isinstance(raw_id, bool | dict | list) or str(raw_id) == "":
        raise Rejected("id: missing (a message id is required to recognise redeliveries)")
    msg_id = str(raw_id)[:64]
    expected = method_for(message.identifier)
    method = body.get("method", expected)
    if method != expected:
        raise Rejected(
            f"method: {method!r} does not match the topic (expected {expected!r})", msg_id
        )
    params = body.get("params")
    if not isinstance(params, dict):
        raise Rejected("params: must be an object", msg_id)
    options = body.get("sys")
    ack = not (isinstance(options, dict) and options.get("ack") == 0)
    when = _ms_to_dt(body["time"], "time") if "time" in body else now
    if when - now > MAX_FUTURE:
        raise Rejected(f"time: {when.isoformat()} is in the future", msg_id)
    model = info.model
    if message.identifier == "property":
        if not params:
            raise Rejected("params: no property values", msg_id)
        readings = []
        latest = when
        checkers = model.checkers
        for key, raw in params.items():
            check = checkers.get(key)
            if check is None:
                raise Rejected(
                    f"params.{key}: not a property of this product's thing model", msg_id
                )
            at = when
            if type(raw) is dict and _is_timed(raw, model.properties[key]):
                if "time" in raw:
                    at = _ms_to_dt(raw["time"], f"params.{key}.time")
                    if at - now > MAX_FUTURE:
                        raise Rejected(
                            f"params.{key}.time: {at.isoformat()} is in the future", msg_id
                        )
                    latest = max(latest, at)
                raw = raw["value"]
            try:
                readings.append((key, check(raw), at))
            except ValueRejected as exc:
                raise Rejected(str(exc), msg_id) from exc
        return _Accepted(0, info, msg_id, latest, readings, ack=ack)
    event = model.events.get(message.identifier)
    if event is None:
        raise Rejected(f"event {message.identifier!r} is not in this product's thing model", msg_id)
    members = {m["identifier"]: m for m in event.get("outputData", [])}
    clean = {}
    for key, raw in (
        params.get("value", params) if set(params) <= {"value", "time"} else params
    ).items():
        if key not in members:
            raise Rejected(f"params.{key}: not an output of event {message.identifier!r}", msg_id)
        try:
            clean[key] = check_value(members[key]["dataType"], raw, f"params.{key}")
        except ValueRejected as exc:
            raise Rejected(str(exc), msg_id) from exc
    if "time" in params and set(params) <= {"value", "time"}:
        when = _ms_to_dt(params["time"], "params.time")
    if when - now > MAX_FUTURE:
        raise Rejected(f"time: {when.isoformat()} is in the future", msg_id)
    kind = event.get("type", EventType.INFO)
    return _Accepted(0, info, msg_id, when, [], (message.identifier, kind, clean), ack=ack)


# --- SQL helpers (PostgreSQL and SQLite) -----------------------------------------------------------
def _pg() -> bool:
    return connection.vendor == "postgresql"


def _json(value: Any):
    if value is None:
        return None
    if _pg():
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return json.dumps(value, ensure_ascii=False)


def _values(cursor, sql_head: str, rows: list[tuple], sql_tail: str = "", chunk: int = 400) -> list:
    """Run a multi-row INSERT … VALUES in chunks; returns RETURNING rows if any."""
    out = []
    if not rows:
        return out
    width = len(rows[0])
    one = "(" + ",".join(["%s"] * width) + ")"
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        params = [value for row in part for value in row]
        cursor.execute(f"{sql_head} VALUES {','.join([one] * len(part))} {sql_tail}", params)
        if cursor.description:
            out.extend(cursor.fetchall())
    return out


def _pg_array(values: tuple) -> str:
    """A PostgreSQL array literal of one column (ints, floats/None, datetimes or texts/None):
    joining the text once is several times cheaper than having the driver adapt every element."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, str):
        if None not in values:
            whole = "".join(values)
            if '"' not in whole and "\\" not in whole:
                return '{"' + '","'.join(values) + '"}'
        items = [
            "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        ]
    elif isinstance(sample, datetime):
        texts: dict[datetime, str] = {}  # a batch's readings share few distinct times
        items = [texts.get(v) or texts.setdefault(v, v.isoformat()) for v in values]
    elif isinstance(sample, float):
        items = ["NULL" if v is None else repr(v) for v in values]
    else:
        items = ["NULL" if v is None else str(v) for v in values]
    return "{" + ",".join(items) + "}"


def _columns(rows: list[tuple]) -> list[str]:
    """Rows → one array literal per column, for unnest(%s::type[], …)."""
    return [_pg_array(column) for column in zip(*rows, strict=True)] if rows else []


# On PostgreSQL each statement takes whole columns as arrays (unnest), so the statement stays short
# however many rows a batch has; on SQLite it is a multi-row VALUES in chunks.
def _insert_receipts(cursor, keys: list[tuple[int, str]], now: datetime) -> set[tuple[int, str]]:
    conflict = "ON CONFLICT (device_id, msg_id) DO NOTHING RETURNING device_id, msg_id"
    if _pg():
        cursor.execute(
            "INSERT INTO iot_messagereceipt (device_id, msg_id, received_at) "
            f"SELECT d, m, %s FROM unnest(%s::bigint[], %s::varchar[]) AS u(d, m) {conflict}",
            [now, *_columns(keys)],
        )
        got = cursor.fetchall()
    else:
        rows = [(device_id, msg_id, db_datetime(now)) for device_id, msg_id in keys]
        got = _values(
            cursor,
            "INSERT INTO iot_messagereceipt (device_id, msg_id, received_at)",
            rows,
            conflict,
        )
    return {(int(d), str(m)) for d, m in got}


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_field(text: str) -> str:
    """A text field in COPY's text format (backslash escapes for \\, newline, return, tab)."""
    if "\\" in text or "\n" in text or "\r" in text or "\t" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _copy_text(rows: list[tuple]) -> str:
    """Reading rows as COPY text, built in one pass (cheaper than the driver's row-by-row copy)."""
    times: dict[datetime, str] = {}  # a batch's readings share few distinct times
    lines = []
    for when, device_id, prop, value, text, js in rows:
        stamp = times.get(when) or times.setdefault(when, when.isoformat())
        number = "\\N" if value is None else repr(value)
        text = _copy_field(text) if text else ""
        js = "\\N" if js is None else _copy_field(json.dumps(js, ensure_ascii=False))
        lines.append(f"{stamp}\t{device_id}\t{prop}\t{number}\t{text}\t{js}\n")
    return "".join(lines)


# Each write below comes in two halves: the rendering of its rows into statement parameters
# (`…_params`, done before the transaction, on a worker's preparing thread) and the statement.
_READINGS = "iot_reading (time, device_id, property, value, value_text, value_json)"


def _readings_params(rows: list[tuple]) -> str | list[tuple]:
    """rows: (time, device_id, property, value, value_text, value_json) → COPY text (PostgreSQL)
    or VALUES rows (SQLite)."""
    if _pg():
        return _copy_text(rows)
    return [(db_datetime(t), d, p, v, tx, _json(js)) for t, d, p, v, tx, js in rows]


def _write_readings(cursor, params: str | list[tuple]) -> None:
    if not params:
        return
    if _pg():
        with cursor.cursor.copy(f"COPY {_READINGS} FROM STDIN") as copy:  # psycopg's cursor
            copy.write(params)
        return
    _values(cursor, f"INSERT INTO {_READINGS}", params, chunk=150)


_LATEST_HEAD = (
    "INSERT INTO iot_latestvalue AS l (device_id, property, time, value, value_text, value_json)"
)
_LATEST_CONFLICT = (
    "ON CONFLICT (device_id, property) DO UPDATE SET time = excluded.time, value = excluded.value, "
    "value_text = excluded.value_text, value_json = excluded.value_json "
    "WHERE excluded.time >= l.time"
)


def _latest_params(rows: list[tuple]) -> list:
    """rows: (device_id, property, time, value, value_text, value_json), one per key → unnest
    columns (PostgreSQL) or VALUES rows (SQLite), in one lock order for every worker."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    if _pg():
        return _columns(
            [
                (d, p, t, v, tx, json.dumps(js, ensure_ascii=False) if js is not None else None)
                for d, p, t, v, tx, js in rows
            ]
        )
    return [(d, p, db_datetime(t), v, tx, _json(js)) for d, p, t, v, tx, js in rows]


def _upsert_latest(cursor, params: list) -> None:
    if not params:
        return
    if _pg():
        cursor.execute(
            f"{_LATEST_HEAD} SELECT d, p, t, v, tx, js::jsonb FROM unnest(%s::bigint[], "
            "%s::varchar[], %s::timestamptz[], %s::float8[], %s::text[], %s::text[]) "
            f"AS u(d, p, t, v, tx, js) {_LATEST_CONFLICT}",
            params,
        )
        return
    _values(cursor, _LATEST_HEAD, params, _LATEST_CONFLICT, chunk=150)


def _mark_rollups_due(cursor, minutes: set[datetime], late: set[tuple[datetime, int]]) -> None:
    """Minutes that got numeric readings, for `storage.rollups_refresh`: recent ones for every
    device, older ones (late readings) per device."""
    rows = [(db_datetime(m), None) for m in sorted(minutes)] + [
        (db_datetime(m), d) for m, d in sorted(late)
    ]
    if rows:
        _values(cursor, "INSERT INTO iot_rollupdirty (minute, device_id)", rows)


def _status_params(per_device: dict[int, list[int]], ips: dict[int, str]) -> list:
    """per_device: device_id → [accepted, rejected] → unnest columns or VALUES rows."""
    rows = [
        (device_id, ok, bad, ips.get(device_id, ""))
        for device_id, (ok, bad) in sorted(per_device.items())
    ]
    return _columns(rows) if _pg() else rows


def _update_status(cursor, params: list, now: datetime) -> None:
    """One UPDATE … FROM (the rows of _status_params)."""
    if not params:
        return
    stamp = db_datetime(now)
    head = (
        "UPDATE iot_devicestatus SET "
        f"state_since = CASE WHEN state = '{DeviceState.ONLINE}' THEN state_since ELSE %s END, "
        f"state = '{DeviceState.ONLINE}', last_seen = %s, "
        "messages_total = messages_total + v.ok, rejected_total = rejected_total + v.bad, "
        "last_ip = CASE WHEN v.ip = '' THEN last_ip ELSE v.ip END "
    )
    where = "WHERE iot_devicestatus.device_id = v.device_id"
    if _pg():
        cursor.execute(
            f"{head} FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::text[]) "
            f"AS v(device_id, ok, bad, ip) {where}",
            [stamp, stamp, *params],
        )
        return
    for start in range(0, len(params), 300):
        part = params[start : start + 300]
        values = ",".join(["(%s, %s, %s, %s)"] * len(part))
        cursor.execute(
            f"{head} FROM (SELECT column1 AS device_id, column2 AS ok, column3 AS bad, column4 AS ip "
            f"FROM (VALUES {values}) AS t) AS v {where}",
            [stamp, stamp] + [v for row in part for v in row],
        )


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


# --- the batch ------------------------------------------------------------------------------------
def ingest_batch(messages: list[Inbound], *, evaluate_rules: bool = True) -> list[Outcome]:
    """Validate and store a batch; see the module docstring. Never raises for a bad message;
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
        if _unavailable(exc):
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


class DatabaseUnavailable(Exception):
    """The database cannot be reached (or gave up the transaction, as on a deadlock): nothing of
    the batch is stored, and the caller must not acknowledge it but try again."""


def _unavailable(exc: BaseException) -> bool:
    """Whether a failure is the database's rather than the batch's: connection errors and
    transactions the server gave up (Django wraps them as OperationalError and InterfaceError;
    psycopg raises its own from COPY, which goes round Django's wrapper)."""
    import django.db

    kinds: tuple[type[BaseException], ...] = (django.db.OperationalError, django.db.InterfaceError)
    if _pg():
        import psycopg

        kinds += (psycopg.OperationalError, psycopg.InterfaceError)
    return isinstance(exc, kinds)


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
    unique: list[_Accepted]  # the valid messages, the first of each (device, message id)
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
            item = _parse(message, info, now)
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


def _latest_rows(items: list[_Accepted]) -> dict[tuple[int, str], tuple]:
    """(device, property) → (device, property, time, value, text, json) of the newest reading."""
    latest: dict[tuple[int, str], tuple] = {}
    for item in items:
        device_id = item.info.id
        for prop, stored, at in item.readings:
            key = (device_id, prop)
            if key not in latest or latest[key][2] <= at:
                latest[key] = (device_id, prop, at, stored.value, stored.text, stored.json)
    return latest


def _writes(batch: Prepared, fresh: list[_Accepted]) -> _Writes:
    """Render what the fresh messages and the rejections of a batch write."""
    from xizang5g.iot.models import DeviceEvent, RejectedMessage

    messages, now = batch.messages, batch.now
    per_device: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    ips: dict[int, str] = {}
    reading_rows, events = [], []
    due: set[datetime] = set()
    due_late: set[tuple[datetime, int]] = set()
    recent = _minute(now) - timedelta(minutes=1)
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
                    last_at, minute = at, _minute(at)
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
        _readings_params(reading_rows),
        due,
        due_late,
        _status_params(per_device, ips),
        events,
        rejected,
    )


def _store(
    batch: Prepared, *, evaluate_rules: bool, latest: "LatestBuffer | None", flush: bool
) -> list[Outcome]:
    from xizang5g.iot.models import DeviceEvent, RejectedMessage

    unique, rejections, now = batch.unique, batch.rejections, batch.now
    rejected_counts: dict[int, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        fresh = unique
        if unique:
            new = _insert_receipts(cursor, [(i.info.id, i.msg_id) for i in unique], now)
            if len(new) < len(unique):  # redeliveries of messages stored before
                fresh = [i for i in unique if (i.info.id, i.msg_id) in new]
                for item in unique:
                    if (item.info.id, item.msg_id) not in new:
                        outcome = batch.outcomes[item.index]
                        outcome.message, outcome.duplicate = "duplicate", True
                batch.writes = _writes(batch, fresh)
        writes = batch.writes
        _write_readings(cursor, writes.readings)
        if latest is None:
            _upsert_latest(cursor, _latest_params(list(batch.latest.values())))
        else:
            latest.add(batch.latest)
            if flush:
                latest.write(cursor)
        _mark_rollups_due(cursor, writes.due, writes.due_late)
        if writes.events:
            DeviceEvent.objects.bulk_create(writes.events)
        if writes.rejected:
            RejectedMessage.objects.bulk_create(writes.rejected)
        _update_status(cursor, writes.status, now)
        if rejections:
            from xizang5g.iot.models import DeviceStatus

            rejected_counts = dict(
                DeviceStatus.objects.filter(
                    device_id__in={i.id for i, *_ in rejections}
                ).values_list("device_id", "rejected_total")
            )
        if evaluate_rules and fresh:
            from xizang5g.iot.rules import engine

            engine.on_batch(fresh, now=now)
    if latest is not None and flush:
        latest.written()
    # After the commit, before the devices are acknowledged: at least once, in order per device.
    subscriptions.deliver(unique, now=now)
    _signal(batch, rejected_counts)
    return batch.outcomes


class LatestBuffer:
    """Latest values a worker holds back and writes together about once every `interval`
    seconds, instead of with every batch: under load a device reports several times a second,
    and upserting each of its values was the largest write per message.

    Not thread-safe: it belongs to one worker's database thread. The worker acknowledges a
    batch's messages only once the values it held back are written, so a crash loses none: the
    broker sends those messages again, and a redelivery, though not stored again, still offers
    its values (Prepared.latest). Adding the same rows twice changes nothing, so a transaction
    that failed can be retried with the buffer as it is."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.rows: dict[tuple[int, str], tuple] = {}
        self._written_at = _time.monotonic()

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, rows: dict[tuple[int, str], tuple]) -> None:
        held = self.rows
        for key, row in rows.items():
            old = held.get(key)
            if old is None or old[2] <= row[2]:
                held[key] = row

    def due(self) -> bool:
        return _time.monotonic() - self._written_at >= self.interval

    def write(self, cursor) -> None:
        """Upsert what is held (in the caller's transaction; written() once it commits)."""
        _upsert_latest(cursor, _latest_params(list(self.rows.values())))

    def written(self) -> None:
        self.rows = {}
        self._written_at = _time.monotonic()

    def flush(self) -> None:
        """Write what is held in a transaction of its own."""
        if self.rows:
            with transaction.atomic(), connection.cursor() as cursor:
                self.write(cursor)
        self.written()

    def salvage(self) -> None:
        """After a failed batch, write what is held on its own, without the devices deleted
        since if need be; drop it if even that fails (the values are stored as readings)."""
        from xizang5g.iot.models import Device

        for attempt in ("as held", "without deleted devices"):
            try:
                self.flush()
                return
            except Exception as exc:
                if _unavailable(exc):
                    raise DatabaseUnavailable(str(exc)) from exc
                logger.exception("writing %d held latest values (%s) failed", len(self), attempt)
            existing = set(
                Device.objects.filter(pk__in={d for d, _ in self.rows}).values_list("pk", flat=True)
            )
            self.rows = {key: row for key, row in self.rows.items() if key[0] in existing}
        self.written()


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
        from xizang5g.iot.models import Device

        devices = Device.objects.in_bulk({info.id for info, *_ in batch.rejections})
        for info, _message, _msg_id, reason in batch.rejections:
            payload_rejected.send(
                sender=Inbound,
                device=devices.get(info.id),
                reason=reason,
                count=rejected_counts.get(info.id, 0),
            )


def _forget_caches() -> None:
    from xizang5g.iot.rules import engine

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


def status_post(*, product_key: str, device_name: str, online: bool, client_ip: str = "") -> bool:
    """A device's status message (its MQTT will 'offline', or 'online' on connect)."""
    from xizang5g.iot.models import DeviceStatus

    info = directory.get(product_key, device_name)
    if info is None:
        return False
    now = timezone.now()
    state = DeviceState.ONLINE if online else DeviceState.OFFLINE
    updates: dict[str, Any] = {"state": state, "state_since": now}
    if online:
        updates["last_seen"] = now
    if client_ip:
        updates["last_ip"] = client_ip
    DeviceStatus.objects.filter(device_id=info.id).exclude(state=state).update(**updates)
    return True


def mark_offline(*, now: datetime | None = None, after_seconds: int | None = None) -> int:
    """Devices not heard from for XZ5G_IOT_OFFLINE_SECONDS become offline."""
    from django.conf import settings

    from xizang5g.iot.models import DeviceStatus

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=after_seconds or settings.XZ5G_IOT_OFFLINE_SECONDS)
    return DeviceStatus.objects.filter(state=DeviceState.ONLINE, last_seen__lt=cutoff).update(
        state=DeviceState.OFFLINE, state_since=now
    )


def new_message_id() -> str:
    return uuid.uuid4().hex[:16]
