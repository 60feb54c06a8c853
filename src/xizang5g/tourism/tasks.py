from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from xizang5g.tourism import forecast, services


@task()
def tourism_forecast_refresh() -> dict:
    """Refresh every spot's arrivals forecast, backtest and reservation quota."""
    return forecast.forecasts_refresh()


@task()
def tourism_daily_rollup() -> dict:
    """Yesterday's visitors and revenue per spot from the counts (tourism data)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return {"day": yesterday.isoformat(), "spots": services.daily_rollup(day=yesterday)}
