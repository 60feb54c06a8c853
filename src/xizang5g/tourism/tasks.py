from django_tasks import task

from xizang5g.tourism import forecast


@task()
def tourism_forecast_refresh() -> dict:
    """Refresh every spot's arrivals forecast, backtest and reservation quota."""
    return forecast.forecasts_refresh()
