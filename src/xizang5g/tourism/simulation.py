"""Realistic synthetic visitor flows for the demo, the tests and the benchmark: daily arrivals
with weekly and yearly seasonality, Golden Week, public holidays, Losar and the Shoton festival,
capped at a spot's published daily cap; and the day's cumulative entries and exits by time."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from xizang5g.tourism import calendar

# Monday … Sunday
WEEKLY = (0.88, 0.86, 0.88, 0.92, 1.02, 1.28, 1.16)


@dataclass(frozen=True)
class Demand:
    base: float  # mean arrivals on an ordinary weekday at the height of the season
    golden_week: float = 1.9
    holiday: float = 1.35
    shoton: float = 1.25
    losar: float = 1.15
    winter: float = 0.3  # share of the summer level in the depth of winter
    noise: float = 0.08  # log-normal day-to-day noise
    cap: int | None = None


def season(day: date, winter: float) -> float:
    """Yearly seasonality of Xizang tourism: highest in late July to August, lowest in January."""
    doy = day.timetuple().tm_yday
    peak = math.exp(-(((doy - 215) / 75.0) ** 2))
    return winter + (1 - winter) * peak


def daily_mean(demand: Demand, day: date) -> float:
    flags = calendar.day_flags(day)
    value = demand.base * WEEKLY[day.weekday()] * season(day, demand.winter)
    for key in ("golden_week", "holiday", "shoton", "losar"):
        if flags[key]:
            value *= getattr(demand, key)
    return value


def daily_arrivals(demand: Demand, start: date, days: int, *, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    out = []
    for n in range(days):
        day = start + timedelta(days=n)
        value = daily_mean(demand, day) * math.exp(rng.gauss(0, demand.noise))
        value = round(value)
        if demand.cap is not None:
            value = min(value, demand.cap)
        out.append(max(0, value))
    return out


def arrival_share(hour: float, *, opens: float = 9.0, closes: float = 17.0) -> float:
    """Cumulative share of the day's arrivals by local `hour`: a bell over the opening hours
    peaking a third of the way in (the morning rush), entries stopping an hour before closing."""
    last_entry = closes - 1.0
    if hour <= opens:
        return 0.0
    if hour >= last_entry:
        return 1.0
    peak = opens + (last_entry - opens) / 3
    width = (last_entry - opens) / 3.5

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf((x - peak) / (width * math.sqrt(2))))

    return (cdf(hour) - cdf(opens)) / (cdf(last_entry) - cdf(opens))


def cumulative_counts(
    arrivals: int, hour: float, *, stay_hours: float, opens: float = 9.0, closes: float = 17.0
) -> tuple[int, int]:
    """(entries, exits) since opening at local `hour` for a day of `arrivals`: every visitor
    leaves after the average stay, and everyone has left at closing."""
    entries = arrivals * arrival_share(hour, opens=opens, closes=closes)
    if hour >= closes:
        exits = entries
    else:
        exits = arrivals * arrival_share(hour - stay_hours, opens=opens, closes=closes)
    return int(entries), int(min(exits, entries))


def local_hour(at: datetime) -> float:
    return at.hour + at.minute / 60 + at.second / 3600
