"""Shifts: two 12-hour shifts a day, the day shift starting at a configurable local time
(Asia/Shanghai), the night shift 12 h later. A shift is named by the local date it starts on and
its kind, so the night shift of 3 December runs from 20:00 on the 3rd to 08:00 on the 4th."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from xizang5g.industry.choices import Shift
from xizang5g.industry.constants import LOCAL_TZ, SHIFT_HOURS

TZ = zoneinfo.ZoneInfo(LOCAL_TZ)
LENGTH = timedelta(hours=SHIFT_HOURS)


@dataclass(frozen=True)
class ShiftSpan:
    day: date
    kind: str  # Shift.DAY or Shift.NIGHT
    start: datetime  # aware
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}:{self.kind}"

    def elapsed_s(self, now: datetime) -> float:
        """Seconds of the shift gone by at `now` (0 before it, its length after it)."""
        return max(0.0, min((now - self.start).total_seconds(), LENGTH.total_seconds()))

    def get_kind_display(self) -> str:
        return str(Shift(self.kind).label)


def span(day: date, kind: str, shift_start: time) -> ShiftSpan:
    if kind not in Shift.values:
        raise ValueError(f"unknown shift {kind!r}")
    start = datetime.combine(day, shift_start, tzinfo=TZ)
    if kind == Shift.NIGHT:
        start += LENGTH
    return ShiftSpan(day, kind, start, start + LENGTH)


def shift_at(moment: datetime, shift_start: time) -> ShiftSpan:
    """The shift `moment` (aware) falls in."""
    local = moment.astimezone(TZ)
    day = local.date()
    for candidate in (day - timedelta(days=1), day):
        for kind in (Shift.DAY, Shift.NIGHT):
            s = span(candidate, kind, shift_start)
            if s.start <= local < s.end:
                return s
    raise AssertionError("unreachable: two days of shifts cover every moment")  # pragma: no cover


def hours_of(start: datetime, end: datetime) -> list[tuple[datetime, float, float]]:
    """Split [start, end) at whole UTC hours: (hour start, offset s from start, seconds)."""
    out = []
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    while cursor < end:
        hour = cursor.replace(minute=0, second=0, microsecond=0)
        stop = min(hour + timedelta(hours=1), end)
        out.append((hour, (cursor - start).total_seconds(), (stop - cursor).total_seconds()))
        cursor = stop
    return out
