"""Monthly partitions of the events table on PostgreSQL.

Migration 0001 makes `security_securityevent` partitioned by month on `time` with a DEFAULT
partition, so inserts never fail; `xizang5g.core.partitions` adds the month partitions
(`security_securityevent_pYYYYMM`) ahead of time, so that the default stays empty and old months
can be detached or dropped cheaply. Events of a month that already sit in the default partition
move into that month's partition when it is created. On SQLite these are no-ops.
"""

from __future__ import annotations

from datetime import date, datetime

from xizang5g.core import partitions

EVENTS_TABLE = "security_securityevent"


def event_partitions_ensure(
    *, now: date | datetime | None = None, months_ahead: int = 2
) -> list[str]:
    """Create the partitions of this month and `months_ahead` next months; returns those created."""
    return partitions.partitions_ensure(EVENTS_TABLE, months_ahead=months_ahead, now=now)


def event_partitions() -> list[str]:
    """Names of the partitions of the events table, the default one included."""
    return [part.name for part in partitions.partitions_list(EVENTS_TABLE)]
