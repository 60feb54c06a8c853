"""Monthly range partitions of PostgreSQL tables: one implementation for every partitioned table.

An app's migration makes a table partitioned ``BY RANGE`` on one timestamp column, with a DEFAULT
partition ``<table>_default`` so that no insert can ever fail. This module then

* prepares the partitions of the current month and the next ones ahead of time
  (:func:`partitions_ensure`), so that the default partition stays empty;
* lists them (:func:`partitions_list`);
* retires the months older than a retention (:func:`partitions_drop_before`: detached and
  dropped, or only detached for archiving), which is far cheaper than deleting rows.

Naming: one scheme for every table, ``<table>_pYYYYMM`` for the month starting at
``YYYY-MM-01 00:00 UTC`` (months are UTC months: the database stores UTC).

Rows of a month already in the DEFAULT partition (written before their month's partition
existed, e.g. a device with a clock in the future, or a job that did not run) are not an error:
when that month's partition is created, they are moved into it in the same transaction that
creates it (taken out of the default, the partition created, put back through the parent). The
transaction holds an ACCESS EXCLUSIVE lock on the table, so no row of that month can slip into
the default meanwhile; it waits at most ``lock_timeout`` for the lock and then fails with the
database's error (nothing half done), to be retried by the next run, instead of queueing every
writer behind it.

On other databases (SQLite, the embedded default) tables are plain tables: every function here
is a no-op that returns an empty list (or ``False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import DEFAULT_DB_ALIAS, connections, transaction

__all__ = [
    "Partition",
    "default_partition_name",
    "is_partitioned",
    "month_start",
    "partition_name",
    "partitions_drop_before",
    "partitions_ensure",
    "partitions_list",
    "partitions_rename_legacy",
]

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,54}$")
"""Table names this module accepts (room for the ``_pYYYYMM`` suffix in PostgreSQL's 63)."""

DEFAULT_LOCK_TIMEOUT = "10s"
MOVE_TABLE = "xz5g_partition_move"
"""Temporary table that holds a month's rows between the default and the new partition."""


@dataclass(frozen=True)
class Partition:
    """One partition of a table.

    Attributes
    ----------
    name : str
        Table name of the partition.
    month : date or None
        First day of its month for a ``<table>_pYYYYMM`` partition; None for the default
        partition and for any partition named otherwise.
    bound : str
        PostgreSQL's text of the partition bound (``DEFAULT`` or ``FOR VALUES FROM … TO …``).
    """

    name: str
    month: date | None
    bound: str

    @property
    def is_default(self) -> bool:
        return self.bound == "DEFAULT"


def _check_table(table: str) -> str:
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table name this module partitions: {table!r}")
    return table


def partition_name(table: str, month: date) -> str:
    """``<table>_pYYYYMM``: the name of the partition of ``month``."""
    return f"{_check_table(table)}_p{month:%Y%m}"


def default_partition_name(table: str) -> str:
    return f"{_check_table(table)}_default"


def month_start(moment: date | datetime) -> date:
    """First day of the UTC month of ``moment`` (an aware datetime, or a date taken as is)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("a naive datetime has no month in UTC; pass an aware datetime")
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _utc(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _postgresql(using: str):
    connection = connections[using]
    return connection if connection.vendor == "postgresql" else None


def is_partitioned(table: str, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether ``table`` is a partitioned table (PostgreSQL; always False elsewhere)."""
    connection = _postgresql(using)
    if connection is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)",
            [_check_table(table)],
        )
        return cursor.fetchone() is not None


def _partition_key(cursor, table: str) -> str:
    """The one column a table is range-partitioned on, or ValueError saying what it is not."""
    cursor.execute(
        "SELECT p.partstrat, p.partnatts, a.attname FROM pg_partitioned_table p "
        "LEFT JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = to_regclass(%s)",
        [table],
    )
    row = cursor.fetchone()
    if row is None:
        raise ValueError(f"table {table!r} is not partitioned")
    strategy, n_columns, column = row
    if strategy != "r" or n_columns != 1 or column is None:
        raise ValueError(f"table {table!r} is not partitioned by range on one column")
    return column


def partitions_list(table: str, *, using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """Every partition of ``table`` by name (empty where the table is not partitioned)."""
    if not is_partitioned(table, using=using):
        return []
    pattern = re.compile(rf"^{re.escape(table)}_p(\d{{4}})(\d{{2}})$")
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) "
            "ORDER BY c.relname",
            [table],
        )
        rows = cursor.fetchall()
    partitions = []
    for name, bound in rows:
        found = pattern.match(name)
        month = date(int(found[1]), int(found[2]), 1) if found else None
        partitions.append(Partition(name=name, month=month, bound=bound))
    return partitions


def partitions_ensure(
    table: str,
    *,
    months_back: int = 0,
    months_ahead: int = 2,
    now: date | datetime | None = None,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
    using: str = DEFAULT_DB_ALIAS,
) -> list[str]:
    """Create the missing month partitions from ``months_back`` before the month of ``now`` to
    ``months_ahead`` after it; returns the names created, oldest first.

    Rows of such a month already in the default partition are moved into the new partition in
    the transaction that creates it (see the module documentation). Safe to run concurrently
    from several processes: the table lock serialises them and each re-checks what exists.
    """
    if months_back < 0 or months_ahead < 0:
        raise ValueError("months_back and months_ahead must be >= 0")
    if not is_partitioned(_check_table(table), using=using):
        return []
    first = _add_months(month_start(now or datetime.now(UTC)), -months_back)
    existing = {p.name for p in partitions_list(table, using=using)}
    created = []
    for offset in range(months_back + months_ahead + 1):
        month = _add_months(first, offset)
        if partition_name(table, month) in existing:
            continue
        if _create_month(table, month, lock_timeout=lock_timeout, using=using):
            created.append(partition_name(table, month))
    return created


def _create_month(table: str, month: date, *, lock_timeout: str, using: str) -> bool:
    """Create one month's partition, moving that month's rows out of the default partition.
    Returns False when another process created it first."""
    connection = connections[using]
    name = partition_name(table, month)
    quote = connection.ops.quote_name
    start, end = _utc(month), _utc(_add_months(month, 1))
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
        cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return False
        key = quote(_partition_key(cursor, table))
        default = quote(default_partition_name(table))
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {key} >= %s AND {key} < %s)",
            [start, end],
        )
        has_stray_rows = cursor.fetchone()[0]
        if has_stray_rows:
            columns = ", ".join(quote(column) for column in _columns(cursor, table))
            cursor.execute(
                f"CREATE TEMPORARY TABLE {MOVE_TABLE} AS "
                f"WITH moved AS (DELETE FROM {default} WHERE {key} >= %s AND {key} < %s "
                f"RETURNING {columns}) SELECT * FROM moved",
                [start, end],
            )
        cursor.execute(
            f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
        if has_stray_rows:
            # Through the parent, which routes them into the new partition; ids kept as they were.
            cursor.execute(
                f"INSERT INTO {quote(table)} ({columns}) OVERRIDING SYSTEM VALUE "
                f"SELECT {columns} FROM {MOVE_TABLE}"
            )
            cursor.execute(f"DROP TABLE {MOVE_TABLE}")
    return True


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def partitions_drop_before(
    table: str,
    *,
    before: datetime,
    detach_only: bool = False,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
    using: str = DEFAULT_DB_ALIAS,
) -> list[str]:
    """Retire every month partition that ends on or before ``before``; returns their names.

    A partition is detached from ``table`` and dropped, or with ``detach_only`` left as a plain
    table (to archive or move elsewhere). Months that end after ``before`` stay whole, and rows
    in the default partition are not touched: delete old rows there separately if needed.
    """
    if before.tzinfo is None:
        raise ValueError("before must be an aware datetime")
    connection = _postgresql(using)
    if connection is None:
        return []
    quote = connection.ops.quote_name
    retired = []
    for part in partitions_list(table, using=using):
        if part.month is None or _utc(_add_months(part.month, 1)) > before:
            continue
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
            cursor.execute(f"ALTER TABLE {quote(table)} DETACH PARTITION {quote(part.name)}")
            if not detach_only:
                cursor.execute(f"DROP TABLE {quote(part.name)}")
        retired.append(part.name)
    return retired


def partitions_rename_legacy(
    table: str, *, legacy: str, template: str | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[tuple[str, str]]:
    """Rename the partitions of ``table`` that follow an older naming scheme to
    ``<table>_pYYYYMM``; returns (old, new) pairs. For migrations.

    ``legacy`` is a regular expression matched against whole partition names, with the named
    groups ``year`` and ``month`` (e.g. ``iot_reading_(?P<year>\\d{4})(?P<month>\\d{2})``).
    ``template`` (``str.format`` with ``year`` and ``month``) names the result instead of the
    scheme, which lets a migration be reversed.
    """
    if not is_partitioned(table, using=using):
        return []
    pattern = re.compile(legacy)
    if not {"year", "month"} <= set(pattern.groupindex):
        raise ValueError("the legacy pattern needs the named groups 'year' and 'month'")
    connection = connections[using]
    quote = connection.ops.quote_name
    renamed = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for part in partitions_list(table, using=using):
            found = pattern.fullmatch(part.name)
            if not found:
                continue
            if template is None:
                new = partition_name(table, date(int(found["year"]), int(found["month"]), 1))
            else:
                new = template.format(year=found["year"], month=found["month"])
            cursor.execute(f"ALTER TABLE {quote(part.name)} RENAME TO {quote(new)}")
            renamed.append((part.name, new))
    return renamed
