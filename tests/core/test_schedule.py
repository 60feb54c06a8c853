from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xizang5g.core import registry
from xizang5g.core.models import PeriodicRun
from xizang5g.core.schedule import enqueue_due


def test_due_jobs_are_enqueued_once_per_interval(db):
    jobs = registry.periodic_jobs()
    now = timezone.now()
    assert set(enqueue_due(now=now)) == {job.name for job in jobs}
    assert DBTaskResult.objects.count() == len(jobs)
    # within the interval nothing is enqueued again
    assert enqueue_due(now=now + timedelta(seconds=30)) == []
    later = now + timedelta(hours=1, seconds=1)
    hourly = [job.name for job in jobs if job.every <= timedelta(hours=1)]
    assert enqueue_due(now=later) == hourly
    assert PeriodicRun.objects.get(name=hourly[0]).last_enqueued_at == later


def test_every_app_job_names_a_task_that_exists(db):
    jobs = registry.periodic_jobs()
    assert {"iot_housekeeping", "security_deadlines_check"} <= {job.name for job in jobs}
    assert len({job.name for job in jobs}) == len(jobs), "job names are unique"
    for job in jobs:
        assert hasattr(registry.resolve(job.task), "enqueue"), job.task
