from pathlib import Path

import pytest

from xizang5g.core.models import ChangeLog, Unit
from xizang5g.plan.loader import PlanFileError, plan_load
from xizang5g.plan.models import Goal, Plan, Scenario, Task, WorkPoint

from .conftest import PLAN_FILE


def test_plan_file_loads_exactly_the_plan(plan):
    assert plan.title == "西藏自治区5G应用实施方案"
    assert Goal.objects.filter(plan=plan).count() == 3
    assert Task.objects.filter(plan=plan).count() == 11
    assert WorkPoint.objects.filter(plan=plan).count() == 9
    assert sorted(plan.goals.values_list("year", "target")) == [(2020, 5), (2021, 10), (2022, 30)]
    # units named in the text, including the three operators and the seven prefecture governments
    assert set(Unit.objects.filter(kind="operator").values_list("code", flat=True)) == {
        "ct-xz",
        "cm-xz",
        "cu-xz",
    }
    assert Unit.objects.filter(kind="prefecture_government").count() == 7
    for name in ("远程诊疗", "院前急救", "人流预警", "智慧停车", "矿区安全监控", "无人机巡检"):
        assert Scenario.objects.filter(name=name).exists(), name


def test_task_units_and_group_expansion(plan):
    task4 = Task.objects.get(plan=plan, code="T04")
    assert task4.lead_units.get().code == "econ-it"
    # 各地（市）行署（人民政府） expands to the seven prefecture governments
    assert task4.participating_units.filter(kind="prefecture_government").count() == 7
    wp1 = WorkPoint.objects.get(plan=plan, code="WP01")
    assert set(wp1.units.values_list("code", flat=True)) >= {
        "comms-admin",
        "ct-xz",
        "cm-xz",
        "cu-xz",
    }
    assert "基础电信企业" in wp1.responsible_text


def test_reloading_the_same_file_changes_nothing(plan):
    before = ChangeLog.objects.count()
    report = plan_load(path=PLAN_FILE)
    assert report.counts == {}
    assert ChangeLog.objects.count() == before


def test_changed_file_updates_in_place_and_is_change_logged(plan, tmp_path):
    text = PLAN_FILE.read_text(encoding="utf-8").replace("target: 30", "target: 32", 1)
    changed = tmp_path / "plan.yaml"
    changed.write_text(text, encoding="utf-8")
    report = plan_load(path=changed)
    goal = Goal.objects.get(plan=plan, code="G2022")
    assert goal.target == 32
    assert report.counts == {"goal updated": 1, "plan updated": 1}  # the file hash changed too
    entry = ChangeLog.objects.filter(object_id=str(goal.pk), action="update").latest("time")
    assert entry.before["target"] == 30 and entry.after["target"] == 32
    assert Plan.objects.count() == 1


def _broken(tmp_path, old, new) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(PLAN_FILE.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_malformed_field_is_rejected_with_line_and_field_and_nothing_written(
    db, divisions, tmp_path
):
    path = _broken(tmp_path, "target: 10", "target: ten")
    with pytest.raises(PlanFileError) as caught:
        plan_load(path=path)
    problem = caught.value.problems[0]
    expected_line = next(
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "target: ten" in line
    )
    assert problem.line == expected_line
    assert problem.field == "goals[1].target"
    assert Plan.objects.count() == 0 and Unit.objects.count() == 0


def test_unknown_reference_is_rejected(db, divisions, tmp_path):
    path = _broken(tmp_path, "units: [health, econ-it, basic-telecom]", "units: [health, nobody]")
    with pytest.raises(PlanFileError) as caught:
        plan_load(path=path)
    assert any("unknown unit 'nobody'" in p.message for p in caught.value.problems)
    assert any(p.field.startswith("work_points[1].units") for p in caught.value.problems)
    assert Task.objects.count() == 0


def test_yaml_syntax_error_names_the_line(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("schema_version: 1\nplan:\n  code: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        plan_load(path=path)
    assert caught.value.problems[0].line is not None
    assert "YAML syntax error" in caught.value.problems[0].message


def test_a_follow_up_plan_loads_the_same_way(plan, tmp_path):
    follow_up = tmp_path / "follow-up.yaml"
    follow_up.write_text(
        """schema_version: 1
plan:
  code: xz-5g-app-2023
  title: 西藏自治区5G应用“扬帆”行动（后续方案）
  period_start: 2023-01-01
  period_end: 2025-12-31
units:
  - {code: econ-it, name: 西藏自治区经济和信息化厅, short_name: 区经济和信息化厅, kind: department}
industries:
  - {code: medical, name: 医疗健康}
  - {code: energy, name: 智慧能源}
scenarios:
  - {code: remote-diagnosis, name: 远程诊疗, industry: medical}
  - {code: grid-inspection, name: 电网巡检, industry: energy}
goals:
  - {code: G2025, year: 2025, title: 50项应用场景, text: 到2025年培育50项以上应用场景,
     metric: scenarios_with_running_projects, target: 50}
tasks:
  - {code: T01, number: 1, title: 智慧能源, text: 推进5G+智慧能源。, lead_units: [econ-it],
     industries: [energy], scenarios: [grid-inspection]}
""",
        encoding="utf-8",
    )
    report = plan_load(path=follow_up)
    assert Plan.objects.count() == 2
    assert report.plan.tasks.count() == 1 and report.plan.goals.get().target == 50
    # the first plan is untouched
    assert Task.objects.filter(plan=plan).count() == 11


def test_command_reports_errors(db, divisions, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = _broken(tmp_path, "metric: scenarios_with_running_projects", "metric: vibes")
    with pytest.raises(CommandError, match=r"goals\[2\]\.metric"):
        call_command("plan_load", str(path))
