from django_tasks import task

from xizang5g.health import services


@task()
def health_syndromic_check() -> dict:
    """EARS C1/C2/C3 over yesterday's syndromic counts (alerts for counties in alarm)."""
    return {"alarms": services.syndromic_check()}
