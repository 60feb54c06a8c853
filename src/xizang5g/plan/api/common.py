"""What the plan supervision API's operations share: the router, the write authentication, the
representations of projects and their parts."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import SessionAuth

from xizang5g.core import access
from xizang5g.core.api_auth import TokenAuth
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


def _codes(related) -> list[str]:
    """The codes of a related set (units, industries, scenarios, tasks …), in its order."""
    return [item.code for item in related.all()]


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
