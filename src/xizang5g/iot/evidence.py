"""The IoT hub's live evidence for pilot projects (core.evidence): the devices serving a pilot,
how many reported in the last 24 hours, and the messages they sent each day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core.evidence import Evidence
from xizang5g.iot.models import Device, MessageReceipt


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def pilot_evidence(pilot_ids: list[int], *, start: date, end: date) -> dict[int, list[Evidence]]:
    devices = list(
        Device.objects.filter(project_id__in=pilot_ids).values_list(
            "pk", "project_id", "status__last_seen"
        )
    )
    if not devices:
        return {}
    pilot_of = {pk: pilot for pk, pilot, _seen in devices}
    since, until = _day_bounds(start, end)
    daily: dict[int, dict[date, float]] = defaultdict(dict)
    rows = (
        MessageReceipt.objects.filter(
            device_id__in=list(pilot_of), received_at__gte=since, received_at__lt=until
        )
        .annotate(day=TruncDate("received_at"))
        .values_list("device_id", "day")
        .annotate(n=Count("id"))
    )
    for device_id, day, count in rows:
        per_day = daily[pilot_of[device_id]]
        per_day[day] = per_day.get(day, 0) + count
    recent = timezone.now() - timedelta(hours=24)
    out: dict[int, list[Evidence]] = {}
    for pilot in {p for _pk, p, _seen in devices}:
        seen = [s for _pk, p, s in devices if p == pilot and s is not None]
        reporting = sum(1 for s in seen if s >= recent)
        total = sum(1 for _pk, p, _seen in devices if p == pilot)
        out[pilot] = [
            Evidence(
                system=_("IoT hub"),
                measure=_("messages"),
                headline=_("%(n)s of %(total)s devices reported in the last 24 hours")
                % {"n": reporting, "total": total},
                daily=daily.get(pilot, {}),
                last_activity=max(seen, default=None),
                url=f"{reverse('iot:device_list')}?project={pilot}",
            )
        ]
    return out
