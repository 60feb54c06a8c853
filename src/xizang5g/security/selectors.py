"""Reads of the security app, always restricted by the access rule (`core.access`).

Region-wide readers (the plan office, security operators, regulators and viewers) see everything;
a unit editor sees its own unit's systems, their events, detections and findings, and its unit's
incidents. Detection rules and sources' bad lines are the security operators' (region readers).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from xizang5g.core import access
from xizang5g.core.choices import AlertSource
from xizang5g.core.models import Alert
from xizang5g.core.selectors import alert_list
from xizang5g.security.choices import IncidentState
from xizang5g.security.models import (
    BadLine,
    CorrelationRule,
    CryptoAssessment,
    Detection,
    FieldMapping,
    Incident,
    InformationSystem,
    Inspection,
    InspectionFinding,
    LogSource,
    PiFinding,
    SecurityEvent,
    SigmaRule,
)


def system_list(*, user, filters: dict | None = None) -> QuerySet[InformationSystem]:
    qs = (
        InformationSystem.objects.restrict(user)
        .select_related("owner_unit")
        .annotate(
            open_incidents=Count(
                "incidents", filter=~Q(incidents__state=IncidentState.CLOSED), distinct=True
            )
        )
        .order_by("-mlps_level", "code")
    )
    filters = filters or {}
    if filters.get("level"):
        qs = qs.filter(mlps_level=filters["level"])
    if filters.get("filing_status"):
        qs = qs.filter(filing_status=filters["filing_status"])
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(code__icontains=filters["q"]))
    return qs


def event_list(*, user, filters: dict | None = None) -> QuerySet[SecurityEvent]:
    qs = SecurityEvent.objects.restrict(user)
    filters = filters or {}
    for key in ("category", "host", "src_ip", "action", "outcome", "user"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("ids"):
        qs = qs.filter(pk__in=filters["ids"])
    if filters.get("q"):
        qs = qs.filter(message__icontains=filters["q"])
    if filters.get("since"):
        qs = qs.filter(time__gte=filters["since"])
    return qs


def detection_list(*, user, filters: dict | None = None) -> QuerySet[Detection]:
    qs = Detection.objects.restrict(user).select_related("system", "alert")
    filters = filters or {}
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    return qs


def incident_list(*, user, filters: dict | None = None) -> QuerySet[Incident]:
    qs = Incident.objects.restrict(user).select_related("responsible_unit")
    filters = filters or {}
    if filters.get("state") == "open":
        qs = qs.exclude(state=IncidentState.CLOSED)
    elif filters.get("state"):
        qs = qs.filter(state=filters["state"])
    for key in ("level", "category"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    return qs


def incident_get(*, user, pk: int, action: str = access.VIEW) -> Incident:
    return access.get_or_404(
        Incident.objects.select_related("responsible_unit"), user, action, pk=pk
    )


def system_get(*, user, pk: int, action: str = access.VIEW) -> InformationSystem:
    return access.get_or_404(
        InformationSystem.objects.select_related("owner_unit"), user, action, pk=pk
    )


def security_alert_list(*, user) -> QuerySet[Alert]:
    return alert_list(user=user, filters={"source": AlertSource.SECURITY})


def security_alert_get(*, user, pk: int) -> Alert:
    return access.get_or_404(security_alert_list(user=user), user, pk=pk)


def sigma_rule_list(*, user) -> QuerySet[SigmaRule]:
    return SigmaRule.objects.restrict(user)


def correlation_rule_list(*, user) -> QuerySet[CorrelationRule]:
    return CorrelationRule.objects.restrict(user)


def field_mapping_list(*, user) -> QuerySet[FieldMapping]:
    return FieldMapping.objects.restrict(user)


def log_source_list(*, user) -> QuerySet[LogSource]:
    return LogSource.objects.restrict(user).select_related("system")


def bad_line_list(*, user) -> QuerySet[BadLine]:
    return BadLine.objects.restrict(user).select_related("source")


def inspection_list(*, user) -> QuerySet[Inspection]:
    qs = (
        Inspection.objects.restrict(user)
        .select_related("system", "inspector_unit")
        .annotate(open_findings=Count("findings", filter=Q(findings__state="open")))
        .order_by("-scheduled_for", "-id")
    )
    return qs


def finding_overdue_list(*, user) -> QuerySet[InspectionFinding]:
    return InspectionFinding.objects.restrict(user).filter(
        state="open", rectification_due__lt=timezone.localdate()
    )


def crypto_assessment_list(*, user) -> QuerySet[CryptoAssessment]:
    return CryptoAssessment.objects.restrict(user).select_related("system")


def pi_finding_list(*, user) -> QuerySet[PiFinding]:
    return PiFinding.objects.restrict(user).select_related("system")


def dashboard(*, user, hours: int = 24) -> dict:
    """Figures of the situational dashboard (态势) over the last `hours`."""
    now = timezone.now()
    since = now - timedelta(hours=hours)
    events = event_list(user=user, filters={"since": since})
    alerts = security_alert_list(user=user).filter(last_seen__gte=since)
    detections = detection_list(user=user).filter(time__gte=since)
    incidents_open = incident_list(user=user, filters={"state": "open"})
    systems = system_list(user=user)

    def series(qs, field):
        rows = qs.annotate(h=TruncHour(field)).values("h").annotate(n=Count("id")).order_by("h")
        return {row["h"]: row["n"] for row in rows}

    event_hours = series(events, "time")
    alert_hours = series(alerts, "first_seen")
    buckets = [
        (now - timedelta(hours=hours - 1 - i)).replace(minute=0, second=0, microsecond=0)
        for i in range(hours)
    ]
    local = timezone.localtime
    timeline = {
        "labels": [local(b).strftime("%m-%d %H:00") for b in buckets],
        "events": [event_hours.get(b, 0) for b in buckets],
        "alerts": [alert_hours.get(b, 0) for b in buckets],
    }
    ages = []
    for incident in incidents_open:
        ages.append(
            {
                "code": incident.code,
                "level": incident.level,
                "age_h": round((now - incident.opened_at).total_seconds() / 3600, 1),
                "overdue": incident.deadline < now,
            }
        )
    return {
        "since": since,
        "kpi": {
            "events": events.count(),
            "alerts_open": security_alert_list(user=user).exclude(state="resolved").count(),
            "incidents_open": incidents_open.count(),
            "incidents_overdue": incidents_open.filter(deadline__lt=now).count(),
            "systems": systems.count(),
            "bad_lines": bad_line_list(user=user).filter(received_at__gte=since).count(),
            "pi_findings": pi_finding_list(user=user).filter(time__gte=since).count(),
        },
        "timeline": timeline,
        "by_category": list(events.values("category").annotate(n=Count("id")).order_by("-n")),
        "by_src_ip": list(
            events.exclude(src_ip="").values("src_ip").annotate(n=Count("id")).order_by("-n")[:10]
        ),
        "by_system": list(
            detections.exclude(system=None)
            .values("system__name")
            .annotate(n=Count("id"))
            .order_by("-n")[:10]
        ),
        "by_unit": list(
            alerts.exclude(unit=None)
            .values("unit__name")
            .annotate(n=Count("id"))
            .order_by("-n")[:10]
        ),
        "alerts_by_severity": list(
            alerts.values("severity").annotate(n=Count("id")).order_by("-n")
        ),
        "top_rules": list(
            detections.values("rule_title", "kind").annotate(n=Count("id")).order_by("-n")[:10]
        ),
        "incidents_by_level": list(
            incidents_open.values("level").annotate(n=Count("id")).order_by("level")
        ),
        "incident_ages": sorted(ages, key=lambda a: -a["age_h"])[:10],
        "systems_by_level": list(
            systems.order_by()
            .values("mlps_level")
            .annotate(n=Count("id", distinct=True))
            .order_by("mlps_level")
        ),
        "systems_by_filing": list(
            systems.order_by()
            .values("filing_status")
            .annotate(n=Count("id", distinct=True))
            .order_by("filing_status")
        ),
    }
