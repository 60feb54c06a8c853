"""Live evidence for pilot projects: what the systems record for a pilot, day by day.

Each system registers providers (``PlatformApp.evidence_providers``), called as

    provider(pilot_ids: list[int], *, start: date, end: date) -> dict[int, list[Evidence]]

for the pilots (core.Pilot) it knows something about: devices reporting and messages a day, events
of the information systems serving the pilot, statements recorded, patients handled … Plan
supervision shows the evidence on a project's page and, where the plan file asks for it, counts a
pilot as running only with live evidence in the last N days (``live_pilots``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from xizang5g.core import registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """One system's record of one pilot over a window of days."""

    system: str  # the system, e.g. "IoT hub"
    measure: str  # what `daily` counts, e.g. "messages"
    headline: str  # one line for people, e.g. "5 of 6 devices reported in the last 24 h"
    daily: dict[date, float] = field(default_factory=dict)  # activity per day (only active days)
    last_activity: datetime | None = None
    url: str = ""  # the system's page for this pilot, if any

    def active_between(self, start: date, end: date) -> bool:
        return any(start <= day <= end and value > 0 for day, value in self.daily.items())


def evidence_for(pilot_ids, *, start: date, end: date) -> dict[int, list[Evidence]]:
    """Every provider's evidence for the pilots between two days (inclusive). A provider that
    fails is logged and left out: evidence never breaks a page."""
    ids = sorted(set(pilot_ids))
    found: dict[int, list[Evidence]] = defaultdict(list)
    if not ids:
        return found
    for provider in registry.evidence_providers():
        try:
            result = provider(ids, start=start, end=end)
        except Exception:
            logger.exception("evidence provider %s failed", provider)
            continue
        for pilot_id, items in result.items():
            found[pilot_id].extend(items)
    return found


def live_pilots(pilot_ids, *, as_of: date, days: int) -> set[int]:
    """The pilots with some recorded activity in the `days` days up to `as_of` (inclusive)."""
    start = as_of - timedelta(days=days - 1)
    evidence = evidence_for(pilot_ids, start=start, end=as_of)
    return {
        pilot_id
        for pilot_id, items in evidence.items()
        if any(item.active_between(start, as_of) for item in items)
    }
