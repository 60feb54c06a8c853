"""The demo data set: fictional pilots (labelled 【演示数据】) loaded on top of the real plan.

The lifecycle history is replayed as ProjectTransition rows with the file's effective dates;
monthly reports are generated for every month a project was building or in trial, filed on the
file's usual day except the months it marks late or missing.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from xizang5g.core.audit import acting_as
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.plan.choices import MilestoneStatus, ProjectState, ReportStatus
from xizang5g.plan.constants import REPORTING_STATES
from xizang5g.plan.models import (
    Industry,
    Kpi,
    Milestone,
    Plan,
    ProgressReport,
    Project,
    ProjectTransition,
    Scenario,
    Task,
    WorkPoint,
)

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo-projects.yaml"
LATE_DAY = 18


class DemoDataError(ValueError):
    pass


@dataclass
class DemoReport:
    units: int = 0
    projects: int = 0
    skipped: int = 0


def demo_load(*, plan: Plan, path: Path = DEMO_FILE, today: date | None = None) -> DemoReport:
    """Load the demo set idempotently (projects already present, by code, are left alone)."""
    today = today or timezone.localdate()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    report = DemoReport()
    with acting_as(None), transaction.atomic():
        divisions = {d.adcode: d for d in AdminDivision.objects.all()}
        for item in data.get("demo_units", []):
            _, created = Unit.objects.get_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "short_name": item.get("short_name", ""),
                    "kind": item["kind"],
                    "parent": Unit.objects.filter(code=item.get("parent") or "").first(),
                    "division": divisions.get(item.get("division_adcode")),
                },
            )
            report.units += created
        for item in data["projects"]:
            if Project.objects.filter(code=item["code"]).exists():
                report.skipped += 1
                continue
            try:
                _load_project(plan, item, divisions, today)
            except (KeyError, Unit.DoesNotExist, Industry.DoesNotExist) as exc:
                raise DemoDataError(f"demo project {item.get('code')}: {exc!r}") from exc
            report.projects += 1
    return report


def _units(codes) -> list[Unit]:
    return [Unit.objects.get(code=code) for code in codes]


def _load_project(plan: Plan, item: dict, divisions: dict, today: date) -> None:
    declared = item["declared_on"]
    project = Project.objects.create(
        code=item["code"],
        name=item["name"],
        summary=item.get("summary", ""),
        plan=plan,
        industry=Industry.objects.get(code=item["industry"]),
        lead_unit=Unit.objects.get(code=item["lead_unit"]),
        operator=Unit.objects.filter(code=item.get("operator") or "").first(),
        prefecture=divisions[item["prefecture"]],
        county=divisions.get(item.get("county")),
        lon=item.get("lon"),
        lat=item.get("lat"),
        budget_wan=item.get("budget_wan"),
        start_date=item.get("start_date"),
        end_date=item.get("end_date"),
        declared_on=declared,
        state=ProjectState.DECLARED,
        state_since=declared,
        is_demo=True,
    )
    project.scenarios.set(Scenario.objects.filter(code__in=item.get("scenarios", [])))
    project.tasks.set(Task.objects.filter(plan=plan, code__in=item.get("tasks", [])))
    project.work_points.set(
        WorkPoint.objects.filter(plan=plan, code__in=item.get("work_points", []))
    )
    project.participating_units.set(_units(item.get("participating_units", [])))
    _replay_history(project, item, today)
    _add_milestones(project, item.get("milestones", []), today)
    _add_reports(project, item.get("reports") or {}, today)
    for kpi in item.get("kpis", []):
        Kpi.objects.create(
            project=project,
            name=kpi["name"],
            measure_unit=kpi.get("unit", ""),
            target=kpi["target"],
            actual=kpi.get("actual"),
            higher_is_better=kpi.get("higher_is_better", True),
        )


def _replay_history(project: Project, item: dict, today: date) -> None:
    steps = [("", ProjectState.DECLARED, item["declared_on"], "")]
    previous = ProjectState.DECLARED
    for step in item.get("history", []):
        if step["on"] > today:
            break
        steps.append((previous, step["to"], step["on"], step.get("reason", "")))
        previous = step["to"]
    for from_state, to_state, on, note in steps:
        ProjectTransition.objects.create(
            project=project, from_state=from_state, to_state=to_state, effective_on=on, note=note
        )
    project.state, project.state_since = steps[-1][1], steps[-1][2]
    if project.state == ProjectState.TERMINATED:
        project.termination_reason = steps[-1][3]
    project.save()


def _add_milestones(project: Project, milestones: list[dict], today: date) -> None:
    for m in milestones:
        completed = m.get("completed") if m.get("completed") and m["completed"] <= today else None
        accepted = (
            m.get("accepted")
            if completed and m.get("accepted") and m["accepted"] <= today
            else None
        )
        status = (
            MilestoneStatus.ACCEPTED
            if accepted
            else MilestoneStatus.COMPLETED
            if completed
            else MilestoneStatus.PENDING
        )
        Milestone.objects.create(
            project=project,
            title=m["title"],
            due_date=m["due"],
            completed_on=completed,
            accepted_on=accepted,
            status=status,
        )


def _reporting_months(project: Project, today: date):
    transitions = list(project.transitions.order_by("effective_on", "id"))
    months = []
    for index, step in enumerate(transitions):
        if step.to_state not in REPORTING_STATES:
            continue
        end = transitions[index + 1].effective_on if index + 1 < len(transitions) else today
        month = step.effective_on.replace(day=1)
        while month <= end and month < today.replace(day=1):
            if month not in months:
                months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
    return months


def _add_reports(project: Project, spec: dict, today: date) -> None:
    texts = spec.get("texts") or ["按计划推进建设，完成本月既定工作。"]
    late = {str(m) for m in spec.get("late", [])}
    missing = {str(m) for m in spec.get("missing", [])}
    filed_day = int(spec.get("filed_day", 6))
    for index, month in enumerate(_reporting_months(project, today)):
        key = f"{month:%Y-%m}"
        if key in missing:
            continue
        next_month = (month + timedelta(days=32)).replace(day=1)
        filed = next_month.replace(day=LATE_DAY if key in late else min(filed_day, 28))
        if filed > today:
            continue
        ProgressReport.objects.create(
            project=project,
            period=month,
            summary=texts[index % len(texts)],
            status=ReportStatus.SUBMITTED,
            submitted_on=filed,
        )
