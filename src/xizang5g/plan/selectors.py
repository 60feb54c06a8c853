"""Reads of plan supervision, scoped to what the user may see."""

from django.db.models import Count, Prefetch, Q, QuerySet

from xizang5g.core.choices import Role
from xizang5g.core.permissions import can_edit_unit_data, is_plan_admin
from xizang5g.plan.models import Goal, Milestone, Plan, Project, Task, WorkPoint


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-period_start").first()


def _unit_scope(user) -> Q | None:
    """A unit editor sees only its own unit's projects (lead or participant); others see all."""
    if is_plan_admin(user) or not user.is_authenticated:
        return None
    if user.role == Role.UNIT_EDITOR:
        return Q(lead_unit_id=user.unit_id) | Q(participating_units__id=user.unit_id)
    return None


def project_list(*, user, filters: dict | None = None) -> QuerySet[Project]:
    """The one filter definition used by the project page, the API and the export."""
    qs = Project.objects.select_related("industry", "lead_unit", "operator", "prefecture", "county")
    scope = _unit_scope(user)
    if scope is not None:
        qs = qs.filter(scope).distinct()
    filters = filters or {}
    simple = {
        "state": "state",
        "industry": "industry__code",
        "prefecture": "prefecture__adcode",
        "lead_unit": "lead_unit__code",
        "operator": "operator__code",
        "task": "tasks__code",
        "work_point": "work_points__code",
        "scenario": "scenarios__code",
        "plan": "plan__code",
    }
    for key, lookup in simple.items():
        value = filters.get(key)
        if value not in (None, ""):
            qs = qs.filter(**{lookup: value})
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(summary__icontains=q))
    if filters.get("demo") in ("0", "1", 0, 1, True, False):
        qs = qs.filter(is_demo=str(filters["demo"]) in ("1", "True"))
    return qs.distinct() if any(filters.get(k) for k in ("task", "work_point", "scenario")) else qs


def project_visible_to(*, project: Project, user) -> bool:
    scope = _unit_scope(user)
    if scope is None:
        return user.is_authenticated
    return Project.objects.filter(scope, pk=project.pk).exists()


def project_get(*, user, pk: int) -> Project:
    from django.http import Http404

    project = project_list(user=user).filter(pk=pk).first()
    if project is None:
        raise Http404("No such project, or not visible to you.")
    return project


def project_can_edit(*, user, project: Project) -> bool:
    return can_edit_unit_data(user, project.lead_unit_id)


def project_detail(*, user, pk: int) -> Project:
    project = project_get(user=user, pk=pk)
    return (
        Project.objects.filter(pk=project.pk)
        .prefetch_related(
            "scenarios",
            "tasks",
            "work_points",
            "participating_units",
            "kpis",
            "transitions__user",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date")),
            "reports__attachments",
        )
        .get()
    )


def goal_list(*, plan: Plan) -> QuerySet[Goal]:
    return plan.goals.prefetch_related("industries").order_by("year")


def task_list(*, plan: Plan) -> QuerySet[Task]:
    return plan.tasks.prefetch_related(
        "lead_units", "participating_units", "industries", "scenarios"
    ).annotate(project_count=Count("projects", distinct=True))


def work_point_list(*, plan: Plan) -> QuerySet[WorkPoint]:
    return plan.work_points.prefetch_related("units", "tasks", "scenarios").annotate(
        project_count=Count("projects", distinct=True)
    )
