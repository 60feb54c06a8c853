"""The progress engine: goal attainment, task/work-point status and unit scorecards, as of a date.

Everything is computed from project data (lifecycle transitions with effective dates,
milestones, monthly reports), so moving the "as of" date replays history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xizang5g.core import evidence
from xizang5g.plan.choices import GoalMetric, ProjectState, ReportStatus
from xizang5g.plan.constants import (
    CASE_STATES,
    OPEN_STATES,
    PILOT_UNDERWAY_STATES,
    REPORT_DUE_DAY,
    REPORTING_STATES,
    RUNNING_STATES,
)
from xizang5g.plan.models import Goal, Milestone, Plan, ProgressReport, Project, ProjectTransition

STATE_RANK = {state: rank for rank, state in enumerate(ProjectState.values)}


# --- project facts as of a date --------------------------------------------------------------
@dataclass
class ProjectAsOf:
    project: Project
    state: str | None  # None: not yet declared on that date
    since: date | None


def state_as_of(
    transitions: list[ProjectTransition], as_of: date
) -> tuple[str | None, date | None]:
    state, since = None, None
    for step in transitions:  # ordered by effective date
        if step.effective_on > as_of:
            break
        state, since = step.to_state, step.effective_on
    return state, since


def load_projects(plan: Plan | None = None, projects=None) -> list[Project]:
    qs = projects if projects is not None else Project.objects.all()
    if plan is not None:
        qs = qs.filter(plan=plan)
    return list(
        qs.select_related("industry", "lead_unit", "prefecture").prefetch_related(
            Prefetch(
                "transitions", queryset=ProjectTransition.objects.order_by("effective_on", "id")
            ),
            "scenarios",
            "tasks",
            "work_points",
            "participating_units",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date")),
            Prefetch("reports", queryset=ProgressReport.objects.order_by("period")),
        )
    )


def projects_as_of(projects: list[Project], as_of: date) -> list[ProjectAsOf]:
    out = []
    for project in projects:
        state, since = state_as_of(list(project.transitions.all()), as_of)
        if state is not None:
            out.append(ProjectAsOf(project, state, since))
    return out


# --- goals -------------------------------------------------------------------------------------
@dataclass
class CountedItem:
    """One industry or scenario that counts toward a goal, and the projects that make it count."""

    code: str
    name: str
    projects: list[tuple[Project, str]]  # (project, state as of the date)


@dataclass
class GoalAttainment:
    goal: Goal
    as_of: date
    value: int
    target: int
    counted: list[CountedItem]
    cases: list[Project] = field(default_factory=list)
    rule: str = ""
    # Projects in a counting state left out for want of live evidence (plan.live_evidence_days).
    silent: list[Project] = field(default_factory=list)

    @property
    def deadline(self) -> date:
        return date(self.goal.year, 12, 31)

    @property
    def cases_met(self) -> bool:
        return len(self.cases) >= self.goal.min_cases

    @property
    def met(self) -> bool:
        return self.value >= self.target and self.cases_met

    @property
    def ratio(self) -> float:
        return min(self.value / self.target, 1.0) if self.target else 1.0


def _group(rows: list[ProjectAsOf], states, key) -> dict[str, list[tuple[Project, str]]]:
    groups: dict[str, list[tuple[Project, str]]] = defaultdict(list)
    for row in rows:
        if row.state in states:
            for code in key(row.project):
                groups[code].append((row.project, row.state))
    return groups


def live_projects(plan: Plan, projects: list[Project], as_of: date) -> set[int] | None:
    """The projects with live evidence in the plan's window up to `as_of` (a project's pilot
    shares its id), or None when the plan does not ask for evidence."""
    if not plan.live_evidence_days:
        return None
    return evidence.live_pilots([p.pk for p in projects], as_of=as_of, days=plan.live_evidence_days)


_FROM_PLAN = object()


def goal_attainment(
    goal: Goal, as_of: date, projects: list[Project] | None = None, live=_FROM_PLAN
) -> GoalAttainment:
    """The goal's value as of a date. When the plan asks for live evidence, a project counts as
    under way or running only with some (`live`: the set from live_projects, computed if not
    given)."""
    projects = projects if projects is not None else load_projects(goal.plan)
    if live is _FROM_PLAN:
        live = live_projects(goal.plan, projects, as_of)
    rows = projects_as_of(projects, as_of)
    silent = []
    if live is not None:
        counting = PILOT_UNDERWAY_STATES | RUNNING_STATES
        silent = [r.project for r in rows if r.state in counting and r.project.pk not in live]
        rows = [r for r in rows if r.state not in counting or r.project.pk in live]
    industries = {i.code: i.name for i in goal.industries.all()}
    if goal.metric == GoalMetric.INDUSTRIES_WITH_RUNNING_PILOTS:
        groups = _group(rows, PILOT_UNDERWAY_STATES, lambda p: [p.industry.code])
        if industries:  # only the named industries count (医疗/教育/文旅/矿山/园区)
            groups = {code: v for code, v in groups.items() if code in industries}
        rule = _("industries of the goal with a pilot under construction or further")
        names = {p.industry.code: p.industry.name for p in projects}
    elif goal.metric == GoalMetric.INDUSTRIES_WITH_TYPICAL_APPLICATIONS:
        groups = _group(rows, RUNNING_STATES, lambda p: [p.industry.code])
        rule = _("industries with an application in trial operation or further")
        names = {p.industry.code: p.industry.name for p in projects}
    else:
        groups = _group(rows, RUNNING_STATES, lambda p: [s.code for s in p.scenarios.all()])
        rule = _("scenarios with a project in trial operation or further")
        names = {s.code: s.name for p in projects for s in p.scenarios.all()}
    counted = [
        CountedItem(code, names.get(code, code), sorted(items, key=lambda x: x[0].code))
        for code, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    cases = [row.project for row in rows if row.state in CASE_STATES]
    return GoalAttainment(goal, as_of, len(counted), goal.target, counted, cases, rule, silent)


def plan_attainment(plan: Plan, as_of: date, projects: list[Project] | None = None) -> list[dict]:
    """Each goal at its own deadline and as of the chosen date."""
    projects = projects if projects is not None else load_projects(plan)
    live_at: dict[date, set[int] | None] = {}

    def live(day: date) -> set[int] | None:
        if day not in live_at:
            live_at[day] = live_projects(plan, projects, day)
        return live_at[day]

    out = []
    for goal in plan.goals.prefetch_related("industries").order_by("year"):
        deadline = min(date(goal.year, 12, 31), as_of)
        at_deadline = goal_attainment(goal, deadline, projects, live(deadline))
        now = goal_attainment(goal, as_of, projects, live(as_of))
        out.append({"goal": goal, "at_deadline": at_deadline, "now": now})
    return out


# --- milestones and reports ------------------------------------------------------------------
def milestone_overdue(milestone: Milestone, as_of: date) -> bool:
    return milestone.due_date < as_of and (
        milestone.completed_on is None or milestone.completed_on > as_of
    )


def _month_starts(start: date, end: date):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def report_due_date(period: date) -> date:
    return (period + timedelta(days=32)).replace(day=REPORT_DUE_DAY)


@dataclass
class ReportExpectation:
    project: Project
    period: date
    due: date
    report: ProgressReport | None
    as_of: date

    @property
    def filed(self) -> bool:
        return (
            self.report is not None
            and self.report.status == ReportStatus.SUBMITTED
            and self.report.submitted_on is not None
            and self.report.submitted_on <= self.as_of
        )

    @property
    def on_time(self) -> bool:
        return self.filed and self.report.submitted_on <= self.due


def expected_reports(project: Project, as_of: date) -> list[ReportExpectation]:
    """Months the project was in a reporting state whose report was due by `as_of`."""
    transitions = list(project.transitions.all())
    reports = {r.period: r for r in project.reports.all()}
    out = []
    for index, step in enumerate(transitions):
        if step.to_state not in REPORTING_STATES:
            continue
        end = transitions[index + 1].effective_on if index + 1 < len(transitions) else as_of
        for period in _month_starts(step.effective_on, min(end, as_of)):
            due = report_due_date(period)
            if due <= as_of and all(e.period != period for e in out):
                out.append(ReportExpectation(project, period, due, reports.get(period), as_of))
    return out


# --- tasks and work points ----------------------------------------------------------------
@dataclass
class ItemProgress:
    item: object  # Task or WorkPoint
    projects: list[ProjectAsOf]
    overdue_milestones: list[Milestone]

    @property
    def status(self) -> str:
        if not self.projects:
            return "not_started"
        if self.overdue_milestones:
            return "lagging"
        live = [p for p in self.projects if p.state != ProjectState.TERMINATED]
        if live and all(STATE_RANK[p.state] >= STATE_RANK[ProjectState.ACCEPTED] for p in live):
            return "completed"
        return "on_track"

    @property
    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.projects:
            counts[row.state] += 1
        return dict(counts)


ITEM_STATUS_LABELS = {
    "not_started": gettext_lazy("Not started"),
    "lagging": gettext_lazy("Lagging"),
    "on_track": gettext_lazy("On track"),
    "completed": gettext_lazy("Completed"),
}


def item_progress(items, as_of: date, projects: list[Project], relation: str) -> list[ItemProgress]:
    rows = projects_as_of(projects, as_of)
    out = []
    for item in items:
        mine = [r for r in rows if any(x.pk == item.pk for x in getattr(r.project, relation).all())]
        overdue = [
            m
            for r in mine
            if r.state != ProjectState.TERMINATED
            for m in r.project.milestones.all()
            if milestone_overdue(m, as_of)
        ]
        out.append(ItemProgress(item, mine, overdue))
    return out


def task_progress(plan: Plan, as_of: date, projects: list[Project] | None = None):
    projects = projects if projects is not None else load_projects(plan)
    tasks = plan.tasks.prefetch_related("lead_units", "participating_units").order_by("number")
    return item_progress(tasks, as_of, projects, "tasks")


def work_point_progress(plan: Plan, as_of: date, projects: list[Project] | None = None):
    projects = projects if projects is not None else load_projects(plan)
    points = plan.work_points.prefetch_related("units").order_by("year", "number")
    return item_progress(points, as_of, projects, "work_points")


# --- unit scorecards ---------------------------------------------------------------------------
@dataclass
class Scorecard:
    unit: object
    projects: list[ProjectAsOf] = field(default_factory=list)
    milestones_due: int = 0
    milestones_on_time: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    overdue_milestones: list[Milestone] = field(default_factory=list)
    missing_reports: list[ReportExpectation] = field(default_factory=list)

    @property
    def milestone_rate(self) -> float | None:
        return self.milestones_on_time / self.milestones_due if self.milestones_due else None

    @property
    def report_rate(self) -> float | None:
        return self.reports_on_time / self.reports_due if self.reports_due else None

    @property
    def project_count(self) -> int:
        return len(self.projects)

    @property
    def overdue_count(self) -> int:
        return len(self.overdue_milestones) + len(self.missing_reports)

    @property
    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.projects:
            counts[row.state] += 1
        return dict(counts)


def unit_scorecards(plan: Plan | None, as_of: date, projects: list[Project] | None = None):
    """One scorecard per lead unit: projects, on-time milestone and report rates (whole history),
    overdue items (open projects only)."""
    projects = projects if projects is not None else load_projects(plan)
    cards: dict[int, Scorecard] = {}
    for row in projects_as_of(projects, as_of):
        project = row.project
        card = cards.setdefault(project.lead_unit_id, Scorecard(project.lead_unit))
        card.projects.append(row)
        for milestone in project.milestones.all():
            if milestone.due_date <= as_of:
                card.milestones_due += 1
                if milestone.completed_on and milestone.completed_on <= milestone.due_date:
                    card.milestones_on_time += 1
            if row.state in OPEN_STATES and milestone_overdue(milestone, as_of):
                card.overdue_milestones.append(milestone)
        for expectation in expected_reports(project, as_of):
            card.reports_due += 1
            card.reports_on_time += expectation.on_time
            if not expectation.filed and row.state in OPEN_STATES:
                card.missing_reports.append(expectation)
    return sorted(cards.values(), key=lambda c: (-c.overdue_count, str(c.unit)))


def overdue_items(projects: list[Project], as_of: date) -> list[dict]:
    """Overdue milestones and missing monthly reports of open projects, oldest first.

    Gaps of projects already accepted, promoted or terminated stay in the scorecard rates but are
    no longer actionable, so they are not listed here."""
    items = []
    for row in projects_as_of(projects, as_of):
        if row.state not in OPEN_STATES:
            continue
        for milestone in row.project.milestones.all():
            if milestone_overdue(milestone, as_of):
                items.append(
                    {
                        "kind": "milestone",
                        "project": row.project,
                        "title": milestone.title,
                        "due": milestone.due_date,
                        "days": (as_of - milestone.due_date).days,
                    }
                )
        for expectation in expected_reports(row.project, as_of):
            if not expectation.filed:
                items.append(
                    {
                        "kind": "report",
                        "project": row.project,
                        "title": f"{expectation.period:%Y-%m}",
                        "due": expectation.due,
                        "days": (as_of - expectation.due).days,
                    }
                )
    return sorted(items, key=lambda item: -item["days"])
