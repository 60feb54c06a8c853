"""On PostgreSQL the events table is partitioned by month with a default partition."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from xizang5g.security.models import SecurityEvent
from xizang5g.security.partitions import event_partitions, event_partitions_ensure

pytestmark = pytest.mark.django_db


def test_events_are_partitioned_by_month():
    if connection.vendor != "postgresql":
        pytest.skip("time partitioning applies to PostgreSQL only (SQLite keeps one table)")
    assert event_partitions() == ["security_securityevent_default"]
    created = event_partitions_ensure(today=date(2026, 11, 23), months_ahead=1)
    assert created == ["security_securityevent_y2026m11", "security_securityevent_y2026m12"]
    assert event_partitions_ensure(today=date(2026, 11, 23), months_ahead=1) == []
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
            ("security_securityevent_y2026m11", "in november"),
            ("security_securityevent_default", "later"),
        ]


def test_sqlite_keeps_one_table():
    if connection.vendor == "postgresql":
        pytest.skip("checks the SQLite behaviour")
    assert event_partitions_ensure() == [] and event_partitions() == []
