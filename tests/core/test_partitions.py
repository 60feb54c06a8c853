"""Monthly partitions (`core.partitions`) of both partitioned tables on PostgreSQL: the readings
of the IoT hub and the security events. One naming scheme, rows that already sit in the default
partition move into their month, retention detaches or drops whole months, legacy names are
renamed. On SQLite every function is a no-op."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from xizang5g.core import partitions
from xizang5g.iot import storage
from xizang5g.security.models import SecurityEvent

pytestmark = pytest.mark.django_db

READINGS = "iot_reading"
EVENTS = "security_securityevent"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        reason = "declarative partitions exist on PostgreSQL only (SQLite keeps plain tables)"
        print(f"SKIP: {reason}")
        pytest.skip(reason)


def where_rows_are(table: str) -> list[tuple[str, str]]:
    """(partition, time as ISO text) of every row of ``table``, by time."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') "
            f"FROM {table} ORDER BY time, id"
        )
        return cursor.fetchall()


def add_reading(moment: datetime, value: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO iot_reading (time, device_id, property, value) VALUES (%s, 1, 'level', %s)",
            [moment, value],
        )


def add_event(moment: datetime, message: str) -> SecurityEvent:
    return SecurityEvent.objects.create(
        time=moment, received_at=moment, category="linux", message=message
    )


def test_names_and_months():
    assert partitions.partition_name(READINGS, date(2026, 3, 1)) == "iot_reading_p202603"
    assert partitions.default_partition_name(EVENTS) == "security_securityevent_default"
    # Months are UTC months: 1 March 03:00 in Lhasa (UTC+8) is still February in UTC.
    lhasa = datetime(2026, 3, 1, 3, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert partitions.month_start(lhasa) == date(2026, 2, 1)
    assert partitions.month_start(date(2026, 3, 17)) == date(2026, 3, 1)
    with pytest.raises(ValueError, match="naive"):
        partitions.month_start(datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="table name"):
        partitions.partition_name("iot_reading; DROP TABLE x", date(2026, 3, 1))


def test_sqlite_is_a_documented_no_op():
    if connection.vendor == "postgresql":
        pytest.skip("checks the SQLite behaviour")
    for table in (READINGS, EVENTS):
        assert partitions.is_partitioned(table) is False
        assert partitions.partitions_ensure(table) == []
        assert partitions.partitions_list(table) == []
        before = datetime(2030, 1, 1, tzinfo=UTC)
        assert partitions.partitions_drop_before(table, before=before) == []
    assert storage.partitions_ensure() == [] and storage.partitions_list() == []


@pytest.mark.parametrize("table", [READINGS, EVENTS])
def test_rows_already_in_the_default_partition_move_into_their_month(postgresql, table):
    """Rows written before their month's partition existed land in the default partition; creating
    that month moves them (ids and values kept) in the same transaction, and leaves rows of
    other months where they are."""
    if table == READINGS:
        for when, value in (
            (datetime(2031, 5, 2, tzinfo=UTC), 1.0),
            (datetime(2031, 5, 30, 23, 59, tzinfo=UTC), 2.0),
            (datetime(2031, 9, 1, tzinfo=UTC), 3.0),
        ):
            add_reading(when, value)
    else:
        for when, text in (
            (datetime(2031, 5, 2, tzinfo=UTC), "a"),
            (datetime(2031, 5, 30, 23, 59, tzinfo=UTC), "b"),
            (datetime(2031, 9, 1, tzinfo=UTC), "c"),
        ):
            add_event(when, text)
    default = partitions.default_partition_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, time FROM {table} ORDER BY id")
        rows_before = cursor.fetchall()
    assert [where for where, _ in where_rows_are(table)] == [default] * 3

    created = partitions.partitions_ensure(
        table, months_ahead=1, now=datetime(2031, 5, 10, tzinfo=UTC)
    )

    assert created == [f"{table}_p203105", f"{table}_p203106"]
    assert where_rows_are(table) == [
        (f"{table}_p203105", "2031-05-02"),
        (f"{table}_p203105", "2031-05-30"),
        (default, "2031-09-01"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, time FROM {table} ORDER BY id")
        assert cursor.fetchall() == rows_before
    # The new partition got the table's indexes.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [f"{table}_p203105"])
        assert cursor.fetchone()[0] >= 1
    # Inserts after the move are routed to the month partition.
    if table == READINGS:
        add_reading(datetime(2031, 5, 15, tzinfo=UTC), 4.0)
    else:
        add_event(datetime(2031, 5, 15, tzinfo=UTC), "d")
    assert (f"{table}_p203105", "2031-05-15") in where_rows_are(table)


def test_retention_detaches_or_drops_whole_months(postgresql):
    partitions.partitions_ensure(READINGS, months_ahead=2, now=datetime(2031, 1, 5, tzinfo=UTC))
    add_reading(datetime(2031, 1, 20, tzinfo=UTC), 1.0)
    add_reading(datetime(2031, 2, 20, tzinfo=UTC), 2.0)
    # 2031-02-15: January is over, February is not.
    kept = partitions.partitions_drop_before(
        READINGS, before=datetime(2031, 2, 15, tzinfo=UTC), detach_only=True
    )
    assert "iot_reading_p203101" in kept and "iot_reading_p203102" not in kept
    names = [p.name for p in partitions.partitions_list(READINGS)]
    assert "iot_reading_p203101" not in names and "iot_reading_p203102" in names
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM iot_reading_p203101")  # detached, still there
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM iot_reading")
        assert cursor.fetchone()[0] == 1
    dropped = partitions.partitions_drop_before(READINGS, before=datetime(2031, 3, 1, tzinfo=UTC))
    assert "iot_reading_p203102" in dropped
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('iot_reading_p203102')")
        assert cursor.fetchone()[0] is None


def test_iot_retention_drops_partitions_past_it(postgresql):
    storage.partitions_ensure(now=datetime(2031, 1, 5, tzinfo=UTC), months_back=0, months_ahead=0)
    add_reading(datetime(2031, 1, 20, tzinfo=UTC), 1.0)
    result = storage.retention_apply(days=30, now=datetime(2031, 3, 10, tzinfo=UTC))
    assert "iot_reading_p203101" in result["dropped_partitions"]


def test_legacy_names_are_renamed(postgresql):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE iot_reading_203207 PARTITION OF iot_reading "
            "FOR VALUES FROM ('2032-07-01 00:00+00') TO ('2032-08-01 00:00+00')"
        )
        cursor.execute(
            "CREATE TABLE security_securityevent_y2032m07 PARTITION OF security_securityevent "
            "FOR VALUES FROM ('2032-07-01 00:00+00') TO ('2032-08-01 00:00+00')"
        )
    renamed = partitions.partitions_rename_legacy(
        READINGS, legacy=r"iot_reading_(?P<year>\d{4})(?P<month>\d{2})"
    )
    assert renamed == [("iot_reading_203207", "iot_reading_p203207")]
    renamed = partitions.partitions_rename_legacy(
        EVENTS, legacy=EVENTS + r"_y(?P<year>\d{4})m(?P<month>\d{2})"
    )
    assert renamed == [("security_securityevent_y2032m07", "security_securityevent_p203207")]
    # The renamed months count as existing: nothing is created twice.
    assert partitions.partitions_ensure(EVENTS, months_ahead=0, now=date(2032, 7, 4)) == []
    with pytest.raises(ValueError, match="named groups"):
        partitions.partitions_rename_legacy(READINGS, legacy=r"iot_reading_(\d{6})")


def test_a_table_that_is_not_partitioned_is_left_alone(postgresql):
    assert partitions.is_partitioned("core_unit") is False
    assert partitions.partitions_ensure("core_unit") == []
    assert partitions.partitions_list("core_unit") == []
