from datetime import date

from xizang5g.core.models import Unit
from xizang5g.plan import progress, services
from xizang5g.plan.models import Goal

FIVE = ["medical", "education", "culture-tourism", "mining", "park"]
SCENARIO_OF = {
    "medical": "remote-diagnosis",
    "education": "remote-interactive-teaching",
    "culture-tourism": "crowd-flow-warning",
    "mining": "mine-safety-monitoring",
    "park": "iot",
}


def _to_building(project, on):
    services.project_transition(project=project, to_state="approved", user=None, effective_on=on)
    services.milestone_create(
        project=project, user=None, title="里程碑", due_date=date(2021, 6, 30)
    )
    services.project_transition(project=project, to_state="building", user=None, effective_on=on)


def test_2020_goal_counts_industries_with_pilots_under_way(plan, make_project):
    from xizang5g.plan.models import Scenario

    goal = Goal.objects.get(plan=plan, year=2020)
    projects = {}
    for industry in FIVE:
        scenario = SCENARIO_OF[industry]
        assert Scenario.objects.filter(code=scenario).exists(), scenario
        codes = (scenario,)
        projects[industry] = make_project(
            industry=industry, scenarios=codes, declared_on=date(2020, 3, 1)
        )
    for industry in FIVE[:4]:
        _to_building(projects[industry], date(2020, 6, 1))
    result = progress.goal_attainment(goal, date(2020, 12, 31))
    assert result.value == 4 and not result.met
    assert {item.code for item in result.counted} == set(FIVE[:4])
    _to_building(projects["park"], date(2020, 12, 1))
    assert progress.goal_attainment(goal, date(2020, 12, 31)).met
    # as of a date before the last pilot started, the goal was not met yet
    assert progress.goal_attainment(goal, date(2020, 11, 30)).value == 4
    # an industry outside the five does not count toward the 2020 goal
    other = make_project(
        industry="agriculture", scenarios=("crop-dispatch",), declared_on=date(2020, 3, 1)
    )
    _to_building(other, date(2020, 6, 1))
    assert progress.goal_attainment(goal, date(2020, 12, 31)).value == 5


def test_2022_goal_needs_running_scenarios_and_a_case(plan, make_project):
    goal = Goal.objects.get(plan=plan, year=2022)
    goal.target = 1
    goal.save()
    project = make_project(declared_on=date(2021, 1, 5))
    _to_building(project, date(2021, 2, 1))
    assert progress.goal_attainment(goal, date(2022, 12, 31)).value == 0  # building is not running
    services.report_save(
        project=project,
        user=None,
        period=date(2021, 2, 1),
        summary="进展",
        submit=True,
        submitted_on=date(2021, 3, 5),
    )
    services.project_transition(
        project=project, to_state="trial", user=None, effective_on=date(2021, 9, 1)
    )
    result = progress.goal_attainment(goal, date(2022, 12, 31))
    assert result.value == 1 and result.counted[0].projects[0][0] == project
    assert not result.met  # no typical case yet
    milestone = project.milestones.get()
    services.milestone_complete(milestone=milestone, user=None, completed_on=date(2021, 6, 1))
    services.milestone_accept(milestone=milestone, user=None, accepted_on=date(2021, 6, 2))
    services.project_transition(
        project=project, to_state="accepted", user=None, effective_on=date(2022, 3, 1)
    )
    services.kpi_save(project=project, user=None, name="KPI", target=1, actual=2)
    services.project_transition(
        project=project, to_state="case", user=None, effective_on=date(2022, 6, 1)
    )
    assert progress.goal_attainment(goal, date(2022, 12, 31)).met
    # terminated projects stop counting from their termination date
    assert progress.goal_attainment(goal, date(2021, 8, 31)).value == 0


def test_scorecard_rates_and_overdue(plan, make_project):
    project = make_project(declared_on=date(2021, 1, 1))
    services.project_transition(
        project=project, to_state="approved", user=None, effective_on=date(2021, 1, 2)
    )
    on_time = services.milestone_create(
        project=project, user=None, title="按期", due_date=date(2021, 3, 31)
    )
    services.milestone_create(project=project, user=None, title="逾期", due_date=date(2021, 4, 30))
    services.project_transition(
        project=project, to_state="building", user=None, effective_on=date(2021, 2, 1)
    )
    services.milestone_complete(milestone=on_time, user=None, completed_on=date(2021, 3, 30))
    services.report_save(
        project=project,
        user=None,
        period=date(2021, 2, 1),
        summary="二月",
        submit=True,
        submitted_on=date(2021, 3, 8),
    )
    services.report_save(
        project=project,
        user=None,
        period=date(2021, 3, 1),
        summary="三月",
        submit=True,
        submitted_on=date(2021, 4, 20),
    )
    as_of = date(2021, 5, 15)  # reports due for Feb, Mar, Apr (10 May); milestones due: both
    card = next(
        c
        for c in progress.unit_scorecards(plan, as_of)
        if c.unit == Unit.objects.get(code="health")
    )
    assert (card.milestones_due, card.milestones_on_time) == (2, 1)
    assert (card.reports_due, card.reports_on_time) == (3, 1)
    assert [m.title for m in card.overdue_milestones] == ["逾期"]
    assert [f"{r.period:%Y-%m}" for r in card.missing_reports] == ["2021-04"]
    items = progress.overdue_items(progress.load_projects(plan), as_of)
    assert {(i["kind"], i["title"]) for i in items} == {
        ("milestone", "逾期"),
        ("report", "2021-04"),
    }


def test_task_progress_status(plan, make_project):
    project = make_project(declared_on=date(2021, 1, 1))
    project.tasks.add(plan.tasks.get(code="T02"))
    rows = {row.item.code: row for row in progress.task_progress(plan, date(2021, 2, 1))}
    assert rows["T02"].status == "on_track" and rows["T03"].status == "not_started"
    services.project_transition(
        project=project, to_state="approved", user=None, effective_on=date(2021, 1, 2)
    )
    services.milestone_create(project=project, user=None, title="m", due_date=date(2021, 1, 20))
    rows = {row.item.code: row for row in progress.task_progress(plan, date(2021, 2, 1))}
    assert rows["T02"].status == "lagging" and rows["T02"].overdue_milestones
