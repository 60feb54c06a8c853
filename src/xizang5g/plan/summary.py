"""The plan dashboard's figures as plain data, so that they can be kept in the cache.

Computing them loads every project with its transitions, milestones and reports (thousands of
objects); the cached form holds only what the dashboard shows, a few kilobytes that unpickle in
well under a millisecond (`core.summaries`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from types import SimpleNamespace

from django.utils.translation import gettext as _

from xizang5g.core.models import AdminDivision
from xizang5g.plan import progress
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.constants import RUNNING_STATES
from xizang5g.plan.models import Industry, Plan, Scenario


def _goal(row: dict) -> dict:
    goal = row["goal"]

    def figures(at):
        return SimpleNamespace(met=at.met, value=at.value, as_of=at.as_of, cases=len(at.cases))

    return {
        "goal": SimpleNamespace(
            code=goal.code,
            year=goal.year,
            title=goal.title,
            text=goal.text,
            target=goal.target,
            min_cases=goal.min_cases,
        ),
        "at_deadline": figures(row["at_deadline"]),
        "now": figures(row["now"]),
    }


def _task(row) -> SimpleNamespace:
    item = row.item
    return SimpleNamespace(
        item=SimpleNamespace(
            number=item.number,
            code=item.code,
            title=item.title,
            lead_units=[str(unit) for unit in item.lead_units.all()],
        ),
        projects=len(row.projects),
        overdue_milestones=len(row.overdue_milestones),
        status=row.status,
    )


def _overdue(item: dict) -> SimpleNamespace:
    project = item["project"]
    return SimpleNamespace(
        kind=item["kind"],
        title=item["title"],
        days=item["days"],
        project=SimpleNamespace(pk=project.pk, name=project.name, lead_unit=str(project.lead_unit)),
    )


def _scorecard(card) -> SimpleNamespace:
    return SimpleNamespace(
        unit=str(card.unit),
        project_count=card.project_count,
        state_counts=card.state_counts,
        milestone_rate=card.milestone_rate,
        milestones_on_time=card.milestones_on_time,
        milestones_due=card.milestones_due,
        report_rate=card.report_rate,
        reports_on_time=card.reports_on_time,
        reports_due=card.reports_due,
        overdue_count=card.overdue_count,
    )


def chart_data(plan, rows, as_of, visible: set[int]) -> dict:
    """Counts cover the region (published statistics); the map shows only projects the user may
    open."""
    industries = list(Industry.objects.all())
    by_industry = {i.code: Counter() for i in industries}
    by_prefecture: Counter = Counter()
    points = []
    for row in rows:
        by_industry.setdefault(row.project.industry.code, Counter())[row.state] += 1
        by_prefecture[row.project.prefecture.name_zh] += 1
        if row.project.lon is not None and row.project.pk in visible:
            points.append(
                {
                    "name": row.project.name,
                    "value": [row.project.lon, row.project.lat],
                    "state": row.state,
                    "state_label": str(ProjectState(row.state).label),
                    "url": f"/plan/projects/{row.project.pk}/",
                }
            )
    return {
        "states": [{"code": s, "label": str(ProjectState(s).label)} for s in ProjectState.values],
        "industries": [i.name for i in industries],
        "industry_states": {
            s: [by_industry[i.code][s] for i in industries] for s in ProjectState.values
        },
        "prefectures": [
            {"name": d.name_zh, "value": by_prefecture[d.name_zh]}
            for d in AdminDivision.objects.filter(level="prefecture")
        ],
        "points": points,
        "count_label": _("Pilot projects"),
    }


def dashboard_summary(plan: Plan, as_of: date, visible: set[int]) -> dict:
    """Every computed figure of the dashboard for a user who may open the projects `visible`
    (counts cover the region; lists and scorecards only what the user may open)."""
    projects = progress.load_projects(plan)
    rows = progress.projects_as_of(projects, as_of)
    mine = [p for p in projects if p.pk in visible]
    states = Counter(row.state for row in rows)
    running_scenarios = {
        s.code for r in rows if r.state in RUNNING_STATES for s in r.project.scenarios.all()
    }
    return {
        "attainment": [_goal(row) for row in progress.plan_attainment(plan, as_of, projects)],
        "state_counts": dict(states),
        "total_projects": len(rows),
        "running_projects": sum(states[s] for s in RUNNING_STATES),
        "case_projects": states[ProjectState.CASE],
        "scenario_total": Scenario.objects.count(),
        "scenario_running": len(running_scenarios),
        "overdue": [_overdue(item) for item in progress.overdue_items(mine, as_of)],
        "scorecards": [_scorecard(c) for c in progress.unit_scorecards(plan, as_of, mine)[:12]],
        "tasks": [_task(row) for row in progress.task_progress(plan, as_of, projects)],
        "chart_data": chart_data(plan, rows, as_of, visible),
    }
