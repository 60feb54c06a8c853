"""Periodic jobs: which background task runs how often. `xizang5g scheduler` enqueues them."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from xizang5g.core.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted path of a django-tasks task
    every: timedelta


SCHEDULE = [
    # Security: incidents, findings and crypto assessments past their deadlines raise alerts.
    PeriodicJob(
        "security_deadlines_check",
        "xizang5g.security.tasks.security_deadlines_check",
        timedelta(hours=1),
    ),
    # Security: next month's event partitions exist before the month starts (PostgreSQL).
    PeriodicJob(
        "security_partitions_ensure",
        "xizang5g.security.tasks.security_partitions_ensure",
        timedelta(days=1),
    ),
    # IoT: quiet devices go offline and "no data for N minutes" rules fire, even with no worker up.
    PeriodicJob("iot_housekeeping", "xizang5g.iot.tasks.iot_housekeeping", timedelta(minutes=1)),
    # IoT: chart rollups of the minutes that are over (the ingest worker does it too).
    PeriodicJob(
        "iot_rollups_refresh", "xizang5g.iot.tasks.iot_rollups_refresh", timedelta(minutes=1)
    ),
    # IoT: readings partitions ahead (PostgreSQL) and the retention window.
    PeriodicJob(
        "iot_storage_maintain", "xizang5g.iot.tasks.iot_storage_maintain", timedelta(hours=6)
    ),
]


def enqueue_due(*, now: datetime | None = None, schedule=SCHEDULE) -> list[str]:
    """Enqueue every job whose interval has passed; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in schedule:
        PeriodicRun.objects.get_or_create(name=job.name)
        with transaction.atomic():
            run = (
                PeriodicRun.objects.select_for_update(skip_locked=True)
                .filter(name=job.name)
                .first()
            )
            if run is None:  # another scheduler holds it right now
                continue
            if run.last_enqueued_at and now - run.last_enqueued_at < job.every:
                continue
            import_string(job.task).enqueue()
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
            logger.info("enqueued periodic job %s", job.name)
    return enqueued
