"""The arrivals forecast on simulated history: its backtest beats the seasonal-naive forecast, the
festivals and Golden Week are regressors, and the quota respects C2 and the legal cap."""

from datetime import date, timedelta

import pytest

from xizang5g.tourism import calendar, forecast, simulation
from xizang5g.tourism.models import DailyStat, Forecast

TODAY = date(2026, 12, 3)


def history(demand, days=730, seed=7):
    start = TODAY - timedelta(days=days)
    values = simulation.daily_arrivals(demand, start, days, seed=seed)
    return [(start + timedelta(days=n), v) for n, v in enumerate(values)]


@pytest.mark.parametrize(
    "demand",
    [
        simulation.Demand(4800, shoton=1.5, cap=5000),  # the Potala Palace, at its daily cap
        simulation.Demand(3600, losar=1.6),  # Jokhang: pilgrims at Losar
        simulation.Demand(2500, winter=0.08),  # Namtso: closed-ish in winter
    ],
)
def test_the_backtest_beats_seasonal_naive(demand):
    result = forecast.backtest(history(demand))
    assert result["days"] == 3 * forecast.HORIZON_DAYS
    assert result["mape"] < result["naive_mape"]
    assert result["mae"] < result["naive_mae"]


def test_golden_week_and_the_festivals_are_forecast():
    rows = [(d, v) for d, v in history(simulation.Demand(3000)) if d < date(2026, 9, 25)]
    days, mean, low, high = forecast.model_forecast(rows, 14)
    by_day = dict(zip(days, mean, strict=True))
    # National Day Golden Week (Oct 1–7) well above the week before
    assert by_day[date(2026, 10, 2)] > 1.5 * by_day[date(2026, 9, 29)]
    assert all(lo <= m <= hi for lo, m, hi in zip(low, mean, high, strict=True))
    assert calendar.is_shoton(date(2026, 8, 12)) and calendar.is_losar(date(2026, 2, 18))
    assert calendar.is_public_holiday(date(2026, 10, 1)) and calendar.is_golden_week(
        date(2026, 10, 1)
    )


def test_forecast_refresh_stores_days_hours_backtest_and_quota(spot):
    start = TODAY - timedelta(days=400)
    values = simulation.daily_arrivals(simulation.Demand(4800, cap=5000), start, 400, seed=3)
    DailyStat.objects.bulk_create(
        DailyStat(spot=spot, date=start + timedelta(days=n), visitors=v)
        for n, v in enumerate(values)
    )
    stored = forecast.forecast_refresh(spot, today=TODAY)
    assert stored == Forecast.objects.get(spot=spot)
    assert (
        stored.daily[0]["date"] == TODAY.isoformat() and len(stored.daily) == forecast.HORIZON_DAYS
    )
    assert sum(h["arrivals"] for h in stored.hourly) == pytest.approx(
        stored.daily[0]["arrivals"], abs=8
    )
    assert stored.backtest["mape"] < stored.backtest["naive_mape"]
    # the quota: today's upper bound, never above 80 % of C2 (5,000 → 4,000)
    assert stored.quota_today == min(stored.daily[0]["high"], 4000)


def test_too_short_a_history_gives_no_forecast(spot):
    DailyStat.objects.create(spot=spot, date=TODAY - timedelta(days=1), visitors=100)
    assert forecast.forecast_refresh(spot, today=TODAY) is None
