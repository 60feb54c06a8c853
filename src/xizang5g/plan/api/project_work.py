"""A project's milestones, monthly reports and KPIs."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from xizang5g.core import access, limits
from xizang5g.core.api_style import (
    ApiPagination,
    paginate,
    responses,
)
from xizang5g.plan import selectors, services
from xizang5g.plan.api.common import (
    WRITE_AUTH,
    _editable_child,
    _editable_project,
    _kpi_out,
    _milestone_out,
    _report_out,
    _user,
    router,
)
from xizang5g.plan.api.schemas import (
    PlanKpiIn,
    PlanKpiOut,
    PlanKpiPage,
    PlanKpiPatch,
    PlanMilestoneAcceptIn,
    PlanMilestoneCompleteIn,
    PlanMilestoneIn,
    PlanMilestoneOut,
    PlanMilestonePage,
    PlanReportIn,
    PlanReportOut,
    PlanReportPage,
    PlanReportSubmitIn,
)
from xizang5g.plan.models import (
    Kpi,
    Milestone,
    ProgressReport,
)


# ==== milestones =================================================================================
@router.get(
    "/projects/{id:project_id}/milestones",
    response=responses({200: PlanMilestonePage}),
    summary="Milestones",
)
def milestone_list(request, project_id: limits.DbId, page: Query[ApiPagination]):
    project = selectors.project_get(user=_user(request), pk=project_id)
    today = timezone.localdate()
    milestones = project.milestones.select_related("project", "accepted_by").order_by(
        "due_date", "pk"
    )
    return paginate(milestones, page, lambda m: _milestone_out(m, today))


@router.post(
    "/projects/{id:project_id}/milestones",
    auth=WRITE_AUTH,
    response=responses({201: PlanMilestoneOut}),
    summary="Plan a milestone",
)
def milestone_create(request, project_id: limits.DbId, payload: PlanMilestoneIn):
    user = _user(request)
    project = _editable_project(user, project_id)
    milestone = services.milestone_create(project=project, user=user, **payload.dict())
    return Status(201, _milestone_out(milestone, timezone.localdate()))


@router.post(
    "/milestones/{id:milestone_id}/complete",
    auth=WRITE_AUTH,
    response=responses({200: PlanMilestoneOut}),
    summary="Mark a milestone completed",
)
def milestone_complete(request, milestone_id: limits.DbId, payload: PlanMilestoneCompleteIn):
    user = _user(request)
    milestone = _editable_child(Milestone, user, milestone_id)
    services.milestone_complete(milestone=milestone, user=user, completed_on=payload.completed_on)
    return Status(200, _milestone_out(milestone, timezone.localdate()))


@router.post(
    "/milestones/{id:milestone_id}/accept",
    auth=WRITE_AUTH,
    response=responses({200: PlanMilestoneOut}),
    summary="Accept a completed milestone",
)
def milestone_accept(request, milestone_id: limits.DbId, payload: PlanMilestoneAcceptIn):
    user = _user(request)
    milestone = access.get_or_404(
        Milestone.objects.select_related("project"), user, access.VIEW, pk=milestone_id
    )
    services.milestone_accept(milestone=milestone, user=user, accepted_on=payload.accepted_on)
    return Status(200, _milestone_out(milestone, timezone.localdate()))


# ==== monthly reports ============================================================================
@router.get(
    "/projects/{id:project_id}/reports",
    response=responses({200: PlanReportPage}),
    summary="Monthly progress reports",
)
def report_list(request, project_id: limits.DbId, page: Query[ApiPagination]):
    project = selectors.project_get(user=_user(request), pk=project_id)
    reports = project.reports.select_related("project", "submitted_by").prefetch_related(
        "attachments"
    )
    return paginate(reports, page, _report_out)


@router.post(
    "/projects/{id:project_id}/reports",
    auth=WRITE_AUTH,
    response=responses({200: PlanReportOut}),
    summary="Create or update the report of a month (optionally submit it)",
)
def report_save(request, project_id: limits.DbId, payload: PlanReportIn):
    user = _user(request)
    project = _editable_project(user, project_id)
    report = services.report_save(project=project, user=user, **payload.dict())
    return Status(200, _report_out(report))


@router.post(
    "/reports/{id:report_id}/submit",
    auth=WRITE_AUTH,
    response=responses({200: PlanReportOut}),
    summary="Submit a draft report (it becomes read-only)",
)
def report_submit(request, report_id: limits.DbId, payload: PlanReportSubmitIn):
    user = _user(request)
    report = _editable_child(ProgressReport, user, report_id)
    report = services.report_save(
        project=report.project,
        user=user,
        period=report.period,
        summary=report.summary,
        problems=report.problems,
        next_steps=report.next_steps,
        submit=True,
        submitted_on=payload.submitted_on,
    )
    return Status(200, _report_out(report))


# ==== KPIs =======================================================================================
@router.get(
    "/projects/{id:project_id}/kpis",
    response=responses({200: PlanKpiPage}),
    summary="KPIs of a project",
)
def kpi_list(request, project_id: limits.DbId, page: Query[ApiPagination]):
    project = selectors.project_get(user=_user(request), pk=project_id)
    return paginate(project.kpis.select_related("project"), page, _kpi_out)


@router.post(
    "/projects/{id:project_id}/kpis",
    auth=WRITE_AUTH,
    response=responses({201: PlanKpiOut}),
    summary="Add a KPI",
)
def kpi_create(request, project_id: limits.DbId, payload: PlanKpiIn):
    user = _user(request)
    project = _editable_project(user, project_id)
    return Status(201, _kpi_out(services.kpi_save(project=project, user=user, **payload.dict())))


@router.patch(
    "/kpis/{id:kpi_id}",
    auth=WRITE_AUTH,
    response=responses({200: PlanKpiOut}),
    summary="Change a KPI (e.g. record its actual value)",
)
def kpi_update(request, kpi_id: limits.DbId, payload: PlanKpiPatch):
    user = _user(request)
    kpi = _editable_child(Kpi, user, kpi_id)
    values = payload.dict(exclude_unset=True)
    for required in ("name", "target", "higher_is_better"):
        if required in values and values[required] is None:
            raise ValidationError({required: _("This field cannot be empty.")})
    return Status(
        200, _kpi_out(services.kpi_save(project=kpi.project, user=user, kpi=kpi, **values))
    )
