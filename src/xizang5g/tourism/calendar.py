"""Days that move tourism in Xizang: Chinese public holidays (the `holidays` package, CN, with the
State Council's substitute days off), the National Day Golden Week, and two Tibetan festivals that
follow the Tibetan lunisolar calendar and are therefore tabled here:

* Losar (藏历新年), the first day of the first Tibetan month — three days counted;
* the Shoton festival (雪顿节) in Lhasa, from the 30th day of the sixth Tibetan month — seven days.

Dates up to 2025 are the published ones; 2026 and 2027 are computed forward by lunations from them
and must be checked against the Tibetan calendar of the Mentsikhang (门孜康) when it is issued
(a leap month shifts a festival by about 29 days). ``docs/tourism.md`` lists the table.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

LOSAR = {
    2023: date(2023, 2, 21),
    2024: date(2024, 2, 10),
    2025: date(2025, 2, 28),
    2026: date(2026, 2, 18),
    2027: date(2027, 2, 7),
}
SHOTON = {
    2023: date(2023, 8, 16),
    2024: date(2024, 8, 4),
    2025: date(2025, 8, 23),
    2026: date(2026, 8, 12),
    2027: date(2027, 8, 1),
}
LOSAR_DAYS = 3
SHOTON_DAYS = 7


@cache
def _cn(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


def is_public_holiday(day: date) -> bool:
    return day in _cn(day.year)


def is_golden_week(day: date) -> bool:
    return day.month == 10 and day.day <= 7


def _within(day: date, table: dict[int, date], length: int) -> bool:
    start = table.get(day.year)
    return start is not None and start <= day < start + timedelta(days=length)


def is_losar(day: date) -> bool:
    return _within(day, LOSAR, LOSAR_DAYS)


def is_shoton(day: date) -> bool:
    return _within(day, SHOTON, SHOTON_DAYS)


def day_flags(day: date) -> dict[str, bool]:
    """The regressors of one day (besides its weekday and season)."""
    return {
        "holiday": is_public_holiday(day) and not is_golden_week(day),
        "golden_week": is_golden_week(day),
        "losar": is_losar(day),
        "shoton": is_shoton(day),
    }


def label(day: date) -> str:
    flags = day_flags(day)
    for key in ("golden_week", "shoton", "losar", "holiday"):
        if flags[key]:
            return key
    return ""
