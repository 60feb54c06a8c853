"""Periodic jobs of the education app."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from xizang5g.core import partitions
from xizang5g.edu.models import Statement, StatementIndex


@task()
def edu_partitions() -> list[str]:
    """Prepare the statements table's monthly partitions ahead (PostgreSQL; a no-op elsewhere)."""
    return partitions.partitions_ensure("edu_statement", months_back=1, months_ahead=3)


def retention_days() -> int:
    """How long learning records are kept (settings.XZ5G_EDU_RETENTION_DAYS, default 3 years):
    minors' personal information is not kept longer than the school's purpose needs."""
    return int(getattr(settings, "XZ5G_EDU_RETENTION_DAYS", 3 * 365))


@task()
def edu_retention() -> dict:
    """Retire statements stored before the retention: whole month partitions on PostgreSQL,
    then the remaining rows, and the index rows of statements no longer stored."""
    before = timezone.now() - timedelta(days=retention_days())
    dropped = partitions.partitions_drop_before("edu_statement", before=before)
    deleted, _ = Statement.objects.filter(stored__lt=before).delete()
    orphans, _ = StatementIndex.objects.exclude(
        statement_id__in=Statement.objects.values("statement_id")
    ).delete()
    return {"partitions": dropped, "statements": deleted, "index_rows": orphans}
