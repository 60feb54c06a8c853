"""Plan supervision API (/api/v1/plan/): the plan, goals with attainment, tasks, work points,
catalogues, and pilot projects with their lifecycle, milestones, reports and KPIs.

Reads go through ``plan.selectors`` (a unit editor cannot see another unit's project: 404); writes go
through ``plan.services`` (which enforce who may change what: 403). Authentication (bearer token or
session) is configured once for the whole API in ``xizang5g.api``.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import SessionAuth

from xizang5g.core import access, limits
from xizang5g.core.api_auth import TokenAuth
from xizang5g.core.api_style import (
    ApiInput,
    ApiPagination,
    error_body,
    page_schema,
    paginate,
    responses,
    validation_errors,
)
from xizang5g.core.choices import UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.plan import progress, selectors, services
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.constants import ALLOWED_TRANSITIONS
from xizang5g.plan.models import (
    Industry,
    Kpi,
    Milestone,
    Plan,
    ProgressReport,
    Project,
    Scenario,
    Task,
    WorkPoint,
)

router = Router(tags=["plan"])


# ==== schemas ====================================================================================
class PlanOut(Schema):
    code: str
    title: str
    period_start: date
    period_end: date
    basis: list
    goals_text: str
    goals: int
    tasks: int
    work_points: int
    projects: int


class PlanNamedRef(Schema):
    code: str
    name: str


class PlanDivisionRef(Schema):
    adcode: int
    name: str


class PlanProjectRef(Schema):
    id: int | None = Field(None, description="null when the project is not visible to you")
    code: str
    name: str
    lead_unit: str
    state: str = Field(description="state as of the requested date")
    state_label: str
    since: date | None = None
    why: str = ""


class PlanCountedItemOut(Schema):
    code: str
    name: str
    projects: list[PlanProjectRef]


class PlanAttainmentOut(Schema):
    as_of: date
    value: int
    target: int
    met: bool
    cases: int
    cases_met: bool
    ratio: float


class PlanGoalOut(Schema):
    code: str
    year: int
    title: str
    text: str
    metric: str
    metric_label: str
    rule: str
    target: int
    min_cases: int
    industries: list[str]
    as_of: date
    value: int
    met: bool
    cases_met: bool
    ratio: float
    deadline: date
    at_deadline: PlanAttainmentOut
    counted: list[PlanCountedItemOut]
    cases: list[PlanProjectRef]


class PlanProgressOut(Schema):
    status: str = Field(description="not_started | on_track | lagging | completed")
    status_label: str
    project_count: int
    state_counts: dict[str, int]
    overdue_milestones: int
    projects: list[PlanProjectRef]


class PlanTaskOut(Schema):
    code: str
    number: int
    title: str
    text: str
    responsible_text: str
    lead_units: list[str]
    participating_units: list[str]
    industries: list[str]
    scenarios: list[str]
    progress: PlanProgressOut


class PlanWorkPointOut(Schema):
    code: str
    number: int
    year: int
    category: str
    text: str
    responsible_text: str
    units: list[str]
    tasks: list[str]
    industries: list[str]
    scenarios: list[str]
    progress: PlanProgressOut


class PlanUnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    aliases: list[str]
    kind: str
    kind_label: str
    parent: str | None
    division: int | None


class PlanIndustryOut(Schema):
    code: str
    name: str
    aliases: list[str]
    scenarios: list[str]


class PlanScenarioOut(Schema):
    code: str
    name: str
    industry: str


class PlanProjectOut(Schema):
    id: int
    code: str
    name: str
    summary: str
    plan: str
    industry: PlanNamedRef
    scenarios: list[str]
    tasks: list[str]
    work_points: list[str]
    lead_unit: PlanNamedRef
    participating_units: list[str]
    operator: str | None
    prefecture: PlanDivisionRef
    county: PlanDivisionRef | None
    lon: float | None
    lat: float | None
    budget_wan: float | None
    start_date: date | None
    end_date: date | None
    declared_on: date
    state: str
    state_label: str
    state_since: date
    termination_reason: str
    is_demo: bool
    can_edit: bool


class PlanProjectTransitionOut(Schema):
    from_state: str
    to_state: str
    effective_on: date
    user: str | None
    note: str


class PlanProjectDetailOut(PlanProjectOut):
    transitions: list[PlanProjectTransitionOut]
    next_states: dict[str, list[str]] = Field(
        description="each allowed next state with what still blocks it (empty: possible now)"
    )


class PlanProjectFilters(ApiPagination):
    """The filters of selectors.project_list (the same as the project page)."""

    state: ProjectState | None = None
    industry: str | None = Field(None, description="industry code")
    prefecture: limits.Int64 | None = Field(None, description="prefecture adcode")
    lead_unit: str | None = Field(None, description="unit code")
    operator: str | None = Field(None, description="operator unit code")
    task: str | None = Field(None, description="task code, e.g. T02")
    work_point: str | None = Field(None, description="work point code, e.g. WP02")
    scenario: str | None = Field(None, description="scenario code")
    plan: str | None = Field(None, description="plan code")
    q: str | None = Field(None, description="text in name, code or summary")
    demo: bool | None = Field(None, description="only demo (true) or only real (false) projects")


class PlanProgressFilters(ApiPagination):
    as_of: date | None = Field(None, description="default: today")
    plan: str | None = Field(None, description="plan code; default: the current plan")


class PlanUnitFilters(ApiPagination):
    kind: UnitKind | None = None


class PlanScenarioFilters(ApiPagination):
    industry: str | None = Field(None, description="industry code")


class PlanProjectIn(ApiInput):
    name: str = Field(min_length=1, max_length=200)
    summary: str = ""
    plan: str | None = Field(None, description="plan code; default: the current plan")
    industry: str = Field(description="industry code")
    scenarios: list[str] = Field(default_factory=list, description="scenario codes")
    tasks: list[str] = Field(default_factory=list, description="task codes, e.g. T02")
    work_points: list[str] = Field(default_factory=list, description="work point codes")
    lead_unit: str = Field(description="unit code")
    participating_units: list[str] = Field(default_factory=list, description="unit codes")
    operator: str | None = Field(None, description="operator unit code")
    prefecture: limits.Int64 = Field(description="prefecture adcode, e.g. 540100")
    county: limits.Int64 | None = Field(None, description="county adcode within the prefecture")
    lon: float | None = None
    lat: float | None = None
    budget_wan: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    start_date: date | None = None
    end_date: date | None = None
    declared_on: date | None = Field(None, description="default: today")


class PlanProjectPatch(ApiInput):
    name: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    industry: str | None = None
    scenarios: list[str] | None = None
    tasks: list[str] | None = None
    work_points: list[str] | None = None
    lead_unit: str | None = None
    participating_units: list[str] | None = None
    operator: str | None = None
    prefecture: limits.Int64 | None = None
    county: limits.Int64 | None = None
    lon: float | None = None
    lat: float | None = None
    budget_wan: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    start_date: date | None = None
    end_date: date | None = None
    declared_on: date | None = None


class PlanProjectTransitionIn(ApiInput):
    to_state: ProjectState
    effective_on: date | None = Field(None, description="default: today")
    note: str = ""


class PlanMilestoneOut(Schema):
    id: int
    project: str
    title: str
    due_date: date
    status: str
    completed_on: date | None
    accepted_on: date | None
    accepted_by: str | None
    note: str
    overdue: bool


class PlanMilestoneIn(ApiInput):
    title: str = Field(min_length=1, max_length=200)
    due_date: date
    note: str = ""


class PlanMilestoneCompleteIn(ApiInput):
    completed_on: date | None = Field(None, description="default: today")


class PlanMilestoneAcceptIn(ApiInput):
    accepted_on: date | None = Field(None, description="default: today")


class PlanReportOut(Schema):
    id: int
    project: str
    period: date
    summary: str
    problems: str
    next_steps: str
    status: str
    submitted_on: date | None
    submitted_by: str | None
    attachments: int


class PlanReportIn(ApiInput):
    period: date = Field(description="any day of the month; stored as its first day")
    summary: str = Field(min_length=1)
    problems: str = ""
    next_steps: str = ""
    submit: bool = False


class PlanReportSubmitIn(ApiInput):
    submitted_on: date | None = Field(None, description="default: today")


class PlanKpiOut(Schema):
    id: int
    project: str
    name: str
    measure_unit: str
    target: float
    actual: float | None
    higher_is_better: bool
    met: bool | None


class PlanKpiIn(ApiInput):
    name: str = Field(min_length=1, max_length=100)
    measure_unit: str = ""
    target: Decimal = Field(max_digits=14, decimal_places=3)
    actual: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    higher_is_better: bool = True


class PlanKpiPatch(ApiInput):
    name: str | None = Field(None, min_length=1, max_length=100)
    measure_unit: str | None = None
    target: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    actual: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    higher_is_better: bool | None = None


PlanGoalPage = page_schema("PlanGoalPage", PlanGoalOut)
PlanTaskPage = page_schema("PlanTaskPage", PlanTaskOut)
PlanWorkPointPage = page_schema("PlanWorkPointPage", PlanWorkPointOut)
PlanUnitPage = page_schema("PlanUnitPage", PlanUnitOut)
PlanIndustryPage = page_schema("PlanIndustryPage", PlanIndustryOut)
PlanScenarioPage = page_schema("PlanScenarioPage", PlanScenarioOut)
PlanProjectPage = page_schema("PlanProjectPage", PlanProjectOut)
PlanMilestonePage = page_schema("PlanMilestonePage", PlanMilestoneOut)
PlanReportPage = page_schema("PlanReportPage", PlanReportOut)
PlanKpiPage = page_schema("PlanKpiPage", PlanKpiOut)


# ==== helpers ====================================================================================
def _user(request):
    return request.auth if getattr(request.auth, "pk", None) else request.user


def _plan(code: str | None = None) -> Plan:
    if code:
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise Http404(_("No plan with code %(code)s.") % {"code": code})
        return plan
    plan = selectors.current_plan()
    if plan is None:
        raise Http404(_("No plan is loaded yet."))
    return plan


def _as_of(value: date | None) -> date:
    return value or timezone.localdate()


def _require_writer(user) -> None:
    """Reject read-only roles before looking at the payload (a viewer gets 403 on every write)."""
    if not access.role_may(user, access.CHANGE, Project):
        raise PermissionDenied(_("Your role cannot change plan data."))


class _WriterTokenAuth(TokenAuth):
    """Bearer token of a user allowed to write plan data; other roles get 403 before the payload
    is even parsed (a viewer gets 403 on every write, never a 422)."""

    def authenticate(self, request, token: str):
        user = super().authenticate(request, token)
        if user is not None:
            _require_writer(user)
        return user


class _WriterSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            _require_writer(user)
        return user


WRITE_AUTH = [_WriterTokenAuth(), _WriterSessionAuth()]


def _editable_project(user, pk: int) -> Project:
    """The project to change: 404 if missing or not visible to the user, 403 if read-only."""
    _require_writer(user)
    return selectors.project_get(user=user, pk=pk, action=access.CHANGE)


def _state_label(state: str) -> str:
    return str(ProjectState(state).label)


def _project_ref(project: Project, state: str, since, visible: set[int], why: str = "") -> dict:
    return {
        "id": project.pk if project.pk in visible else None,
        "code": project.code,
        "name": project.name,
        "lead_unit": str(project.lead_unit),
        "state": state,
        "state_label": _state_label(state),
        "since": since,
        "why": why,
    }


def _visible_ids(user) -> set[int]:
    return selectors.project_ids(user=user)


def _division(division: AdminDivision | None) -> dict | None:
    if division is None:
        return None
    return {"adcode": division.adcode, "name": division.name_zh}


def _project_out(project: Project, user) -> dict:
    return {
        "id": project.pk,
        "code": project.code,
        "name": project.name,
        "summary": project.summary,
        "plan": project.plan.code,
        "industry": {"code": project.industry.code, "name": project.industry.name},
        "scenarios": _codes(project.scenarios),
        "tasks": _codes(project.tasks),
        "work_points": _codes(project.work_points),
        "lead_unit": {"code": project.lead_unit.code, "name": project.lead_unit.name},
        "participating_units": _codes(project.participating_units),
        "operator": project.operator.code if project.operator_id else None,
        "prefecture": _division(project.prefecture),
        "county": _division(project.county),
        "lon": project.lon,
        "lat": project.lat,
        "budget_wan": float(project.budget_wan) if project.budget_wan is not None else None,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "declared_on": project.declared_on,
        "state": project.state,
        "state_label": _state_label(project.state),
        "state_since": project.state_since,
        "termination_reason": project.termination_reason,
        "is_demo": project.is_demo,
        "can_edit": selectors.project_can_edit(user=user, project=project),
    }


def _project_detail_out(project: Project, user) -> dict:
    out = _project_out(project, user)
    out["transitions"] = [
        {
            "from_state": step.from_state,
            "to_state": step.to_state,
            "effective_on": step.effective_on,
            "user": step.user.username if step.user_id else None,
            "note": step.note,
        }
        for step in project.transitions.select_related("user").order_by("effective_on", "id")
    ]
    out["next_states"] = {
        state: services.transition_blockers(project, state)
        for state in sorted(ALLOWED_TRANSITIONS.get(project.state, ()))
    }
    return out


PROJECT_PREFETCH = ("scenarios", "tasks", "work_points", "participating_units")


def _resolve(model, field: str, lookup: str, value, label: str, **extra):
    if value in (None, ""):
        return None
    obj = model.objects.filter(**{lookup: value}, **extra).first()
    if obj is None:
        raise ValidationError(
            {field: _("Unknown %(what)s '%(value)s'.") % {"what": label, "value": value}}
        )
    return obj


def _resolve_many(model, field: str, values: list[str], label: str, **extra) -> list:
    found = {obj.code: obj for obj in model.objects.filter(code__in=values, **extra)}
    missing = [v for v in values if v not in found]
    if missing:
        raise ValidationError(
            {field: _("Unknown %(what)s: %(list)s.") % {"what": label, "list": ", ".join(missing)}}
        )
    return [found[v] for v in dict.fromkeys(values)]


def _project_values(data: dict, plan: Plan) -> tuple[dict, dict]:
    """API payload (codes, adcodes) → model values and m2m lists, with per-field 422 messages."""
    values, m2m = {}, {}
    refs = {
        "industry": (Industry, "code", _("industry"), {}),
        "lead_unit": (Unit, "code", _("unit"), {}),
        "operator": (Unit, "code", _("operator"), {"kind": UnitKind.OPERATOR}),
        "prefecture": (AdminDivision, "adcode", _("prefecture"), {"level": "prefecture"}),
        "county": (AdminDivision, "adcode", _("county"), {"level": "county"}),
    }
    for name, value in data.items():
        if name in refs:
            model, lookup, label, extra = refs[name]
            values[name] = _resolve(model, name, lookup, value, label, **extra)
        elif name == "scenarios":
            m2m[name] = _resolve_many(Scenario, name, value, _("scenario"))
        elif name == "tasks":
            m2m[name] = _resolve_many(Task, name, value, _("task"), plan=plan)
        elif name == "work_points":
            m2m[name] = _resolve_many(WorkPoint, name, value, _("work point"), plan=plan)
        elif name == "participating_units":
            m2m[name] = _resolve_many(Unit, name, value, _("unit"))
        elif name == "plan":
            continue
        else:
            values[name] = value
    for required in ("industry", "lead_unit", "prefecture"):
        if required in values and values[required] is None:
            raise ValidationError({required: _("This field cannot be empty.")})
    return values, m2m


def _progress_out(entry: progress.ItemProgress, visible: set[int]) -> dict:
    return {
        "status": entry.status,
        "status_label": _(progress.ITEM_STATUS_LABELS[entry.status]),
        "project_count": len(entry.projects),
        "state_counts": entry.state_counts,
        "overdue_milestones": len(entry.overdue_milestones),
        "projects": [_project_ref(r.project, r.state, r.since, visible) for r in entry.projects],
    }


def _milestone_out(milestone: Milestone, today: date) -> dict:
    return {
        "id": milestone.pk,
        "project": milestone.project.code,
        "title": milestone.title,
        "due_date": milestone.due_date,
        "status": milestone.status,
        "completed_on": milestone.completed_on,
        "accepted_on": milestone.accepted_on,
        "accepted_by": milestone.accepted_by.username if milestone.accepted_by_id else None,
        "note": milestone.note,
        "overdue": progress.milestone_overdue(milestone, today),
    }


def _report_out(report: ProgressReport) -> dict:
    return {
        "id": report.pk,
        "project": report.project.code,
        "period": report.period,
        "summary": report.summary,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "status": report.status,
        "submitted_on": report.submitted_on,
        "submitted_by": report.submitted_by.username if report.submitted_by_id else None,
        "attachments": report.attachments.count(),
    }


def _kpi_out(kpi: Kpi) -> dict:
    return {
        "id": kpi.pk,
        "project": kpi.project.code,
        "name": kpi.name,
        "measure_unit": kpi.measure_unit,
        "target": float(kpi.target),
        "actual": float(kpi.actual) if kpi.actual is not None else None,
        "higher_is_better": kpi.higher_is_better,
        "met": kpi.met,
    }


def _editable_child(model, user, pk: int):
    """A milestone/report/KPI to change: 404 if missing or not visible, 403 if read-only."""
    _require_writer(user)
    return access.get_or_404(model.objects.select_related("project"), user, access.CHANGE, pk=pk)


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


def _codes(related) -> list[str]:
    """The codes of a related set (units, industries, scenarios, tasks …), in its order."""
    return [item.code for item in related.all()]


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


# ==== projects ===================================================================================
@router.get(
    "/projects",
    response=responses({200: PlanProjectPage}),
    summary="Pilot projects (filtered, paginated)",
)
def project_list(request, filters: Query[PlanProjectFilters]):
    """The envelope is every list's: `count`, `limit`, `offset`, `items` (this list answered
    `page`, `page_size` and `pages` before: ask `offset = (page - 1) × limit`)."""
    user = _user(request)
    data = filters.dict(exclude={"limit", "offset"})
    if data.get("demo") is not None:
        data["demo"] = "1" if data["demo"] else "0"
    qs = (
        selectors.project_list(user=user, filters={k: v for k, v in data.items() if v is not None})
        .select_related("plan")
        .prefetch_related(*PROJECT_PREFETCH)
        .order_by("-declared_on", "code")
    )
    return paginate(qs, filters, lambda project: _project_out(project, user))


@router.get(
    "/projects/{id:project_id}",
    response=responses({200: PlanProjectDetailOut}),
    summary="One pilot project",
)
def project_get(request, project_id: limits.DbId):
    user = _user(request)
    return _project_detail_out(selectors.project_detail(user=user, pk=project_id), user)


@router.post(
    "/projects",
    auth=WRITE_AUTH,
    response=responses({201: PlanProjectDetailOut}),
    summary="Register a pilot project (state: declared)",
)
def project_create(request, payload: PlanProjectIn):
    user = _user(request)
    _require_writer(user)
    plan = _plan(payload.plan)
    values, m2m = _project_values(payload.dict(), plan)
    if values.get("declared_on") is None:
        values.pop("declared_on", None)
    project = services.project_create(user=user, plan=plan, m2m=m2m, **values)
    return Status(
        201, _project_detail_out(selectors.project_detail(user=user, pk=project.pk), user)
    )


@router.patch(
    "/projects/{id:project_id}",
    auth=WRITE_AUTH,
    response=responses({200: PlanProjectDetailOut}),
    summary="Change a pilot project (only the fields sent)",
)
def project_update(request, project_id: limits.DbId, payload: PlanProjectPatch):
    user = _user(request)
    project = _editable_project(user, project_id)
    data = payload.dict(exclude_unset=True)
    for required in ("name", "industry", "lead_unit", "prefecture", "declared_on"):
        if required in data and data[required] is None:
            raise ValidationError({required: _("This field cannot be empty.")})
    for listed in ("scenarios", "tasks", "work_points", "participating_units"):
        if listed in data and data[listed] is None:
            raise ValidationError({listed: _("Send a list of codes (an empty list clears it).")})
    values, m2m = _project_values(data, project.plan)
    services.project_update(project=project, user=user, m2m=m2m, **values)
    return Status(
        200, _project_detail_out(selectors.project_detail(user=user, pk=project.pk), user)
    )


@router.delete(
    "/projects/{id:project_id}",
    auth=WRITE_AUTH,
    response=responses({204: None}),
    summary="Delete a project still at 'declared'",
)
def project_delete(request, project_id: limits.DbId):
    user = _user(request)
    services.project_delete(project=_editable_project(user, project_id), user=user)
    return Status(204, None)


@router.post(
    "/projects/{id:project_id}/transition",
    auth=WRITE_AUTH,
    response=responses({200: PlanProjectDetailOut}),
    summary="Move a project along its lifecycle",
)
def project_transition(request, project_id: limits.DbId, payload: PlanProjectTransitionIn):
    """422 lists every blocker of the step (e.g. missing milestones or reports) in `errors`."""
    user = _user(request)
    project = _editable_project(user, project_id)
    try:
        services.project_transition(
            project=project,
            to_state=payload.to_state,
            user=user,
            effective_on=payload.effective_on,
            note=payload.note,
        )
    except ValidationError as error:
        detail = _("The project cannot move to '%(state)s'.") % {
            "state": _state_label(payload.to_state)
        }
        return Status(422, error_body(detail, validation_errors(error)))
    return Status(
        200, _project_detail_out(selectors.project_detail(user=user, pk=project.pk), user)
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
