"""Reads of plan supervision, scoped to what the user may see."""

from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from xizang5g.core import access, evidence
from xizang5g.core.models import Unit
from xizang5g.plan.models import (
    Goal,
    Milestone,
    Plan,
    Project,
    ReportAttachment,
    Task,
    WorkPoint,
)


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-period_start").first()


def project_list(*, user, filters: dict | None = None) -> QuerySet[Project]:
    """The one filter definition used by the project page, the API and the export."""
    qs = Project.objects.restrict(user).select_related(
        "industry", "lead_unit", "operator", "prefecture", "county"
    )
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


def project_ids(*, user) -> set[int]:
    return set(project_list(user=user).values_list("pk", flat=True))


def project_get(*, user, pk: int, action: str = access.VIEW) -> Project:
    """The project: 404 if missing or not visible to the user, 403 if visible but not `action`."""
    return access.get_or_404(
        Project.objects.select_related("lead_unit", "plan"), user, action, pk=pk
    )


def project_can_edit(*, user, project: Project) -> bool:
    return access.can(user, access.CHANGE, project)


def project_can_approve(*, user, project: Project) -> bool:
    return access.can(user, access.APPROVE, project)


def project_may_create(*, user) -> bool:
    return access.role_may(user, access.CHANGE, Project)


def project_scope_is_region(*, user) -> bool:
    """Whether the user's project lists cover the whole region (titles of pages and exports)."""
    return access.sees_all(user, Project)


def lead_unit_choices(*, user) -> QuerySet[Unit]:
    """Units a user may register projects for: every unit for the plan office, its own otherwise."""
    units = Unit.objects.filter(is_active=True)
    return units if access.sees_all(user, Project, access.CHANGE) else units.filter(pk=user.unit_id)


def milestone_get(*, user, pk: int, action: str = access.VIEW) -> Milestone:
    return access.get_or_404(Milestone.objects.select_related("project"), user, action, pk=pk)


def attachment_get(*, user, pk: int) -> ReportAttachment:
    return access.get_or_404(
        ReportAttachment.objects.select_related("report", "report__project"), user, pk=pk
    )


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


EVIDENCE_DAYS = 30


def project_evidence(*, project: Project, today: date) -> dict:
    """The systems' live evidence for a project over the last EVIDENCE_DAYS days, with whether
    each counts as live under the plan's rule, and the data of its chart."""
    start = today - timedelta(days=EVIDENCE_DAYS - 1)
    items = evidence.evidence_for([project.pk], start=start, end=today).get(project.pk, [])
    live_days = project.plan.live_evidence_days
    days = [start + timedelta(days=n) for n in range(EVIDENCE_DAYS)]
    rows = [
        {
            "system": item.system,
            "headline": item.headline,
            "last_activity": item.last_activity,
            "url": item.url,
            "live": bool(live_days)
            and item.active_between(today - timedelta(days=live_days - 1), today),
        }
        for item in items
    ]
    chart = {
        "days": [day.strftime("%m-%d") for day in days],
        "series": [
            {
                "name": f"{item.system} · {item.measure}",
                "values": [item.daily.get(day, 0) for day in days],
            }
            for item in items
        ],
    }
    return {
        "evidence_items": rows,
        "evidence_chart": chart,
        "evidence_days": EVIDENCE_DAYS,
        "plan_live_days": live_days,
    }


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
