"""Security awareness's live evidence for pilot projects (core.evidence): the events recorded
each day for the information systems that serve a pilot."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core.evidence import Evidence
from xizang5g.security.models import InformationSystem, SecurityEvent


def pilot_evidence(pilot_ids: list[int], *, start: date, end: date) -> dict[int, list[Evidence]]:
    links = list(
        InformationSystem.pilots.through.objects.filter(pilot_id__in=pilot_ids).values_list(
            "informationsystem_id", "pilot_id"
        )
    )
    if not links:
        return {}
    pilots_of: dict[int, set[int]] = defaultdict(set)
    for system_id, pilot_id in links:
        pilots_of[system_id].add(pilot_id)
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    events = SecurityEvent.objects.filter(
        system_id__in=list(pilots_of), time__gte=since, time__lt=until
    )
    daily: dict[int, dict[date, float]] = defaultdict(dict)
    last: dict[int, datetime] = {}
    rows = events.annotate(day=TruncDate("time")).values_list("system_id", "day")
    for system_id, day, count in rows.annotate(n=Count("id")):
        for pilot_id in pilots_of[system_id]:
            daily[pilot_id][day] = daily[pilot_id].get(day, 0) + count
    for system_id, newest in events.values_list("system_id").annotate(t=Max("time")):
        for pilot_id in pilots_of[system_id]:
            last[pilot_id] = max(last.get(pilot_id, newest), newest)
    systems: dict[int, int] = defaultdict(int)
    for _system_id, pilot_id in links:
        systems[pilot_id] += 1
    return {
        pilot_id: [
            Evidence(
                system=_("Security awareness"),
                measure=_("events"),
                headline=_("%(n)s information systems send events") % {"n": systems[pilot_id]},
                daily=daily.get(pilot_id, {}),
                last_activity=last.get(pilot_id),
            )
        ]
        for pilot_id in systems
    }
