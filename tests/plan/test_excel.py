"""Excel import template, all-or-nothing import with row-precise errors, and the exports."""

import io
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from xizang5g.core.models import ChangeLog
from xizang5g.plan import excel, services
from xizang5g.plan.models import Project

TEMPLATE_HEADERS = [
    "项目名称",
    "行业",
    "应用场景",
    "主要任务",
    "工作要点",
    "牵头单位",
    "参与单位",
    "运营商",
    "地市",
    "县区",
    "经度",
    "纬度",
    "预算（万元）",
    "开始日期",
    "计划结束日期",
    "申报日期",
    "项目简介",
]


def _client(client, user):
    client.force_login(user)
    return client


def _good_rows():
    return [
        {
            "项目名称": "拉萨市人民医院5G远程会诊",
            "行业": "医疗",  # an alias of 医疗健康
            "应用场景": "远程诊疗",
            "主要任务": "T02",
            "工作要点": "2",
            "牵头单位": "区卫生健康委",  # short name
            "参与单位": "中国移动西藏公司、中国电信西藏分公司",
            "运营商": "中国移动",  # prefix of the operator's name
            "地市": "拉萨市",
            "县区": "城关区",
            "经度": 91.13,
            "纬度": 29.65,
            "预算（万元）": 380.5,
            "开始日期": date(2020, 4, 1),
            "计划结束日期": "2020-12-31",
            "申报日期": date(2020, 3, 10),
            "项目简介": "三甲医院与县医院之间的5G远程会诊。",
        },
        {
            "项目名称": "日喀则5G远程互动教学",
            "行业": "智慧教育",
            "应用场景": "远程互动教学",
            "主要任务": "3",
            "工作要点": "WP03",
            "牵头单位": "西藏自治区卫生健康委员会",
            "地市": "日喀则",
            "开始日期": "2020/5/1",
            "申报日期": "2020年3月15日",
        },
        {
            "项目名称": "那曲5G医疗急救",
            "行业": "医疗健康",
            "牵头单位": "health",
            "地市": "540600",
        },
    ]


def _workbook(rows, headers=TEMPLATE_HEADERS, template: bytes | None = None) -> bytes:
    if template is not None:
        wb = load_workbook(io.BytesIO(template))
        sheet = wb[excel.DATA_SHEET]
        headers = [c.value for c in sheet[1]]
    else:
        wb = Workbook()
        sheet = wb.active
        sheet.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            if header in row:
                sheet.cell(row=r, column=c, value=row[header])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, name="projects.xlsx"):
    return SimpleUploadedFile(name, data, content_type=excel.XLSX_CONTENT_TYPE)


@pytest.fixture
def health_name(health_unit):
    # the full name of the unit the health editor belongs to, as the plan data spells it
    return health_unit.name


# --- template ------------------------------------------------------------------------------------
def test_template_downloads_and_reimports_after_filling(client, plan, plan_admin):
    response = _client(client, plan_admin).get(reverse("plan:project_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    template = response.content
    wb = load_workbook(io.BytesIO(template))
    assert wb.sheetnames[:2] == [excel.DATA_SHEET, excel.VALUES_SHEET]
    assert [c.value for c in wb[excel.DATA_SHEET][1]] == TEMPLATE_HEADERS
    values = wb[excel.VALUES_SHEET]
    header = [c.value for c in values[1]]

    def listed(name):
        column = values.iter_cols(min_col=header.index(name) + 1, max_col=header.index(name) + 1)
        return [c.value for c in next(column)[1:] if c.value]

    industries = listed("行业")
    assert "医疗健康" in industries and len(industries) >= 16
    prefectures = listed("地市")
    assert len(prefectures) == 7
    counties = listed("县区")
    assert len(counties) == 74
    validations = wb[excel.DATA_SHEET].data_validations.dataValidation
    assert any(v.type == "list" and "有效值" in v.formula1 for v in validations)

    filled = _workbook(_good_rows(), template=template)
    response = client.post(reverse("plan:project_import"), {"file": _upload(filled)})
    assert response.status_code == 302, response.content.decode()[:2000]
    projects = {p.name: p for p in Project.objects.all()}
    assert set(projects) == {r["项目名称"] for r in _good_rows()}
    first = projects["拉萨市人民医院5G远程会诊"]
    assert first.industry.code == "medical"
    assert first.lead_unit.code == "health"
    assert first.operator.code == "cm-xz"
    assert {u.code for u in first.participating_units.all()} == {"cm-xz", "ct-xz"}
    assert first.county.name_zh == "城关区" and first.prefecture.adcode == 540100
    assert [t.code for t in first.tasks.all()] == ["T02"]
    assert [w.code for w in first.work_points.all()] == ["WP02"]
    assert str(first.budget_wan) == "380.50"
    assert first.end_date == date(2020, 12, 31) and first.declared_on == date(2020, 3, 10)
    assert first.state == "declared" and first.transitions.count() == 1
    second = projects["日喀则5G远程互动教学"]
    assert second.prefecture.name_zh == "日喀则市"
    assert second.start_date == date(2020, 5, 1) and second.declared_on == date(2020, 3, 15)
    assert [t.code for t in second.tasks.all()] == ["T03"]


# --- all or nothing --------------------------------------------------------------------------------
def test_one_bad_row_writes_nothing_and_is_reported_precisely(plan, plan_admin):
    rows = _good_rows()
    rows.insert(1, {**rows[0], "项目名称": "坏行", "行业": "医药", "县区": "桑珠孜区"})
    result = excel.projects_import(upload=_upload(_workbook(rows)), user=plan_admin, plan=plan)
    assert not result.ok and result.projects == []
    assert Project.objects.count() == 0
    assert {(e.row, e.column, e.value) for e in result.errors} == {
        (3, "行业", "医药"),
        (3, "县区", "桑珠孜区"),
    }
    industry_error = next(e for e in result.errors if e.column == "行业")
    with translation.override("en"):
        assert str(industry_error) == "Row 3 行业: unknown industry '医药'"


def test_service_rules_are_checked_per_row_and_nothing_written(plan, plan_admin):
    rows = _good_rows()
    rows[2] = {**rows[2], "开始日期": "2020-06-01", "计划结束日期": "2020-01-01"}
    rows[1] = {**rows[1], "经度": 120.0, "纬度": 29.0}
    result = excel.projects_import(upload=_upload(_workbook(rows)), user=plan_admin, plan=plan)
    assert Project.objects.count() == 0
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(4, "计划结束日期"), (3, "经度")}


def test_formats_required_and_duplicates(plan, plan_admin):
    rows = [
        {"项目名称": "", "行业": "医疗", "牵头单位": "health", "地市": "拉萨市"},
        {
            "项目名称": "甲",
            "行业": "医疗",
            "牵头单位": "不存在的单位",
            "地市": "拉萨市",
            "经度": "abc",
            "开始日期": "明年",
            "预算（万元）": -5,
            "应用场景": "远程诊疗、火星漫游",
        },
        {"项目名称": "乙", "行业": "医疗", "牵头单位": "health", "地市": "拉萨市"},
        {"项目名称": "乙", "行业": "医疗", "牵头单位": "health", "地市": "拉萨市"},
    ]
    result = excel.projects_import(upload=_upload(_workbook(rows)), user=plan_admin, plan=plan)
    found = {(e.row, e.column, e.value) for e in result.errors}
    assert (2, "项目名称", "") in found
    assert {(3, "牵头单位", "不存在的单位"), (3, "经度", "abc"), (3, "开始日期", "明年")} <= found
    assert (3, "预算（万元）", "-5") in found
    assert (3, "应用场景", "火星漫游") in found
    assert (5, "项目名称", "乙") in found  # the duplicate of row 4
    assert Project.objects.count() == 0


def test_unit_editor_imports_only_its_own_unit(plan, health_editor, other_editor):
    rows = _good_rows()[:1]
    result = excel.projects_import(upload=_upload(_workbook(rows)), user=other_editor, plan=plan)
    assert [(e.row, e.column) for e in result.errors] == [(2, "牵头单位")]
    assert Project.objects.count() == 0
    result = excel.projects_import(upload=_upload(_workbook(rows)), user=health_editor, plan=plan)
    assert result.ok and len(result.projects) == 1
    entry = ChangeLog.objects.get(
        content_type=ContentType.objects.get_for_model(Project),
        object_id=str(result.projects[0].pk),
        action="create",
    )
    assert entry.user == health_editor
    # importing the same file again is refused (already registered), nothing duplicated
    again = excel.projects_import(upload=_upload(_workbook(rows)), user=health_editor, plan=plan)
    assert not again.ok and "P2020-001" in again.errors[0].message
    assert Project.objects.count() == 1


def test_bad_files_are_rejected_with_a_precise_message(client, plan, plan_admin, viewer):
    with pytest.raises(excel.ImportFileError, match="not an Excel"):
        excel.projects_import(upload=_upload(b"a,b\n", "p.csv"), user=plan_admin, plan=plan)
    with pytest.raises(excel.ImportFileError, match=r"\.xls"):
        excel.projects_import(upload=_upload(b"\xd0\xcf", "p.xls"), user=plan_admin, plan=plan)
    with pytest.raises(excel.ImportFileError, match="damaged"):
        excel.projects_import(upload=_upload(b"PK\x03\x04garbage"), user=plan_admin, plan=plan)
    wrong = _workbook([{"名称": "x"}], headers=["名称", "行业", "地市"])
    with pytest.raises(excel.ImportFileError, match="名称") as info:
        excel.projects_import(upload=_upload(wrong), user=plan_admin, plan=plan)
    assert "项目名称" in str(info.value) and "牵头单位" in str(info.value)
    empty = _workbook([])
    with pytest.raises(excel.ImportFileError, match="no project rows"):
        excel.projects_import(upload=_upload(empty), user=plan_admin, plan=plan)

    # through the page: the message is shown, nothing written, a viewer may not import
    response = _client(client, plan_admin).post(
        reverse("plan:project_import"), {"file": _upload(b"not a workbook", "x.xlsx")}
    )
    assert response.status_code == 422
    assert "import-file-error" in response.content.decode()
    rows = _good_rows()
    rows[0]["行业"] = "医药"
    response = client.post(reverse("plan:project_import"), {"file": _upload(_workbook(rows))})
    assert response.status_code == 422
    html = response.content.decode()
    assert "import-errors" in html and "医药" in html
    assert Project.objects.count() == 0
    client.logout()
    _client(client, viewer)
    assert client.get(reverse("plan:project_import")).status_code == 403
    assert client.get(reverse("plan:project_import_template")).status_code == 200


# --- exports -------------------------------------------------------------------------------------
def _advance(project, user, *, build_on, milestone_due):
    services.project_transition(
        project=project, to_state="approved", user=user, effective_on=build_on
    )
    services.milestone_create(project=project, user=user, title="专网开通", due_date=milestone_due)
    services.project_transition(
        project=project, to_state="building", user=user, effective_on=build_on
    )


def test_progress_export_lists_the_work_points_as_of(client, plan, plan_admin, make_project):
    from xizang5g.plan.models import WorkPoint

    wp2 = WorkPoint.objects.get(plan=plan, code="WP02")
    project = make_project(name="远程会诊", declared_on=date(2020, 3, 1))
    project.work_points.add(wp2)
    _advance(project, None, build_on=date(2020, 5, 1), milestone_due=date(2020, 8, 31))

    _client(client, plan_admin)
    response = client.get(reverse("plan:progress_export"), {"as_of": "2020-10-01"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["工作要点进展", "主要任务进展"]
    sheet = wb["工作要点进展"]
    assert "2020年10月01日" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == [
        "序号",
        "主要任务",
        "任务内容",
        "责任单位",
        "进展",
        "状态",
    ]
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert [r[0] for r in body] == list(range(1, 10))  # the annex's 9 work points
    row2 = body[1]
    assert "建设中1个" in row2[4] and "逾期里程碑1项" in row2[4]
    assert row2[5] == "滞后"
    assert sum(r[5] == "未启动" for r in body) == 8
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.cell(row=4, column=3).alignment.wrap_text
    assert len(list(wb["主要任务进展"].iter_rows(min_row=4))) == 11

    # before the project existed, nothing had started
    response = client.get(reverse("plan:progress_export"), {"as_of": "2020-02-01"})
    body = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(response.content))["工作要点进展"].iter_rows(min_row=4)
    ]
    assert {r[5] for r in body} == {"未启动"}
    assert client.get(reverse("plan:progress_export"), {"as_of": "2020-13-01"}).status_code == 400


def test_scorecards_export_has_the_numbers(client, plan, plan_admin, make_project, health_unit):
    on_time = make_project(name="按期项目", declared_on=date(2020, 3, 1))
    _advance(on_time, None, build_on=date(2020, 4, 1), milestone_due=date(2020, 6, 30))
    services.milestone_complete(
        milestone=on_time.milestones.get(), user=None, completed_on=date(2020, 6, 20)
    )
    late = make_project(name="滞后项目", declared_on=date(2020, 3, 1))
    _advance(late, None, build_on=date(2020, 4, 1), milestone_due=date(2020, 7, 31))
    services.report_save(
        project=late,
        user=None,
        period=date(2020, 4, 1),
        summary="进展",
        submit=True,
        submitted_on=date(2020, 5, 8),
    )
    response = _client(client, plan_admin).get(
        reverse("plan:scorecards_export"), {"as_of": "2020-09-01"}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["单位考核"]
    headers = [c.value for c in sheet[3]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 1
    row = dict(zip(headers, rows[0], strict=True))
    assert row["责任单位"] == health_unit.name
    assert row["项目数"] == 2 and row["建设中"] == 2
    assert row["到期里程碑"] == 2 and row["按期完成"] == 1
    assert row["里程碑按期率"] == pytest.approx(0.5)
    # reports due by 2020-09-01 for both projects: Apr–Jul (due by the 10th of the next month)
    assert row["应报月报"] == 8 and row["按期报送"] == 1
    assert row["逾期里程碑"] == 1 and row["缺报月报"] == 7
    assert row["逾期事项合计"] == 8
    overdue = [[c.value for c in r] for r in wb["逾期事项"].iter_rows(min_row=4)]
    assert len(overdue) == 8
    assert overdue[0][3] == "月度报告"  # the oldest first


# --- the page in a browser -----------------------------------------------------------------------
@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_import_page_in_the_browser(plan, health_editor, page, login, screenshot, tmp_path):
    rows = _good_rows()
    rows.insert(2, {**rows[0], "项目名称": "错误示例", "行业": "医药", "地市": "上海市"})
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_workbook(rows))
    login(health_editor.username)
    page.goto(reverse("plan:project_import"))
    page.set_input_files("input[type=file]", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-errors")
    table = page.inner_text("#import-errors")
    assert "医药" in table and "上海市" in table and "4" in table
    screenshot("plan_import_errors")
    assert Project.objects.count() == 0

    good = tmp_path / "good.xlsx"
    good.write_bytes(_workbook(_good_rows()))
    page.set_input_files("input[type=file]", str(good))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/plan/projects/")
    assert "P2020-001" in page.inner_text("body")
    assert Project.objects.count() == 3
