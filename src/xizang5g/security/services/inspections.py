"""Inspections with their findings and rectification, and crypto (密评) assessments."""

from __future__ import annotations

from datetime import date

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.models import Unit
from xizang5g.security.choices import FindingState, InspectionState
from xizang5g.security.models import (
    CryptoAssessment,
    InformationSystem,
    Inspection,
    InspectionFinding,
)
from xizang5g.security.services.permissions import require_operator


def inspection_create(
    *,
    system: InformationSystem,
    title: str,
    scheduled_for: date,
    user,
    inspector_unit: Unit | None = None,
) -> Inspection:
    require_operator(user)
    inspection = Inspection(
        system=system, title=title, scheduled_for=scheduled_for, inspector_unit=inspector_unit
    )
    inspection.full_clean()
    with acting_as(user):
        inspection.save()
    return inspection


def inspection_complete(
    *, inspection: Inspection, user, done_on: date, summary: str = ""
) -> Inspection:
    require_operator(user)
    inspection.state = InspectionState.DONE
    inspection.done_on = done_on
    inspection.summary = summary
    inspection.full_clean()
    with acting_as(user):
        inspection.save()
    return inspection


def finding_create(
    *,
    inspection: Inspection,
    title: str,
    severity: str,
    rectification_due: date,
    user,
) -> InspectionFinding:
    require_operator(user)
    finding = InspectionFinding(
        inspection=inspection, title=title, severity=severity, rectification_due=rectification_due
    )
    finding.full_clean()
    with acting_as(user):
        finding.save()
    return finding


def finding_rectify(*, finding: InspectionFinding, user, rectified_on: date) -> InspectionFinding:
    access.require(user, access.CHANGE, finding)
    finding.state = FindingState.RECTIFIED
    finding.rectified_on = rectified_on
    finding.full_clean()
    with acting_as(user):
        finding.save()
    return finding


def crypto_assessment_create(*, system: InformationSystem, user, **values) -> CryptoAssessment:
    require_operator(user)
    assessment = CryptoAssessment(system=system, **values)
    assessment.full_clean()
    with acting_as(user):
        assessment.save()
    return assessment
