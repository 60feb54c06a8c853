"""Periodic jobs: each app declares which background task runs how often
(`PlatformApp.periodic_jobs`); `xizang5g scheduler` enqueues them when due."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from xizang5g.core import registry
from xizang5g.core.models import PeriodicRun

logger = logging.getLogger(__name__)


def enqueue_due(*, now: datetime | None = None, schedule=None) -> list[str]:
    """Enqueue every job whose interval has passed (the apps' `periodic_jobs`, or `schedule`);
    returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in registry.periodic_jobs() if schedule is None else schedule:
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
            registry.resolve(job.task).enqueue()
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
            logger.info("enqueued periodic job %s", job.name)
    return enqueued
