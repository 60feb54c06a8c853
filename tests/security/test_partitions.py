"""On PostgreSQL the events table is partitioned by month with a default partition, named and
managed as every partitioned table (`core.partitions`; shared behaviour in
tests/core/test_partitions.py)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from xizang5g.core import partitions
from xizang5g.security.models import SecurityEvent
from xizang5g.security.partitions import EVENTS_TABLE, event_partitions, event_partitions_ensure

pytestmark = pytest.mark.django_db


def test_events_are_partitioned_by_month():
    if connection.vendor != "postgresql":
        reason = "time partitioning applies to PostgreSQL only (SQLite keeps one table)"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    assert event_partitions() == ["security_securityevent_default"]
    created = event_partitions_ensure(now=date(2026, 11, 23), months_ahead=1)
    assert created == ["security_securityevent_p202611", "security_securityevent_p202612"]
    assert event_partitions_ensure(now=date(2026, 11, 23), months_ahead=1) == []
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    SecurityEvent.objects.create(time=now, received_at=now, category="linux", message="in november")
    SecurityEvent.objects.create(
        time=datetime(2027, 3, 1, tzinfo=UTC), received_at=now, category="linux", message="later"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, message FROM security_securityevent ORDER BY time"
        )
        assert cursor.fetchall() == [
            ("security_securityevent_p202611", "in november"),
            ("security_securityevent_default", "later"),
        ]
    listed = {p.name: p for p in partitions.partitions_list(EVENTS_TABLE)}
    assert listed["security_securityevent_p202612"].month == date(2026, 12, 1)
    assert listed["security_securityevent_default"].is_default


def test_sqlite_keeps_one_table():
    if connection.vendor == "postgresql":
        pytest.skip("checks the SQLite behaviour")
    assert event_partitions_ensure() == [] and event_partitions() == []
