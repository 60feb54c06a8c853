"""Plan supervision pages. Thin: reads via selectors/progress, writes via services."""

import json
from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from xizang5g.core import access, registry, summaries, uploads
from xizang5g.core.files import download
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.network.selectors import new_consumption_indicators
from xizang5g.plan import progress, selectors, services, summary
from xizang5g.plan.choices import MilestoneStatus, ProjectState
from xizang5g.plan.constants import (
    ALLOWED_TRANSITIONS,
    APPROVAL_STATES,
    LIFECYCLE,
)
from xizang5g.plan.forms import (
    DateForm,
    KpiForm,
    MilestoneForm,
    ProjectForm,
    ReportForm,
    TransitionForm,
    style,
)
from xizang5g.plan.models import Industry, Milestone, Project, Task, WorkPoint


def _as_of(request) -> date:
    raw = request.GET.get("as_of", "")
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            messages.warning(request, _("Invalid date %(d)s; showing today.") % {"d": raw})
    return timezone.localdate()


def with_plan(view):
    """Give the view the current plan, or show how to load one when none is loaded yet."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        plan = selectors.current_plan()
        if plan is None:
            return render(request, "plan/no_plan.html")
        return view(request, plan, *args, **kwargs)

    return wrapper


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- dashboard -----------------------------------------------------------------------------
@login_required
@with_plan
def dashboard(request, plan):
    as_of = _as_of(request)
    body = summaries.section(
        request,
        "plan/_dashboard_body.html",
        lambda: _dashboard_context(request, plan, as_of),
        vary=(plan.pk, as_of),
    )
    return render(request, "plan/dashboard.html", {"plan": plan, "as_of": as_of, "body": body})


def _dashboard_context(request, plan, as_of: date) -> dict:
    visible = selectors.project_ids(user=request.user)
    figures = summaries.cached(
        "plan.dashboard",
        (plan.pk, as_of, summaries.digest(visible)),
        lambda: summary.dashboard_summary(plan, as_of, visible),
    )
    return {
        **figures,
        "plan": plan,
        "as_of": as_of,
        "region_scope": selectors.project_scope_is_region(user=request.user),
        "tiles": registry.tiles_for(request),
        "consumption": _new_consumption(as_of),
        "status_labels": progress.ITEM_STATUS_LABELS,
    }


def _new_consumption(as_of: date) -> dict:
    """Task 1 (培育新型消费模式) indicators from the operators' monthly reports (5G supervision)."""
    return new_consumption_indicators(as_of=as_of)


@gzip_page
def map_geojson(request):
    """Prefecture outlines (WGS84) for the ECharts maps; public reference data, cached a day."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": d.name_zh, "adcode": d.adcode},
            "geometry": d.shape.geometry,
        }
        for d in AdminDivision.objects.filter(
            level=request.GET.get("level", "prefecture")
        ).select_related("shape")
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- projects ------------------------------------------------------------------------------
def _list_filters(request) -> dict:
    keys = (
        "state",
        "industry",
        "prefecture",
        "lead_unit",
        "operator",
        "task",
        "work_point",
        "scenario",
        "q",
    )
    return {
        key: request.GET.get(key, "").strip() for key in keys if request.GET.get(key, "").strip()
    }


@login_required
@with_plan
def project_list(request, plan):
    filters = _list_filters(request)
    qs = selectors.project_list(user=request.user, filters=filters).order_by("-declared_on", "code")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "page": page,
        "filters": filters,
        "query": request.GET.urlencode(),
        "states": ProjectState.choices,
        "industries": Industry.objects.all(),
        "prefectures": AdminDivision.objects.filter(level="prefecture"),
        "units": Unit.objects.filter(
            pk__in=selectors.project_list(user=request.user).values("lead_unit_id")
        ),
        "can_create": selectors.project_may_create(user=request.user),
    }
    template = "plan/_project_table.html" if request.htmx else "plan/project_list.html"
    return render(request, template, context)


@login_required
def project_detail(request, pk: int):
    project = selectors.project_detail(user=request.user, pk=pk)
    today = timezone.localdate()
    context = {
        **_lifecycle_context(request.user, project),
        "milestone_form": style(MilestoneForm()),
        "report_form": style(ReportForm(initial={"period": today.replace(day=1)})),
        "kpi_form": style(KpiForm()),
        "overdue_ids": {
            m.pk for m in project.milestones.all() if progress.milestone_overdue(m, today)
        },
        "expected_reports": progress.expected_reports(project, today)[-12:],
        **selectors.project_evidence(project=project, today=today),
    }
    return render(request, "plan/project_detail.html", context)


def _lifecycle_context(user, project: Project) -> dict:
    can_approve = selectors.project_can_approve(user=user, project=project)
    next_states = [
        {
            "state": s,
            "label": ProjectState(s).label,
            "blockers": services.transition_blockers(project, s)
            + (
                []
                if can_approve or s not in APPROVAL_STATES
                else [_("The plan office takes this step.")]
            ),
        }
        for s in ALLOWED_TRANSITIONS.get(project.state, ())
    ]
    next_states.sort(key=lambda x: (x["state"] == ProjectState.TERMINATED, x["state"]))
    return {
        "project": project,
        "can_edit": selectors.project_can_edit(user=user, project=project),
        "can_approve": can_approve,
        "lifecycle": [(s, ProjectState(s).label) for s in LIFECYCLE],
        "lifecycle_index": LIFECYCLE.index(project.state) if project.state in LIFECYCLE else -1,
        "next_states": next_states,
        "today": timezone.localdate(),
    }


def _editable_project(request, pk: int) -> Project:
    """The project, if this user may change it: 404 if not visible to them, 403 if read-only."""
    return selectors.project_get(user=request.user, pk=pk, action=access.CHANGE)


@login_required
@with_plan
def project_create(request, plan):
    if not selectors.project_may_create(user=request.user):
        raise PermissionDenied(_("Your role cannot register projects."))
    form = ProjectForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        values, m2m = form.values()
        try:
            project = services.project_create(user=request.user, plan=plan, m2m=m2m, **values)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Project %(code)s registered.") % {"code": project.code})
            return redirect("plan:project_detail", pk=project.pk)
    return render(request, "plan/project_form.html", {"form": form, "plan": plan})


@login_required
def project_edit(request, pk: int):
    project = _editable_project(request, pk)
    form = ProjectForm(request.POST or None, instance=project, user=request.user, plan=project.plan)
    if request.method == "POST" and form.is_valid():
        values, m2m = form.values()
        try:
            services.project_update(project=project, user=request.user, m2m=m2m, **values)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Project saved."))
            return redirect("plan:project_detail", pk=project.pk)
    return render(
        request, "plan/project_form.html", {"form": form, "project": project, "plan": project.plan}
    )


@login_required
@require_POST
def project_transition(request, pk: int):
    project = _editable_project(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid date for the transition."))
        return redirect("plan:project_detail", pk=pk)
    try:
        services.project_transition(
            project=project,
            user=request.user,
            to_state=form.cleaned_data["to_state"],
            effective_on=form.cleaned_data["effective_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The project is now: %(s)s") % {"s": project.get_state_display()}
        )
    return redirect("plan:project_detail", pk=pk)


# --- milestones, reports, KPIs (HTMX-friendly) -------------------------------------------
def _milestones_fragment(request, project: Project):
    """The milestone card, plus the lifecycle card out of band (its blockers depend on milestones)."""
    project = selectors.project_detail(user=request.user, pk=project.pk)
    today = timezone.localdate()
    context = {
        **_lifecycle_context(request.user, project),
        "milestone_form": style(MilestoneForm()),
        "overdue_ids": {
            m.pk for m in project.milestones.all() if progress.milestone_overdue(m, today)
        },
    }
    return render(request, "plan/_milestones_update.html", context)


def _back(request, project: Project):
    if request.htmx:
        return _milestones_fragment(request, project)
    return redirect("plan:project_detail", pk=project.pk)


@login_required
@require_POST
def milestone_add(request, pk: int):
    project = _editable_project(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_create(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Give the milestone a title and a due date."))
    return _back(request, project)


def _milestone_for_edit(request, milestone_id: int) -> Milestone:
    return selectors.milestone_get(user=request.user, pk=milestone_id, action=access.CHANGE)


@login_required
@require_POST
def milestone_complete(request, milestone_id: int):
    milestone = _milestone_for_edit(request, milestone_id)
    form = DateForm(request.POST)
    try:
        on = form.cleaned_data["on"] if form.is_valid() else None
        if milestone.status == MilestoneStatus.PENDING:
            services.milestone_complete(milestone=milestone, user=request.user, completed_on=on)
        else:
            services.milestone_accept(milestone=milestone, user=request.user, accepted_on=on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, milestone.project)


@login_required
@require_POST
def milestone_delete(request, milestone_id: int):
    milestone = _milestone_for_edit(request, milestone_id)
    try:
        services.milestone_delete(milestone=milestone, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, milestone.project)


@login_required
def report_edit(request, pk: int):
    project = _editable_project(request, pk)
    form = style(ReportForm(request.POST or None, request.FILES or None))
    kept = request.POST.get("kept_attachment", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("attachment") or (
            uploads.unstash(kept, user=request.user) if kept else None
        )
        kept = ""
        try:
            with transaction.atomic():
                report = services.report_save(
                    project=project,
                    user=request.user,
                    period=data["period"],
                    summary=data["summary"],
                    problems=data["problems"],
                    next_steps=data["next_steps"],
                    submit=data["submit"],
                )
                if upload:
                    services.attachment_add(
                        report=report,
                        user=request.user,
                        upload=upload,
                        description=data["attachment_description"],
                    )
        except ValidationError as error:
            _apply_errors(form, error)
            if upload and "attachment" not in form.errors:
                upload.seek(0)
                kept = uploads.stash(upload, user=request.user)
        else:
            messages.success(
                request, _("Report for %(m)s saved.") % {"m": f"{report.period:%Y-%m}"}
            )
            return redirect("plan:project_detail", pk=project.pk)
    elif request.method == "POST":
        chosen = request.FILES.get("attachment")
        if chosen and "attachment" not in form.errors:
            kept = uploads.stash(chosen, user=request.user)  # a browser cannot refill it
    context = {"form": form, "project": project, "kept": kept, "kept_name": uploads.name_of(kept)}
    return render(request, "plan/report_form.html", context)


@login_required
@require_POST
def kpi_add(request, pk: int):
    project = _editable_project(request, pk)
    form = KpiForm(request.POST)
    if form.is_valid():
        services.kpi_save(project=project, user=request.user, **form.cleaned_data)
        messages.success(request, _("KPI saved."))
    else:
        messages.error(request, _("The KPI needs a name and a numeric target."))
    return redirect("plan:project_detail", pk=project.pk)


# --- plan, tasks, work points, scorecards --------------------------------------------------
@login_required
@with_plan
def plan_detail(request, plan):
    as_of = _as_of(request)
    projects = progress.load_projects(plan)
    return render(
        request,
        "plan/plan_detail.html",
        {
            "plan": plan,
            "as_of": as_of,
            "attainment": progress.plan_attainment(plan, as_of, projects),
            "tasks": progress.task_progress(plan, as_of, projects),
            "work_points": progress.work_point_progress(plan, as_of, projects),
            "status_labels": progress.ITEM_STATUS_LABELS,
            "visible_ids": selectors.project_ids(user=request.user),
        },
    )


@login_required
@with_plan
def task_detail(request, plan, code: str):
    task = get_object_or_404(Task, plan=plan, code=code)
    return _item_page(request, plan, task, "tasks")


@login_required
@with_plan
def work_point_detail(request, plan, code: str):
    point = get_object_or_404(WorkPoint, plan=plan, code=code)
    return _item_page(request, plan, point, "work_points")


def _item_page(request, plan, item, relation: str):
    as_of = _as_of(request)
    visible = selectors.project_list(user=request.user)
    projects = progress.load_projects(plan, visible.filter(**{f"{relation}__pk": item.pk}))
    row = progress.item_progress([item], as_of, projects, relation)[0]
    return render(
        request,
        "plan/item_detail.html",
        {
            "plan": plan,
            "item": item,
            "row": row,
            "as_of": as_of,
            "relation": relation,
            "status_labels": progress.ITEM_STATUS_LABELS,
        },
    )


@login_required
@with_plan
def scorecards(request, plan):
    as_of = _as_of(request)
    projects = progress.load_projects(plan, selectors.project_list(user=request.user))
    return render(
        request,
        "plan/scorecards.html",
        {
            "plan": plan,
            "as_of": as_of,
            "cards": progress.unit_scorecards(plan, as_of, projects),
            "overdue": progress.overdue_items(projects, as_of),
        },
    )


def healthz(request):
    return HttpResponse(json.dumps({"status": "ok"}), content_type="application/json")


@login_required
def attachment_download(request, pk: int):
    """An evidence file, for users who may read its project."""
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    return download(attachment.file, attachment.filename or str(attachment))
