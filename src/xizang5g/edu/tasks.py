"""Periodic jobs of the education app."""

from django_tasks import task

from xizang5g.core import partitions


@task()
def edu_partitions() -> list[str]:
    """Prepare the statements table's monthly partitions ahead (PostgreSQL; a no-op elsewhere)."""
    return partitions.partitions_ensure("edu_statement", months_back=1, months_ahead=3)
