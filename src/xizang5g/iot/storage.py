"""Telemetry storage: monthly partitions of the readings table on PostgreSQL, and retention.

On PostgreSQL `iot_reading` is a declarative RANGE-partitioned table (by `time`, one partition per
month, plus a default partition that catches anything outside the prepared months). Partitions are
prepared ahead by `partitions_ensure` (run by the migration, by `xizang5g iot_maintain` and by the
ingest worker once an hour). Retention drops whole partitions that are past it and deletes older
rows elsewhere; on SQLite it is a plain DELETE.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

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


def _month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(start: datetime) -> datetime:
    return (start + timedelta(days=32)).replace(day=1)


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [PARTITIONED_TABLE],
        )
        return cursor.fetchone() is not None


def partitions_ensure(
    *, months_back: int = 1, months_ahead: int = 3, now: datetime | None = None
) -> list[str]:
    """Create the monthly partitions around now that do not exist yet; returns the names created."""
    if not is_partitioned():
        return []
    created = []
    start = _month_start(now or timezone.now())
    for _ in range(months_back):
        start = _month_start(start - timedelta(days=1))
    months = months_back + months_ahead + 1
    with connection.cursor() as cursor:
        for _ in range(months):
            end = _next_month(start)
            name = f"{PARTITIONED_TABLE}_{start:%Y%m}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                with transaction.atomic():
                    # Rows already in the default partition for this month would block the attach:
                    # move them into the new partition.
                    cursor.execute(
                        f"CREATE TABLE {name} (LIKE {PARTITIONED_TABLE} INCLUDING DEFAULTS)"
                    )
                    cursor.execute(
                        f"WITH moved AS (DELETE FROM {PARTITIONED_TABLE}_default "
                        f"WHERE time >= %s AND time < %s RETURNING *) INSERT INTO {name} SELECT * FROM moved",
                        [start, end],
                    )
                    cursor.execute(
                        f"ALTER TABLE {PARTITIONED_TABLE} ATTACH PARTITION {name} "
                        f"FOR VALUES FROM (%s) TO (%s)",
                        [start, end],
                    )
                created.append(name)
            start = end
    return created


def partitions_list() -> list[dict]:
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = %s ORDER BY c.relname",
            [PARTITIONED_TABLE],
        )
        return [{"name": name, "bound": bound} for name, bound in cursor.fetchall()]


def retention_apply(*, days: int | None = None, now: datetime | None = None) -> dict:
    """Delete telemetry older than the retention period (XZ5G_IOT_RETENTION_DAYS)."""
    from xizang5g.iot.models import (
        DeviceEvent,
        MessageReceipt,
        Reading,
        ReadingRollup,
        RejectedMessage,
    )

    days = days if days is not None else settings.XZ5G_IOT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    dropped = []
    if is_partitioned():
        with connection.cursor() as cursor:
            for part in partitions_list():
                name = part["name"]
                if not name[-6:].isdigit():
                    continue
                start = datetime.strptime(name[-6:], "%Y%m").replace(tzinfo=UTC)
                if _next_month(start) <= cutoff:
                    cursor.execute(f"DROP TABLE {name}")
                    dropped.append(name)
    readings = Reading.objects.filter(time__lt=cutoff).delete()[0]
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
