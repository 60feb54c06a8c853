"""Forecast of a spot's arrivals for the coming days and today's hours, with its backtest.

Model (statsmodels GLSAR: a linear regression with AR(1) errors, fitted by iterated feasible
GLS) on log(1 + daily arrivals), with regressors for the weekday (6 dummies), yearly seasonality (3 Fourier pairs of the
day of the year), Chinese public holidays (the `holidays` package, CN), the National Day Golden
Week, Losar and the Shoton festival (``tourism.calendar``); errors AR(1). The 90 % interval
follows the AR(1) error variance at each horizon (parameter uncertainty left out); the hourly arrivals of today spread the day's forecast over the
opening hours with the arrival profile of ``simulation.arrival_share``.

Backtest: at several origins in the last year, the model is fitted on the days before the origin
and forecasts the next 14 days; its MAPE and MAE are shown against the seasonal-naive forecast
(the same weekday of the last observed week) from the same origins.

Recommended reservation quota: the upper bound of today's forecast, never above
``QUOTA_SHARE_OF_C2`` of the daily capacity C2 (LB/T 034-2014) nor above the legal cap.
"""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta

import numpy as np
from django.utils import timezone

from xizang5g.tourism import calendar
from xizang5g.tourism import constants as C
from xizang5g.tourism.models import DailyStat, Forecast, ScenicSpot
from xizang5g.tourism.simulation import arrival_share

HORIZON_DAYS = 14
MIN_HISTORY_DAYS = 120
BACKTEST_ORIGINS = 3
METHOD = "GLSAR AR(1) on log1p: weekday, yearly Fourier(3), CN holidays, Golden Week, Losar, Shoton"


def design(days: list[date]) -> np.ndarray:
    rows = []
    for day in days:
        doy = day.timetuple().tm_yday
        row = [1.0 if day.weekday() == k else 0.0 for k in range(6)]
        for k in (1, 2, 3):
            angle = 2 * math.pi * k * doy / 365.25
            row += [math.sin(angle), math.cos(angle)]
        flags = calendar.day_flags(day)
        row += [float(flags[key]) for key in ("holiday", "golden_week", "losar", "shoton")]
        rows.append(row)
    matrix = np.asarray(rows)
    return matrix


def _fit(y: np.ndarray, x: np.ndarray):
    """Regression with AR(1) errors (statsmodels GLSAR, iterated feasible GLS) on log1p."""
    from statsmodels.regression.linear_model import GLSAR  # heavy optional import

    # A constant, and only the regressors that vary in the history (a festival not yet seen
    # would make the design singular).
    keep = np.ptp(x, axis=0) > 0
    design_ = np.column_stack([np.ones(len(x)), x[:, keep]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = GLSAR(np.log1p(y), design_, rho=1).iterative_fit(maxiter=8)
    return result, keep


def model_forecast(history: list[tuple[date, int]], horizon: int):
    """(days, mean, low, high) of the next `horizon` days after the history (90 % interval)."""
    days = [d for d, _v in history]
    y = np.asarray([v for _d, v in history], dtype=float)
    x = design(days)
    result, keep = _fit(y, x)
    rho = float(result.model.rho[0])
    last_error = float(np.log1p(y[-1]) - result.fittedvalues[-1])
    innovations = result.wresid
    sigma = float(np.std(innovations, ddof=len(result.params)))
    future = [days[-1] + timedelta(days=n + 1) for n in range(horizon)]
    fx = np.column_stack([np.ones(horizon), design(future)[:, keep]])
    steps = np.arange(1, horizon + 1)
    log_mean = fx @ result.params + last_error * rho**steps
    spread = sigma * np.sqrt((1 - rho ** (2 * steps)) / max(1e-9, 1 - rho**2))
    z = 1.6449  # two-sided 90 %
    mean = np.expm1(log_mean)
    low, high = np.expm1(log_mean - z * spread), np.expm1(log_mean + z * spread)
    return future, np.maximum(mean, 0), np.maximum(low, 0), np.maximum(high, 0)


def seasonal_naive(history: list[tuple[date, int]], horizon: int) -> np.ndarray:
    last_week = [v for _d, v in history[-7:]]
    return np.asarray([last_week[n % 7] for n in range(horizon)], dtype=float)


def _errors(actual: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    mask = actual > 0
    mape = float(np.mean(np.abs(predicted[mask] - actual[mask]) / actual[mask]) * 100)
    mae = float(np.mean(np.abs(predicted - actual)))
    return mape, mae


def backtest(
    history: list[tuple[date, int]], *, horizon: int = HORIZON_DAYS, origins: int = BACKTEST_ORIGINS
) -> dict:
    """Model against seasonal-naive from `origins` points spread over the last year."""
    n = len(history)
    span = min(365, n - MIN_HISTORY_DAYS - horizon)
    if span <= 0:
        return {}
    starts = sorted({n - horizon - (span * k) // origins for k in range(origins)})
    actual, model, naive = [], [], []
    for start in starts:
        past, future = history[:start], history[start : start + horizon]
        _days, mean, _low, _high = model_forecast(past, len(future))
        actual.extend(v for _d, v in future)
        model.extend(mean)
        naive.extend(seasonal_naive(past, len(future)))
    actual_a = np.asarray(actual, dtype=float)
    mape, mae = _errors(actual_a, np.asarray(model))
    naive_mape, naive_mae = _errors(actual_a, np.asarray(naive))
    return {
        "origins": [history[s][0].isoformat() for s in starts],
        "horizon_days": horizon,
        "days": len(actual),
        "mape": round(mape, 2),
        "mae": round(mae, 1),
        "naive_mape": round(naive_mape, 2),
        "naive_mae": round(naive_mae, 1),
    }


def recommended_quota(spot: ScenicSpot, high: float) -> int:
    ceiling = math.floor(spot.capacity_daily * C.QUOTA_SHARE_OF_C2)
    if spot.cap_daily is not None:
        ceiling = min(ceiling, spot.cap_daily)
    return int(min(math.ceil(high), ceiling))


def hourly_profile(total: float, *, opens: float = 9.0, closes: float = 17.0) -> list[dict]:
    out = []
    for hour in range(int(opens), math.ceil(closes)):
        share = arrival_share(hour + 1, opens=opens, closes=closes) - arrival_share(
            hour, opens=opens, closes=closes
        )
        out.append({"hour": hour, "arrivals": round(total * share)})
    return out


def forecast_refresh(spot: ScenicSpot, *, today: date | None = None, with_backtest: bool = True):
    """Fit, forecast and store the spot's forecast; None when the history is too short."""
    today = today or timezone.localdate()
    rows = list(
        DailyStat.objects.filter(spot=spot, date__lt=today)
        .order_by("date")
        .values_list("date", "visitors")
    )
    if len(rows) < MIN_HISTORY_DAYS:
        return None
    horizon = (today - rows[-1][0]).days - 1 + HORIZON_DAYS
    future, mean, low, high = model_forecast(rows, horizon)
    daily = [
        {
            "date": d.isoformat(),
            "arrivals": round(float(m)),
            "low": round(float(lo)),
            "high": round(float(hi)),
            "holiday": calendar.label(d),
        }
        for d, m, lo, hi in zip(future, mean, low, high, strict=True)
        if d >= today
    ]
    existing = Forecast.objects.filter(spot=spot).first()
    result = backtest(rows) if with_backtest or existing is None else existing.backtest
    today_row = daily[0]
    forecast, _created = Forecast.objects.update_or_create(
        spot=spot,
        defaults={
            "computed_at": timezone.now(),
            "method": METHOD,
            "daily": daily,
            "hourly": hourly_profile(today_row["arrivals"]),
            "backtest": result,
            "quota_today": recommended_quota(spot, today_row["high"]),
        },
    )
    return forecast


def forecasts_refresh(*, today: date | None = None, with_backtest: bool = True) -> dict:
    done = skipped = 0
    for spot in ScenicSpot.objects.all():
        if forecast_refresh(spot, today=today, with_backtest=with_backtest) is None:
            skipped += 1
        else:
            done += 1
    return {"forecasts": done, "skipped": skipped}
