"""Writes of plan supervision: projects and their lifecycle, milestones, reports, KPIs."""

import hashlib
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.files import safe_filename
from xizang5g.core.sequences import sequence_next
from xizang5g.core.services import apply_changes, save_validated
from xizang5g.plan.choices import MilestoneStatus, ProjectState, ReportStatus
from xizang5g.plan.constants import (
    ALLOWED_TRANSITIONS,
    APPROVAL_STATES,
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
)
from xizang5g.plan.loader import plan_load  # noqa: F401  (re-exported: the plan's write entry point)
from xizang5g.plan.models import (
    Kpi,
    Milestone,
    ProgressReport,
    Project,
    ProjectTransition,
    ReportAttachment,
)

PROJECT_FIELDS = (
    "name",
    "summary",
    "plan",
    "industry",
    "lead_unit",
    "operator",
    "prefecture",
    "county",
    "lon",
    "lat",
    "budget_wan",
    "start_date",
    "end_date",
    "declared_on",
    "is_demo",
)
PROJECT_M2M = ("scenarios", "tasks", "work_points", "participating_units")


def _check_project_edit(user, project: Project) -> None:
    """Changes by the lead unit or the plan office (404 for a project the user cannot see)."""
    if user is None:
        return  # system jobs and loaders
    access.require(user, access.CHANGE, project)


def _check_lead_unit(user, lead_unit) -> None:
    """Registering for (or handing a project to) a unit: the plan office, or that unit's editor."""
    if user is not None and not access.can_create(user, Project, lead_unit=lead_unit):
        raise PermissionDenied(_("You may only register projects of your own unit."))


PROJECT_SEQUENCE = "plan.project"
CODE_ATTEMPTS = 3


def _next_code(declared_on: date) -> str:
    """P<year>-NNN from the declaration year's shared counter (called inside the saving
    transaction), passing over a code someone gave explicitly in that form."""
    year = declared_on.year
    while True:
        candidate = f"P{year}-{sequence_next(PROJECT_SEQUENCE, year=year):03d}"
        if not Project.objects.filter(code=candidate).exists():
            return candidate


def _validate_geography(project: Project) -> None:
    errors = {}
    if project.county_id and project.county.parent_id != project.prefecture_id:
        errors["county"] = _("The county is not in the chosen prefecture.")
    if (project.lon is None) != (project.lat is None):
        errors["lon"] = _("Give both longitude and latitude, or neither.")
    if project.lon is not None and not (
        78.0 <= project.lon <= 99.5 and 26.5 <= project.lat <= 36.6
    ):
        errors["lon"] = _("The coordinates are outside Xizang (78–99.5°E, 26.5–36.6°N).")
    if project.start_date and project.end_date and project.end_date < project.start_date:
        errors["end_date"] = _("The planned end date is before the start date.")
    if errors:
        raise ValidationError(errors)


def project_create(*, user, code: str = "", m2m: dict | None = None, **values) -> Project:
    """Register a pilot project (state 申报). A unit editor may only register for its own unit."""
    declared_on = values.get("declared_on") or timezone.localdate()
    values["declared_on"] = declared_on
    if declared_on > timezone.localdate():
        raise ValidationError({"declared_on": _("The declaration date cannot be in the future.")})
    project = Project(**values, code=code, state=ProjectState.DECLARED, state_since=declared_on)
    _check_lead_unit(user, project.lead_unit_id)
    project.full_clean(exclude=["code"] if not code else None)
    _validate_geography(project)
    for attempt in range(CODE_ATTEMPTS):
        try:
            with acting_as(user), transaction.atomic():
                if not code:
                    project.code = _next_code(declared_on)
                project.save()
                _set_m2m(project, m2m or {})
                ProjectTransition.objects.create(
                    project=project,
                    from_state="",
                    to_state=ProjectState.DECLARED,
                    effective_on=declared_on,
                    user=user,
                )
            return project
        except IntegrityError:
            # A code given explicitly in the generated form was stored while this one was being
            # generated (the counter rolled back with this attempt): the next attempt passes it.
            if code or attempt == CODE_ATTEMPTS - 1:
                raise
            project.pk = None
            project._state.adding = True
    return project


def project_update(*, project: Project, user, m2m: dict | None = None, **values) -> Project:
    _check_project_edit(user, project)
    if "lead_unit" in values:
        if values["lead_unit"] is None:
            raise ValidationError({"lead_unit": _("A project needs a lead unit.")})
        _check_lead_unit(user, values["lead_unit"])
    if values.get("declared_on", project.declared_on) != project.declared_on:
        raise ValidationError(
            {
                "declared_on": _(
                    "The declaration date starts the lifecycle history; it cannot change."
                )
            }
        )
    for name, value in values.items():
        if name not in PROJECT_FIELDS:
            raise ValueError(f"project field {name!r} cannot be changed here")
        setattr(project, name, value)
    with acting_as(user), transaction.atomic():
        project.full_clean()
        _validate_geography(project)
        project.save()
        _set_m2m(project, m2m or {})
    return project


def _set_m2m(project: Project, m2m: dict) -> None:
    for name, targets in m2m.items():
        if name not in PROJECT_M2M:
            raise ValueError(f"project relation {name!r} cannot be changed here")
        getattr(project, name).set(targets)


def project_delete(*, project: Project, user) -> None:
    _check_project_edit(user, project)
    if project.state != ProjectState.DECLARED:
        raise ValidationError(
            _("Only a project still at 'Declared' can be deleted; terminate it instead.")
        )
    with acting_as(user):
        project.delete()


# --- lifecycle ---------------------------------------------------------------------------------
def transition_blockers(project: Project, to_state: str) -> list[str]:
    """Why `project` cannot move to `to_state` now (empty when it can)."""
    if to_state not in ALLOWED_TRANSITIONS.get(project.state, set()):
        return [
            _("A project at '%(from)s' cannot move to '%(to)s'.")
            % {"from": ProjectState(project.state).label, "to": ProjectState(to_state).label}
        ]
    blockers = []
    milestones = list(project.milestones.all())
    if to_state == ProjectState.APPROVED and not project.scenarios.exists():
        blockers.append(_("Name at least one application scenario before approval."))
    if to_state == ProjectState.APPROVED and project.start_date is None:
        blockers.append(_("Set the start date before approval."))
    if to_state == ProjectState.BUILDING and not milestones:
        blockers.append(_("Plan at least one milestone before construction starts."))
    if (
        to_state == ProjectState.TRIAL
        and not project.reports.filter(status=ReportStatus.SUBMITTED).exists()
    ):
        blockers.append(_("File at least one progress report before trial operation."))
    if to_state == ProjectState.ACCEPTED:
        if not milestones:
            blockers.append(_("Acceptance needs a milestone set."))
        pending = [m.title for m in milestones if m.status != MilestoneStatus.ACCEPTED]
        if pending:
            blockers.append(
                _("Every milestone must be accepted first; not yet accepted: %(list)s")
                % {"list": "、".join(pending)}
            )
    if to_state == ProjectState.CASE:
        kpis = list(project.kpis.all())
        if not kpis:
            blockers.append(_("A typical case needs at least one KPI."))
        missing = [k.name for k in kpis if k.actual is None]
        if missing:
            blockers.append(
                _("Record the actual value of every KPI first; missing: %(list)s")
                % {"list": "、".join(missing)}
            )
    return blockers


def project_transition(
    *, project: Project, to_state: str, user, effective_on: date | None = None, note: str = ""
) -> Project:
    """Move a project one step along its lifecycle, after checking the rules of that step.
    Approval (立项), acceptance (验收) and promotion to a typical case are the plan office's."""
    _check_project_edit(user, project)
    if to_state in APPROVAL_STATES and user is not None:
        access.require(user, access.APPROVE, project)
    effective_on = effective_on or timezone.localdate()
    if to_state not in ProjectState.values:
        raise ValidationError({"to_state": _("Unknown state %(s)s") % {"s": to_state}})
    blockers = transition_blockers(project, to_state)
    if to_state == ProjectState.TERMINATED and not note.strip():
        blockers.append(_("Give the reason for terminating the project."))
    if effective_on > timezone.localdate():
        blockers.append(_("The effective date cannot be in the future."))
    if effective_on < project.state_since:
        blockers.append(
            _("The effective date is before the current state began (%(d)s).")
            % {"d": project.state_since.isoformat()}
        )
    if blockers:
        raise ValidationError({"to_state": blockers})
    with acting_as(user), transaction.atomic():
        ProjectTransition.objects.create(
            project=project,
            from_state=project.state,
            to_state=to_state,
            effective_on=effective_on,
            user=user,
            note=note,
        )
        project.state = to_state
        project.state_since = effective_on
        if to_state == ProjectState.TERMINATED:
            project.termination_reason = note
        project.save()
    return project


# --- milestones --------------------------------------------------------------------------------
def milestone_create(
    *, project: Project, user, title: str, due_date: date, note: str = ""
) -> Milestone:
    _check_project_edit(user, project)
    milestone = Milestone(project=project, title=title, due_date=due_date, note=note)
    return save_validated(milestone, user=user)


def milestone_update(*, milestone: Milestone, user, **values) -> Milestone:
    _check_project_edit(user, milestone.project)
    if milestone.status == MilestoneStatus.ACCEPTED and set(values) & {"due_date", "title"}:
        raise ValidationError(_("An accepted milestone cannot be changed."))
    apply_changes(milestone, values, ("title", "due_date", "note"))
    return save_validated(milestone, user=user)


def milestone_complete(
    *, milestone: Milestone, user, completed_on: date | None = None
) -> Milestone:
    _check_project_edit(user, milestone.project)
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    milestone.completed_on = completed_on
    if milestone.status == MilestoneStatus.PENDING:
        milestone.status = MilestoneStatus.COMPLETED
    with acting_as(user):
        milestone.save()
    return milestone


def milestone_accept(*, milestone: Milestone, user, accepted_on: date | None = None) -> Milestone:
    """Acceptance (验收) of a completed milestone: the plan office's step."""
    if user is not None:
        access.require(user, access.APPROVE, milestone.project)
    if milestone.completed_on is None:
        raise ValidationError(_("Only a completed milestone can be accepted."))
    accepted_on = accepted_on or timezone.localdate()
    if accepted_on < milestone.completed_on:
        raise ValidationError({"accepted_on": _("Acceptance cannot precede completion.")})
    milestone.status = MilestoneStatus.ACCEPTED
    milestone.accepted_on = accepted_on
    milestone.accepted_by = user
    with acting_as(user):
        milestone.save()
    return milestone


def milestone_delete(*, milestone: Milestone, user) -> None:
    _check_project_edit(user, milestone.project)
    if milestone.status == MilestoneStatus.ACCEPTED:
        raise ValidationError(_("An accepted milestone cannot be deleted."))
    with acting_as(user):
        milestone.delete()


# --- monthly progress reports ------------------------------------------------------------------
def report_save(
    *,
    project: Project,
    user,
    period: date,
    summary: str,
    problems: str = "",
    next_steps: str = "",
    submit: bool = False,
    submitted_on: date | None = None,
) -> ProgressReport:
    """Create or update the report of a month; `submit` files it (then it is read-only)."""
    _check_project_edit(user, project)
    period = period.replace(day=1)
    if period > timezone.localdate().replace(day=1):
        raise ValidationError({"period": _("A report cannot cover a future month.")})
    report = ProgressReport.objects.filter(project=project, period=period).first()
    if report is not None and report.status == ReportStatus.SUBMITTED:
        raise ValidationError(
            _("The report of %(m)s was already submitted.") % {"m": f"{period:%Y-%m}"}
        )
    report = report or ProgressReport(project=project, period=period)
    report.summary, report.problems, report.next_steps = summary, problems, next_steps
    if submit:
        report.status = ReportStatus.SUBMITTED
        report.submitted_on = submitted_on or timezone.localdate()
        report.submitted_by = user
    report.full_clean()
    with acting_as(user):
        report.save()
    return report


def attachment_add(
    *, report: ProgressReport, user, upload, description: str = ""
) -> ReportAttachment:
    """Attach an evidence file (checked for type and size; its SHA-256 is kept)."""
    _check_project_edit(user, report.project)
    name = Path(upload.name).name
    if Path(name).suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("File type not allowed: %(name)s. Allowed: %(ext)s")
                % {"name": name, "ext": ", ".join(sorted(ATTACHMENT_EXTENSIONS))}
            }
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = ReportAttachment(
        report=report,
        filename=safe_filename(name),
        description=description,
        size_bytes=upload.size,
        sha256=digest.hexdigest(),
    )
    attachment.file.save(name, upload, save=False)
    with acting_as(user):
        attachment.save()
    return attachment


# --- KPIs --------------------------------------------------------------------------------------
def kpi_save(*, project: Project, user, kpi: Kpi | None = None, **values) -> Kpi:
    _check_project_edit(user, project)
    kpi = kpi or Kpi(project=project)
    if kpi.project_id != project.pk:
        raise PermissionDenied
    apply_changes(kpi, values, ("name", "measure_unit", "target", "actual", "higher_is_better"))
    return save_validated(kpi, user=user)
