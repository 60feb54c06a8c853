"""Reads of the health app, always restricted to what the user may see."""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.db.models import Count, Sum

from xizang5g.core import access
from xizang5g.health import ears
from xizang5g.health.choices import CallState
from xizang5g.health.models import (
    Ambulance,
    Consultation,
    EmergencyCall,
    SyndromicCount,
    VitalSigns,
)

ACTIVE = (
    CallState.DISPATCHED,
    CallState.EN_ROUTE,
    CallState.ON_SCENE,
    CallState.TRANSPORTING,
    CallState.AT_HOSPITAL,
)


def ambulance_list(*, user, state: str | None = None):
    rows = Ambulance.objects.restrict(user).select_related("unit", "division")
    return rows.filter(state=state) if state else rows


def ambulance_get(*, user, pk: int, action: str = access.VIEW) -> Ambulance:
    return access.get_or_404(Ambulance.objects.all(), user, action, pk=pk)


def call_list(*, user, state: str | None = None, active: bool | None = None):
    rows = EmergencyCall.objects.restrict(user).select_related(
        "unit", "hospital", "ambulance", "division"
    )
    if state:
        rows = rows.filter(state=state)
    if active is True:
        rows = rows.filter(state__in=ACTIVE)
    elif active is False:
        rows = rows.exclude(state__in=ACTIVE)
    return rows


def call_get(*, user, pk: int, action: str = access.VIEW) -> EmergencyCall:
    return access.get_or_404(
        EmergencyCall.objects.select_related("unit", "hospital", "ambulance", "division"),
        user,
        action,
        pk=pk,
    )


def call_vitals(*, user, call: EmergencyCall):
    return VitalSigns.objects.restrict(user).filter(call=call).order_by("time", "id")


def incoming_for_hospital(*, user):
    """Runs heading to (or just arrived at) a hospital the user may read: the emergency board."""
    return call_list(user=user).filter(
        state__in=(CallState.TRANSPORTING, CallState.AT_HOSPITAL), hospital__isnull=False
    )


def latest_vitals(*, user, calls) -> dict[int, list[VitalSigns]]:
    """The last vitals of each call (the latest last), at most 30 each."""
    out: dict[int, list[VitalSigns]] = {}
    for call in calls:
        rows = list(call_vitals(user=user, call=call).order_by("-time", "-id")[:30])
        out[call.pk] = rows[::-1]
    return out


def syndromic_list(*, user):
    return SyndromicCount.objects.restrict(user).select_related("division", "unit")


def consultation_list(*, user, state: str | None = None):
    rows = Consultation.objects.restrict(user).select_related("requesting_unit", "consulting_unit")
    return rows.filter(state=state) if state else rows


def consultation_get(*, user, pk: int, action: str = access.VIEW) -> Consultation:
    return access.get_or_404(
        Consultation.objects.select_related("requesting_unit", "consulting_unit"),
        user,
        action,
        pk=pk,
    )


def consultation_turnaround(*, user) -> list[dict]:
    """Hours from request to completion, by urgency: count, median and 90th percentile."""
    done = consultation_list(user=user, state="completed").values_list(
        "urgency", "requested_at", "completed_at"
    )
    by: dict[str, list[float]] = {}
    for urgency, requested, completed in done:
        by.setdefault(urgency, []).append((completed - requested).total_seconds() / 3600)
    out = []
    for urgency, hours in sorted(by.items()):
        hours.sort()
        p90 = hours[min(len(hours) - 1, round(0.9 * (len(hours) - 1)))]
        out.append(
            {
                "urgency": urgency,
                "count": len(hours),
                "median_h": statistics.median(hours),
                "p90_h": p90,
            }
        )
    return out


def _minutes(a, b) -> float | None:
    return (b - a).total_seconds() / 60 if a and b else None


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def response_times(*, user) -> list[dict]:
    """Per county: runs, median minutes call → dispatch, call → on scene, on scene → hospital."""
    rows = call_list(user=user).exclude(dispatched_at=None).select_related("ambulance__division")
    by: dict[str, list] = {}
    for call in rows:
        county = call.division or (call.ambulance.division if call.ambulance_id else None)
        by.setdefault(county.name_zh if county else "—", []).append(call)
    out = []
    for county, calls in sorted(by.items()):
        out.append(
            {
                "county": county,
                "runs": len(calls),
                "dispatch": _median(_minutes(c.received_at, c.dispatched_at) for c in calls),
                "response": _median(_minutes(c.received_at, c.on_scene_at) for c in calls),
                "to_hospital": _median(_minutes(c.on_scene_at, c.at_hospital_at) for c in calls),
            }
        )
    return out


def news2_distribution(*, user, since) -> dict[str, int]:
    """How many vitals updates since `since` fell in each clinical response."""
    counts = dict.fromkeys(("low", "low-medium", "medium", "high"), 0)
    rows = (
        VitalSigns.objects.restrict(user)
        .filter(time__gte=since)
        .values_list("response")
        .annotate(n=Count("id"))
    )
    for response, n in rows:
        counts[response] = n
    return counts


def syndromic_curves(*, user, end, days: int = 28) -> list[dict]:
    """Per county: the daily counts of each syndrome over `days` up to `end`, with EARS alarms."""
    start = end - timedelta(days=days - 1)
    rows = (
        syndromic_list(user=user)
        .filter(day__range=(start, end))
        .values("division__adcode", "division__name_zh", "syndrome", "day")
        .annotate(n=Sum("count"))
    )
    by: dict[tuple, dict] = {}
    for row in rows:
        key = (row["division__adcode"], row["division__name_zh"])
        by.setdefault(key, {}).setdefault(row["syndrome"], {})[row["day"]] = row["n"]
    out = []
    for (adcode, name), syndromes in sorted(by.items()):
        series = {}
        for syndrome, counts in syndromes.items():
            values = [counts.get(start + timedelta(days=i), 0) for i in range(days)]
            flags = ears.ears(values)
            series[syndrome] = {
                "counts": values,
                "alarms": [d.index for d in flags if d.alarm],
            }
        out.append({"adcode": adcode, "name": name, "series": series})
    return out
