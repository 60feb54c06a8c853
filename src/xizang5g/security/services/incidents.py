"""Incidents (GB/T 20986 categories and levels): creation, state transitions and the timeline."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.models import Alert, Unit
from xizang5g.core.sequences import sequence_next
from xizang5g.core.services import alert_resolve
from xizang5g.security.choices import (
    ClosingReason,
    DetectionKind,
    IncidentCategory,
    IncidentLevel,
    IncidentState,
    TimelineKind,
)
from xizang5g.security.constants import INCIDENT_DEADLINES, INCIDENT_TRANSITIONS
from xizang5g.security.models import Detection, Incident, IncidentAction
from xizang5g.security.services.permissions import require_operator

INCIDENT_SEQUENCE = "security.incident"


def _next_incident_code(now: datetime) -> str:
    """INC-<year>-NNNN from the year's shared counter (called inside the saving transaction)."""
    return f"INC-{now:%Y}-{sequence_next(INCIDENT_SEQUENCE, year=now.year):04d}"


def incident_create(
    *,
    title: str,
    category: str,
    level: str,
    responsible_unit: Unit,
    user,
    description: str = "",
    alerts=(),
    systems=(),
    opened_at: datetime | None = None,
    is_demo: bool = False,
) -> Incident:
    require_operator(user)
    now = opened_at or timezone.now()
    if level not in IncidentLevel.values:
        raise ValidationError({"level": _("Unknown incident level %(l)s.") % {"l": level}})
    with acting_as(user), transaction.atomic():
        incident = Incident(
            code=_next_incident_code(now),
            title=title,
            description=description,
            category=category,
            level=level,
            responsible_unit=responsible_unit,
            opened_at=now,
            deadline=now + INCIDENT_DEADLINES[IncidentLevel(level)],
            is_demo=is_demo,
        )
        incident.full_clean()
        incident.save()
        if alerts:
            incident.alerts.set(alerts)
        if systems:
            incident.systems.set(systems)
        IncidentAction.objects.create(
            incident=incident,
            time=now,
            user=user if getattr(user, "pk", None) else None,
            kind=TimelineKind.CREATED,
            to_state=IncidentState.NEW,
            note=_("Created from %(n)s alert(s).") % {"n": len(alerts)}
            if alerts
            else _("Created by hand."),
        )
    return incident


def incident_create_from_alert(
    *,
    alert: Alert,
    user,
    level: str = IncidentLevel.GENERAL,
    category: str | None = None,
    responsible_unit: Unit | None = None,
) -> Incident:
    require_operator(user)
    existing = alert.security_incidents.exclude(state=IncidentState.CLOSED).first()
    if existing is not None:
        raise ValidationError(
            _("Alert %(a)s is already handled in incident %(c)s.")
            % {"a": alert.pk, "c": existing.code}
        )
    unit = responsible_unit or alert.unit or getattr(user, "unit", None)
    if unit is None:
        raise ValidationError({"responsible_unit": _("Choose the responsible unit.")})
    detection = Detection.objects.filter(alert=alert).order_by("-time").first()
    kind = (alert.details or {}).get("kind")
    category = category or (
        IncidentCategory.INFO_DESTRUCTION
        if kind == DetectionKind.PI_LEAK
        else IncidentCategory.ATTACK
    )
    systems = [detection.system] if detection and detection.system_id else []
    return incident_create(
        title=alert.title,
        category=category,
        level=level,
        responsible_unit=unit,
        user=user,
        description=alert.message,
        alerts=[alert],
        systems=systems,
    )


def incident_can_act(user, incident: Incident) -> bool:
    """Security operators and the plan office, or an editor of the responsible unit."""
    return access.can(user, access.CHANGE, incident)


def incident_transition(
    *,
    incident: Incident,
    to_state: str,
    user,
    note: str = "",
    closing_reason: str = "",
) -> Incident:
    if not incident_can_act(user, incident):
        raise PermissionDenied(
            _("Only security operators or the responsible unit may handle this incident.")
        )
    allowed = INCIDENT_TRANSITIONS[IncidentState(incident.state)]
    if to_state not in allowed:
        raise ValidationError(
            {
                "state": _("An incident cannot go from %(a)s to %(b)s.")
                % {"a": incident.get_state_display(), "b": to_state}
            }
        )
    if to_state == IncidentState.CLOSED and not access.can(user, access.APPROVE, incident):
        raise PermissionDenied(_("Security operators close incidents."))
    if to_state == IncidentState.CLOSED:
        if closing_reason not in ClosingReason.values:
            raise ValidationError(
                {
                    "closing_reason": _(
                        "Closing needs a reason (true positive, false positive, duplicate …)."
                    )
                }
            )
        incident.closing_reason = closing_reason
        incident.closed_at = timezone.now()
    previous = incident.state
    incident.state = to_state
    incident.full_clean()
    with acting_as(user), transaction.atomic():
        incident.save()
        IncidentAction.objects.create(
            incident=incident,
            time=timezone.now(),
            user=user,
            kind=TimelineKind.TRANSITION,
            from_state=previous,
            to_state=to_state,
            note=note,
        )
        if to_state == IncidentState.CLOSED:
            for alert in incident.alerts.all():
                alert_resolve(
                    alert=alert, user=None, note=_("Incident %(c)s closed.") % {"c": incident.code}
                )
    return incident


def incident_note_add(*, incident: Incident, user, note: str) -> IncidentAction:
    if not incident_can_act(user, incident):
        raise PermissionDenied(
            _("Only security operators or the responsible unit may handle this incident.")
        )
    if not note.strip():
        raise ValidationError({"note": _("Write a note.")})
    return IncidentAction.objects.create(
        incident=incident, time=timezone.now(), user=user, kind=TimelineKind.NOTE, note=note.strip()
    )
