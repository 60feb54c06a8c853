from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xizang5g.core.models import PeriodicRun
from xizang5g.core.schedule import SCHEDULE, PeriodicJob, enqueue_due


def test_due_jobs_are_enqueued_once_per_interval(db):
    now = timezone.now()
    assert set(enqueue_due(now=now)) == {job.name for job in SCHEDULE}
    assert DBTaskResult.objects.count() == len(SCHEDULE)
    # within the interval nothing is enqueued again
    assert enqueue_due(now=now + timedelta(seconds=30)) == []
    later = now + timedelta(hours=1, seconds=1)
    hourly = [job.name for job in SCHEDULE if job.every <= timedelta(hours=1)]
    assert enqueue_due(now=later) == hourly
    assert PeriodicRun.objects.get(name=hourly[0]).last_enqueued_at == later


def test_every_scheduled_task_exists(db):
    import importlib

    for job in SCHEDULE:
        module, _, name = job.task.rpartition(".")
        assert hasattr(importlib.import_module(module), name), job.task
    assert isinstance(SCHEDULE[0], PeriodicJob)
