"""Telemetry storage: monthly partitions of the readings table on PostgreSQL, and retention.

On PostgreSQL `iot_reading` is a declarative RANGE-partitioned table (by `time`, one partition per
month named `iot_reading_pYYYYMM`, plus a default partition that catches anything outside the
prepared months); `xizang5g.core.partitions` manages it as every partitioned table. Partitions are
prepared ahead by `partitions_ensure` (run by the migration, by `xizang5g iot_maintain` and by the
ingest worker once an hour). Retention drops whole partitions that are past it and deletes older
rows elsewhere; on SQLite it is a plain DELETE.
"""

import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import pairwise

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xizang5g.core import partitions
from xizang5g.iot.models import (
    DeviceEvent,
    MessageReceipt,
    Reading,
    ReadingRollup,
    RejectedMessage,
    RollupDirty,
)

PARTITIONED_TABLE = "iot_reading"

CREATE_PARTITIONED = """
DROP TABLE IF EXISTS iot_reading;
CREATE TABLE iot_reading (
    id bigserial NOT NULL,
    time timestamp with time zone NOT NULL,
    device_id bigint NOT NULL,
    property varchar(50) NOT NULL,
    value double precision NULL,
    value_text text NOT NULL DEFAULT '',
    value_json jsonb NULL,
    PRIMARY KEY (id, time)
) PARTITION BY RANGE (time);
CREATE INDEX iot_reading_dpt ON iot_reading (device_id, property, time);
CREATE TABLE iot_reading_default PARTITION OF iot_reading DEFAULT;
"""


def is_partitioned() -> bool:
    return partitions.is_partitioned(PARTITIONED_TABLE)


def partitions_ensure(
    *, months_back: int = 1, months_ahead: int = 3, now: datetime | None = None
) -> list[str]:
    """Create the monthly partitions around now that do not exist yet; returns the names created.
    Readings of such a month already in the default partition move into it (core.partitions)."""
    return partitions.partitions_ensure(
        PARTITIONED_TABLE, months_back=months_back, months_ahead=months_ahead, now=now
    )


def partitions_list() -> list[partitions.Partition]:
    return partitions.partitions_list(PARTITIONED_TABLE)


# --- rollups --------------------------------------------------------------------------------------
# A minute's rollups are computed once it is over and this much longer has passed (stragglers from
# devices with slightly late clocks land before it); readings that come later mark it due again.
ROLLUP_SETTLE = timedelta(seconds=15)
ROLLUP_LOCK = 0x58_5A_35_47  # pg_advisory_xact_lock key: one refresh at a time across workers
ROLLUP_SLICE = 100  # device ids per statement (hour rollups, from the minute rollups)
ROLLUP_TIME_SLICE = timedelta(seconds=2)  # readings per statement (minute rollups)
ROLLUP_IDLE = 3.0  # pause this many times as long as a slice took: ≤ a quarter of a core

_ROLLUP_SET = (
    "ON CONFLICT (device_id, property, period, start) DO UPDATE SET count = excluded.count, "
    "sum = excluded.sum, min = excluded.min, max = excluded.max"
)


def db_datetime(value: datetime):
    """A datetime as a raw SQL parameter: as is for PostgreSQL, Django's text form for SQLite."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def _truncate(column: str, period: str) -> str:
    """SQL for the start of the minute/hour of a datetime column (UTC)."""
    unit = "minute" if period == "1m" else "hour"
    if connection.vendor == "postgresql":
        return f"date_trunc('{unit}', {column}, 'UTC')"
    # SQLite keeps datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC.
    return (
        f"substr({column}, 1, 16) || ':00'"
        if unit == "minute"
        else f"substr({column}, 1, 13) || ':00:00'"
    )


# Which devices a statement covers: all (None), some (a set of ids), or a slice of ids [low, high)
# (high None: to the end).
Devices = set[int] | tuple[int, int | None] | None


def _device_filter(devices: Devices) -> tuple[str, list]:
    if not devices:
        return "", []
    if isinstance(devices, tuple):
        low, high = devices
        if high is None:
            return " AND device_id >= %s", [low]
        return " AND device_id >= %s AND device_id < %s", [low, high]
    ids = sorted(devices)
    return f" AND device_id IN ({','.join(['%s'] * len(ids))})", ids


def _device_slices(cursor) -> list[tuple[int, int | None]]:
    """Slices of ROLLUP_SLICE device ids, the last one open (devices added meanwhile)."""
    cursor.execute("SELECT min(id), max(id) FROM iot_device")
    low, high = cursor.fetchone()
    if low is None:
        return [(0, None)]
    starts = list(range(low, high + 1, ROLLUP_SLICE))
    return [*pairwise(starts), (starts[-1], None)]


def _in_slices(statement, slices: list, *args) -> None:
    """Run a rollup statement slice by slice, pausing in between, so that it never holds a core
    for long (an hour of a busy hub is hundreds of thousands of minute rollups)."""
    for part in slices:
        with _paced():
            statement(*args, part)


@contextmanager
def _paced():
    """Sleep after a slice of rollup work in proportion to its time, so that the refresh never
    takes more than a share of a core from ingest."""
    start = time.monotonic()
    yield
    time.sleep((time.monotonic() - start) * ROLLUP_IDLE)


def _narrow_reads(cursor) -> None:
    """Plan the refresh's reads for what they are, narrow slices an index finds (PostgreSQL, for
    the transaction). On a partition without statistics yet (ANALYZE runs with autovacuum, which
    may be behind or off) the planner took a 2-second slice of readings for a few rows of the
    month and scanned the whole partition, with parallel workers and a sort spilled to disk: a
    stall of both cores for ingest. No parallel workers either: this is background work."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; "
            "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'"
        )


def _rollup_minutes(cursor, start: datetime, end: datetime, devices: Devices) -> None:
    """Recompute the minute rollups of [start, end) of some devices from the readings (replacing
    what is there), in one statement."""
    where, params = _device_filter(devices)
    minute = _truncate("time", "1m")
    cursor.execute(
        "INSERT INTO iot_readingrollup AS r (device_id, property, period, start, count, sum, min, max) "
        f"SELECT device_id, property, '1m', {minute}, count(*), sum(value), min(value), max(value) "
        f"FROM iot_reading WHERE time >= %s AND time < %s AND value IS NOT NULL{where} "
        f"GROUP BY device_id, property, {minute} {_ROLLUP_SET}",
        [db_datetime(start), db_datetime(end), *params],
    )


# One piece of a minute for every device: (device, property, count, sum, min, max).
MINUTE_PIECE_SQL = (
    "SELECT device_id, property, count(*), sum(value), min(value), max(value) "
    "FROM iot_reading WHERE time >= %s AND time < %s AND value IS NOT NULL "
    "GROUP BY device_id, property"
)


def _minute_of_everyone(cursor, minute: datetime) -> dict[tuple[int, str], list]:
    """The rollups of one minute for every device: (device, property) → [count, sum, min, max].
    Read in ROLLUP_TIME_SLICE pieces with pauses (_paced): a closed minute of a busy hub is a
    million readings, and aggregating it in one go would take a core from ingest for a second
    (seen as a stall in the ingest→alert latency). Slicing by time reads the minute's pages once
    (the BRIN index on `time` finds them); the pieces' partial aggregates are merged here."""
    merged: dict[tuple[int, str], list] = {}
    end = minute + timedelta(minutes=1)
    piece = minute
    while piece < end:
        piece_end = min(piece + ROLLUP_TIME_SLICE, end)
        with _paced():
            cursor.execute(MINUTE_PIECE_SQL, [db_datetime(piece), db_datetime(piece_end)])
            rows = cursor.fetchall()
        for device_id, prop, count, total, low, high in rows:
            row = merged.get((device_id, prop))
            if row is None:
                merged[(device_id, prop)] = [count, total, low, high]
            else:
                row[0] += count
                row[1] += total
                row[2] = min(row[2], low)
                row[3] = max(row[3], high)
        piece = piece_end
    return merged


def _rollups_replace(cursor, minute: datetime, merged: dict[tuple[int, str], list]) -> None:
    """Write one minute's rollups (replacing what is there)."""
    if not merged:
        return
    moment = db_datetime(minute)
    cursor.executemany(
        "INSERT INTO iot_readingrollup AS r (device_id, property, period, start, count, sum, min, max) "
        f"VALUES (%s, %s, '1m', %s, %s, %s, %s, %s) {_ROLLUP_SET}",
        [(device, prop, moment, *values) for (device, prop), values in merged.items()],
    )


def summarize_time_indexes() -> None:
    """Bring the BRIN indexes of the IoT tables up to date (PostgreSQL). A BRIN index only knows
    the page ranges filled before its last summarisation, which autovacuum normally does; with
    autovacuum off or behind, a time-range query would otherwise read the whole table."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT brin_summarize_new_values(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam "
            "JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE am.amname = 'brin' AND t.relkind = 'r' AND t.relname LIKE %s",
            ["iot\\_%"],
        )


def _rollup_hour(cursor, hour: datetime, devices: Devices) -> None:
    """Recompute the hour rollups of `hour` from its minute rollups."""
    where, params = _device_filter(devices)
    cursor.execute(
        "INSERT INTO iot_readingrollup AS r (device_id, property, period, start, count, sum, min, max) "
        "SELECT device_id, property, '1h', %s, sum(count), sum(sum), min(min), max(max) "
        f"FROM iot_readingrollup WHERE period = '1m' AND start >= %s AND start < %s{where} "
        f"GROUP BY device_id, property {_ROLLUP_SET}",
        [db_datetime(hour), db_datetime(hour), db_datetime(hour + timedelta(hours=1)), *params],
    )


def rollups_refresh(*, now: datetime | None = None, settle: timedelta = ROLLUP_SETTLE) -> dict:
    """Compute the 1-minute rollups of the minutes marked due (`RollupDirty`) that are over, from
    the readings, and then the 1-hour rollups of their hours from the minutes.

    Every batch of readings marks its minutes in its own transaction, and this recomputes (never
    adds), so running it again, concurrently with ingest or after a crash, gives the same result.
    """
    now = now or timezone.now()
    cutoff = (now - settle).replace(second=0, microsecond=0)
    summarize_time_indexes()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
        _narrow_reads(cursor)
        due = list(
            RollupDirty.objects.filter(minute__lt=cutoff).values_list("id", "minute", "device_id")
        )
        if not due:
            return {"minutes": 0, "hours": 0}
        RollupDirty.objects.filter(id__in=[row[0] for row in due]).delete()
        everyone = sorted({minute for _, minute, device in due if device is None})
        late: dict[datetime, set[int]] = {}
        for _, minute, device in due:
            if device is not None and minute not in everyone:
                late.setdefault(minute, set()).add(device)
        slices = _device_slices(cursor)
        for minute in everyone:
            _rollups_replace(cursor, minute, _minute_of_everyone(cursor, minute))
        for minute, devices in sorted(late.items()):
            _rollup_minutes(cursor, minute, minute + timedelta(minutes=1), devices)
        hours: dict[datetime, set[int] | None] = {_hour(m): None for m in everyone}
        for minute, devices in late.items():
            hour = _hour(minute)
            if hour not in hours:
                hours[hour] = set()
            if hours[hour] is not None:
                hours[hour] |= devices
        for hour, devices in sorted(hours.items()):
            _in_slices(_rollup_hour, slices if devices is None else [devices], cursor, hour)
    return {"minutes": len(everyone) + len(late), "hours": len(hours)}


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def retention_apply(*, days: int | None = None, now: datetime | None = None) -> dict:
    """Delete telemetry older than the retention period (XZ5G_IOT_RETENTION_DAYS)."""
    days = days if days is not None else settings.XZ5G_IOT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    summarize_time_indexes()
    dropped = partitions.partitions_drop_before(PARTITIONED_TABLE, before=cutoff)
    readings = Reading.objects.filter(time__lt=cutoff).delete()[0]
    RollupDirty.objects.filter(minute__lt=cutoff).delete()
    hourly_cutoff = cutoff - timedelta(days=days)  # hourly rollups are kept twice as long
    rollups = ReadingRollup.objects.filter(period="1m", start__lt=cutoff).delete()[0]
    rollups += ReadingRollup.objects.filter(period="1h", start__lt=hourly_cutoff).delete()[0]
    receipts = MessageReceipt.objects.filter(received_at__lt=cutoff).delete()[0]
    events = DeviceEvent.objects.filter(time__lt=cutoff).delete()[0]
    rejected = RejectedMessage.objects.filter(time__lt=cutoff).delete()[0]
    return {
        "cutoff": cutoff.isoformat(),
        "dropped_partitions": dropped,
        "readings": readings,
        "rollups": rollups,
        "receipts": receipts,
        "events": events,
        "rejected": rejected,
    }
