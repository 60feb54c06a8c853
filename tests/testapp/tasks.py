from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from tests.testapp.models import Observation


@task()
def frost_summary() -> dict:
    """Observations at or below freezing in the last day."""
    since = timezone.now() - timedelta(days=1)
    return {"frosty": Observation.objects.filter(time__gte=since, temperature__lte=0).count()}
