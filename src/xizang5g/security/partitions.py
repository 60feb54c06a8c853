"""Monthly partitions of the events table on PostgreSQL (migration 0001 makes it partitioned with a
DEFAULT partition, so inserts never fail; this adds the proper month partitions ahead of time so the
default stays empty and old months can be detached or dropped cheaply)."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

TABLE = "security_securityevent"


def _month(d: date, add: int) -> date:
    index = d.year * 12 + d.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def event_partitions_ensure(*, today: date | None = None, months_ahead: int = 2) -> list[str]:
    """Create the partitions of this month and `months_ahead` next months; returns those created.
    A month whose rows already sit in the default partition is left there (reported by name)."""
    if connection.vendor != "postgresql":
        return []
    today = today or date.today()
    created = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        existing = {row[0] for row in cursor.fetchall()}
        for offset in range(months_ahead + 1):
            start, end = _month(today, offset), _month(today, offset + 1)
            name = f"{TABLE}_y{start:%Y}m{start:%m}"
            if name in existing:
                continue
            try:
                with transaction.atomic():
                    cursor.execute(
                        f'CREATE TABLE "{name}" PARTITION OF {TABLE} '
                        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                    )
                created.append(name)
            except Exception:  # rows of that month already in the default partition
                continue
    return created


def event_partitions(*, table: str = TABLE) -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY 1",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]
