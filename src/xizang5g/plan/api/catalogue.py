"""The plan, its goals with their attainment, tasks, work points, and the catalogues."""

from django.utils.translation import gettext as _
from ninja import Query

from xizang5g.core.api_style import (
    ApiPagination,
    paginate,
    responses,
)
from xizang5g.core.models import Unit
from xizang5g.plan import progress, selectors
from xizang5g.plan.api.common import (
    _as_of,
    _codes,
    _plan,
    _progress_out,
    _project_ref,
    _state_label,
    _user,
    _visible_ids,
    router,
)
from xizang5g.plan.api.schemas import (
    PlanGoalPage,
    PlanIndustryPage,
    PlanOut,
    PlanProgressFilters,
    PlanScenarioFilters,
    PlanScenarioPage,
    PlanTaskPage,
    PlanUnitFilters,
    PlanUnitPage,
    PlanWorkPointPage,
)
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import (
    Industry,
    Plan,
    Scenario,
)


# ==== plan, goals, tasks, work points ============================================================
def _plan_out(plan: Plan) -> dict:
    return {
        "code": plan.code,
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "basis": plan.basis,
        "goals_text": plan.goals_text,
        "goals": plan.goals.count(),
        "tasks": plan.tasks.count(),
        "work_points": plan.work_points.count(),
        "projects": plan.projects.count(),
    }


@router.get("/plan", response=responses({200: PlanOut}), summary="The current plan")
def current_plan_get(request):
    return _plan_out(_plan())


@router.get("/plans/{slug:code}", response=responses({200: PlanOut}), summary="A plan by its code")
def plan_get(request, code: str):
    return _plan_out(_plan(code))


def _attainment_out(result: progress.GoalAttainment) -> dict:
    return {
        "as_of": result.as_of,
        "value": result.value,
        "target": result.target,
        "met": result.met,
        "cases": len(result.cases),
        "cases_met": result.cases_met,
        "ratio": result.ratio,
    }


@router.get(
    "/goals",
    response=responses({200: PlanGoalPage}),
    summary="Goals with their attainment as of a date",
)
def goal_list(request, filters: Query[PlanProgressFilters]):
    """Each goal's value against its target as of `as_of` (default today), and at its own
    deadline (31 December of its year, or `as_of` if earlier). `counted` lists the industries or
    scenarios that count, each with the projects that make it count and why."""
    the_plan, day = _plan(filters.plan), _as_of(filters.as_of)
    visible = _visible_ids(_user(request))
    out = []
    for row in progress.plan_attainment(the_plan, day):
        goal, now = row["goal"], row["now"]
        counted = []
        for item in now.counted:
            projects = []
            for project, state in item.projects:
                since = progress.state_as_of(list(project.transitions.all()), day)[1]
                why = _("%(item)s; %(state)s since %(since)s — counts as %(rule)s") % {
                    "item": item.name,
                    "state": _state_label(state),
                    "since": since.isoformat() if since else "?",
                    "rule": now.rule,
                }
                projects.append(_project_ref(project, state, since, visible, why))
            counted.append({"code": item.code, "name": item.name, "projects": projects})
        out.append(
            {
                "code": goal.code,
                "year": goal.year,
                "title": goal.title,
                "text": goal.text,
                "metric": goal.metric,
                "metric_label": goal.get_metric_display(),
                "rule": now.rule,
                "target": goal.target,
                "min_cases": goal.min_cases,
                "industries": _codes(goal.industries),
                "as_of": day,
                "value": now.value,
                "met": now.met,
                "cases_met": now.cases_met,
                "ratio": now.ratio,
                "deadline": now.deadline,
                "at_deadline": _attainment_out(row["at_deadline"]),
                "counted": counted,
                "cases": [
                    _project_ref(p, ProjectState.CASE, None, visible, _("typical case"))
                    for p in now.cases
                ],
            }
        )
    return paginate(out, filters)


@router.get(
    "/tasks",
    response=responses({200: PlanTaskPage}),
    summary="Main tasks with progress as of a date",
)
def task_list(request, filters: Query[PlanProgressFilters]):
    the_plan, day = _plan(filters.plan), _as_of(filters.as_of)
    visible = _visible_ids(_user(request))
    tasks = {t.pk: t for t in selectors.task_list(plan=the_plan)}
    out = []
    for entry in progress.task_progress(the_plan, day):
        task = tasks[entry.item.pk]
        out.append(
            {
                "code": task.code,
                "number": task.number,
                "title": task.title,
                "text": task.text,
                "responsible_text": task.responsible_text,
                "lead_units": _codes(task.lead_units),
                "participating_units": _codes(task.participating_units),
                "industries": _codes(task.industries),
                "scenarios": _codes(task.scenarios),
                "progress": _progress_out(entry, visible),
            }
        )
    return paginate(out, filters)


@router.get(
    "/work-points",
    response=responses({200: PlanWorkPointPage}),
    summary="Work points with progress as of a date",
)
def work_point_list(request, filters: Query[PlanProgressFilters]):
    the_plan, day = _plan(filters.plan), _as_of(filters.as_of)
    visible = _visible_ids(_user(request))
    points = {
        w.pk: w for w in selectors.work_point_list(plan=the_plan).prefetch_related("industries")
    }
    out = []
    for entry in progress.work_point_progress(the_plan, day):
        point = points[entry.item.pk]
        out.append(
            {
                "code": point.code,
                "number": point.number,
                "year": point.year,
                "category": point.category,
                "text": point.text,
                "responsible_text": point.responsible_text,
                "units": _codes(point.units),
                "tasks": _codes(point.tasks),
                "industries": _codes(point.industries),
                "scenarios": _codes(point.scenarios),
                "progress": _progress_out(entry, visible),
            }
        )
    return paginate(out, filters)


# ==== catalogues =================================================================================
@router.get("/units", response=responses({200: PlanUnitPage}), summary="Responsible units")
def unit_list(request, filters: Query[PlanUnitFilters]):
    qs = Unit.objects.filter(is_active=True).select_related("parent", "division").order_by("pk")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs, filters, _unit_out)


def _unit_out(u: Unit) -> dict:
    return {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "short_name": u.short_name,
        "aliases": u.aliases,
        "kind": u.kind,
        "kind_label": u.get_kind_display(),
        "parent": u.parent.code if u.parent_id else None,
        "division": u.division.adcode if u.division_id else None,
    }


def _industry_out(industry: Industry) -> dict:
    return {
        "code": industry.code,
        "name": industry.name,
        "aliases": industry.aliases,
        "scenarios": _codes(industry.scenarios),
    }


@router.get("/industries", response=responses({200: PlanIndustryPage}), summary="Industries")
def industry_list(request, page: Query[ApiPagination]):
    return paginate(Industry.objects.prefetch_related("scenarios"), page, _industry_out)


@router.get(
    "/scenarios", response=responses({200: PlanScenarioPage}), summary="Application scenarios"
)
def scenario_list(request, filters: Query[PlanScenarioFilters]):
    qs = Scenario.objects.select_related("industry")
    if filters.industry:
        qs = qs.filter(industry__code=filters.industry)
    return paginate(
        qs, filters, lambda s: {"code": s.code, "name": s.name, "industry": s.industry.code}
    )
