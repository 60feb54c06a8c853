"""The statements of a batch, on PostgreSQL (whole columns as arrays, COPY for the readings)
and on SQLite (multi-row VALUES in chunks), each in two halves: rendering its parameters
(`…_params`, before the transaction, on a worker's preparing thread) and the statement."""

import json
from datetime import datetime
from typing import Any

import psycopg
from django.db import InterfaceError, OperationalError, connection
from psycopg.types.json import Jsonb

from xizang5g.iot.choices import DeviceState
from xizang5g.iot.storage import db_datetime


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _json(value: Any):
    if value is None:
        return None
    if _pg():
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
def insert_receipts(cursor, keys: list[tuple[int, str]], now: datetime) -> set[tuple[int, str]]:
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


def readings_params(rows: list[tuple]) -> str | list[tuple]:
    """rows: (time, device_id, property, value, value_text, value_json) → COPY text (PostgreSQL)
    or VALUES rows (SQLite)."""
    if _pg():
        return _copy_text(rows)
    return [(db_datetime(t), d, p, v, tx, _json(js)) for t, d, p, v, tx, js in rows]


def write_readings(cursor, params: str | list[tuple]) -> None:
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


def latest_params(rows: list[tuple]) -> list:
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


def upsert_latest(cursor, params: list) -> None:
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


def mark_rollups_due(cursor, minutes: set[datetime], late: set[tuple[datetime, int]]) -> None:
    """Minutes that got numeric readings, for `storage.rollups_refresh`: recent ones for every
    device, older ones (late readings) per device."""
    rows = [(db_datetime(m), None) for m in sorted(minutes)] + [
        (db_datetime(m), d) for m, d in sorted(late)
    ]
    if rows:
        _values(cursor, "INSERT INTO iot_rollupdirty (minute, device_id)", rows)


def status_params(per_device: dict[int, list[int]], ips: dict[int, str]) -> list:
    """per_device: device_id → [accepted, rejected] → unnest columns or VALUES rows."""
    rows = [
        (device_id, ok, bad, ips.get(device_id, ""))
        for device_id, (ok, bad) in sorted(per_device.items())
    ]
    return _columns(rows) if _pg() else rows


def update_status(cursor, params: list, now: datetime) -> None:
    """One UPDATE … FROM (the rows of status_params)."""
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


def minute_of(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class DatabaseUnavailable(Exception):
    """The database cannot be reached (or gave up the transaction, as on a deadlock): nothing of
    the batch is stored, and the caller must not acknowledge it but try again."""


def database_unavailable(exc: BaseException) -> bool:
    """Whether a failure is the database's rather than the batch's: connection errors and
    transactions the server gave up (Django wraps them as OperationalError and InterfaceError;
    psycopg raises its own from COPY, which goes round Django's wrapper)."""
    kinds: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    if _pg():
        kinds += (psycopg.OperationalError, psycopg.InterfaceError)
    return isinstance(exc, kinds)
