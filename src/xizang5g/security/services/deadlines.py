"""Deadlines: overdue incidents, unrectified findings and overdue crypto assessments raise alerts."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_noop

from xizang5g.core.choices import AlertSource
from xizang5g.core.services import alert_raise
from xizang5g.core.texts import Text, label
from xizang5g.security.choices import FindingState, IncidentState
from xizang5g.security.models import CryptoAssessment, Incident, InspectionFinding

_LEVEL_SEVERITY = {"I": "critical", "II": "critical", "III": "major", "IV": "minor"}
_FINDING_SEVERITY = {"high": "major", "medium": "minor", "low": "info"}


def deadlines_check(*, now: datetime | None = None) -> int:
    """Raise alerts for open incidents past their deadline, open inspection findings past their
    rectification date and crypto assessments overdue; returns how many alerts were raised anew."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    raised = 0
    for incident in (
        Incident.objects.exclude(state=IncidentState.CLOSED)
        .filter(deadline__lt=now)
        .select_related("responsible_unit")
    ):
        _alert, created = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"security:incident-overdue:{incident.pk}",
            title=Text(gettext_noop("Incident %(c)s is past its deadline"), c=incident.code),
            severity=_LEVEL_SEVERITY.get(incident.level, "major"),
            rule="deadline:incident",
            message=Text(
                gettext_noop("Deadline %(d)s, state %(s)s."),
                d=timezone.localtime(incident.deadline).strftime("%Y-%m-%d %H:%M"),
                s=label(IncidentState(incident.state)),
            ),
            unit=incident.responsible_unit,
            obj=incident,
            at=now,
        )
        raised += created
    for finding in InspectionFinding.objects.filter(
        state=FindingState.OPEN, rectification_due__lt=today
    ).select_related("inspection__system__owner_unit"):
        system = finding.inspection.system
        _alert, created = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"security:finding-overdue:{finding.pk}",
            title=Text(gettext_noop("Finding not rectified in time: %(t)s"), t=finding.title),
            severity=_FINDING_SEVERITY.get(finding.severity, "minor"),
            rule="deadline:finding",
            message=Text(
                gettext_noop("%(s)s, due %(d)s."),
                s=system.name,
                d=finding.rectification_due.isoformat(),
            ),
            unit=system.owner_unit,
            obj=finding,
            at=now,
        )
        raised += created
    for assessment in CryptoAssessment.objects.filter(next_due__lt=today).select_related(
        "system__owner_unit"
    ):
        if CryptoAssessment.objects.filter(
            system=assessment.system, assessed_on__gt=assessment.assessed_on
        ).exists():
            continue  # a later assessment exists
        _alert, created = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"security:crypto-overdue:{assessment.system_id}",
            title=Text(gettext_noop("Crypto assessment overdue: %(s)s"), s=assessment.system.name),
            severity="minor",
            rule="deadline:crypto_assessment",
            message=Text(
                gettext_noop("Next assessment was due %(d)s."), d=assessment.next_due.isoformat()
            ),
            unit=assessment.system.owner_unit,
            obj=assessment.system,
            at=now,
        )
        raised += created
    return raised
