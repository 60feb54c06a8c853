"""Background jobs of the security app (django-tasks; run by `xizang5g db_worker`)."""

from django_tasks import task

from xizang5g.security import services


@task()
def security_deadlines_check() -> int:
    """Alerts for overdue incidents, unrectified findings and overdue crypto assessments (run hourly)."""
    return services.deadlines_check()


@task()
def security_partitions_ensure() -> list[str]:
    """Month partitions of the events table ahead of time on PostgreSQL (run daily)."""
    return services.events_partitions_ensure()
