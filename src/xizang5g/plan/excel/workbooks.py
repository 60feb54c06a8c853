"""Workbooks the platform writes: the import template, the annex-style progress table and the
unit scorecards, printable (A4 landscape, repeated header, page numbers)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.plan import progress
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.excel.layout import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    HELP_SHEET,
    IMPORT_MAX_ROWS,
    STATE_ZH,
    STATUS_ZH,
    VALUES_SHEET,
)
from xizang5g.plan.models import Industry, Plan, Project, Scenario

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TITLE_FONT = Font(name="SimHei", size=16, bold=True)
HEADER_FONT = Font(name="SimHei", size=11, bold=True)
BODY_FONT = Font(name="SimSun", size=10.5)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
STATUS_FILL = {
    "not_started": PatternFill("solid", fgColor="EDEDED"),
    "on_track": PatternFill("solid", fgColor="E2EFDA"),
    "lagging": PatternFill("solid", fgColor="FCE4D6"),
    "completed": PatternFill("solid", fgColor="DDEBF7"),
}


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _line_count(text: str, width: float) -> int:
    """Printed lines of `text` in a column `width` characters wide (CJK counts double)."""
    lines = 0
    for part in str(text).split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        lines += max(1, -(-units // max(int(width * 1.1), 1)))
    return lines


def _table_sheet(sheet, *, title: str, subtitle: str, headers, widths, rows, centre_cols=()):
    """A printable table: title rows, bordered wrapped cells, frozen header, repeated on pages."""
    ncols = len(headers)
    last = get_column_letter(ncols)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"] = subtitle
    sheet["A2"].font = BODY_FONT
    sheet["A2"].alignment = Alignment(horizontal="right", vertical="center")
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=3, column=col, value=header)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[3].height = 22
    for r, (values, fill) in enumerate(rows, start=4):
        height = 1
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = CENTER if col in centre_cols else WRAP_TOP
            if isinstance(value, float) and col not in centre_cols:
                cell.number_format = "0.0%"
            if isinstance(value, str):
                height = max(height, _line_count(value, widths[col - 1]))
        if fill is not None:
            sheet.cell(row=r, column=ncols).fill = fill
        sheet.row_dimensions[r].height = min(409, max(18, 14.5 * height + 4))
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def import_template(*, plan: Plan) -> bytes:
    """The import workbook: header row, a sheet of valid values and drop-down lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    for col, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=column.header)
        cell.font, cell.border, cell.alignment = HEADER_FONT, BORDER, CENTER
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        if column.note:
            cell.comment = Comment(column.note, "xizang5g")
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 24

    values = workbook.create_sheet(VALUES_SHEET)
    lists = {
        "行业": [i.name for i in Industry.objects.order_by("order", "code")],
        "应用场景": [s.name for s in Scenario.objects.select_related("industry")],
        "主要任务": [f"{t.code} {t.title}" for t in plan.tasks.order_by("number")],
        "工作要点": [
            f"{w.code} {w.category}：{w.text.strip()[:40]}"
            for w in plan.work_points.order_by("year", "number")
        ],
        "单位": [u.name for u in Unit.objects.filter(is_active=True).order_by("kind", "code")],
        "运营商": [u.name for u in Unit.objects.filter(is_active=True, kind=UnitKind.OPERATOR)],
        "地市": [
            d.name_zh for d in AdminDivision.objects.filter(level="prefecture").order_by("adcode")
        ],
        "县区": [
            d.name_zh for d in AdminDivision.objects.filter(level="county").order_by("adcode")
        ],
        "县区所属地市": [
            d.parent.name_zh if d.parent else ""
            for d in AdminDivision.objects.filter(level="county")
            .select_related("parent")
            .order_by("adcode")
        ],
    }
    ranges = {}
    for col, (header, items) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        cell = values.cell(row=1, column=col, value=header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        for r, item in enumerate(items, start=2):
            values.cell(row=r, column=col, value=item)
        values.column_dimensions[letter].width = 40 if header in ("工作要点", "单位") else 22
        ranges[header] = f"'{VALUES_SHEET}'!${letter}$2:${letter}${max(len(items), 1) + 1}"
    values.freeze_panes = "A2"

    last_row = IMPORT_MAX_ROWS + 1

    def dropdown(key: str, list_name: str) -> None:
        letter = get_column_letter(list(COLUMN_BY_KEY).index(key) + 1)
        rule = DataValidation(
            type="list",
            formula1=ranges[list_name],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=COLUMN_BY_KEY[key].header,
            error="不在“有效值”表中；名称可用简称或别名，导入时会逐行核对。",
        )
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(rule)

    dropdown("industry", "行业")
    dropdown("lead_unit", "单位")
    dropdown("operator", "运营商")
    dropdown("prefecture", "地市")
    dropdown("county", "县区")
    for key in ("start_date", "end_date", "declared_on"):
        letter = get_column_letter(list(COLUMN_BY_KEY).index(key) + 1)
        rule = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="36526",  # 2000-01-01
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=COLUMN_BY_KEY[key].header,
            error="请填写日期，如 2020-03-01",
        )
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(rule)
        for r in range(2, 202):
            sheet[f"{letter}{r}"].number_format = "yyyy-mm-dd"
    for key, low, high in (("lon", 78, 99.5), ("lat", 26.5, 36.6)):
        letter = get_column_letter(list(COLUMN_BY_KEY).index(key) + 1)
        rule = DataValidation(
            type="decimal",
            operator="between",
            formula1=str(low),
            formula2=str(high),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=COLUMN_BY_KEY[key].header,
            error=f"应在 {low} 与 {high} 之间（西藏范围，WGS84）",
        )
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(rule)

    helper = workbook.create_sheet(HELP_SHEET)
    helper.column_dimensions["A"].width = 16
    helper.column_dimensions["B"].width = 70
    helper["A1"] = f"{plan.title} 试点项目批量申报模板"
    helper["A1"].font = TITLE_FONT
    helper.append([])
    helper.append(["列", "填写要求"])
    for column in COLUMNS:
        helper.append([column.header + ("（必填）" if column.required else ""), column.note])
    helper.append([])
    helper.append(
        ["说明", "从第2行起每行填写一个项目，不要修改表头。任一行有误时整份文件都不会导入，"]
    )
    helper.append(["", "系统会列出每个错误所在的行、列和原因；改正后重新上传即可。"])
    for row in helper.iter_rows(min_row=3, max_row=3 + len(COLUMNS)):
        for cell in row:
            cell.border = BORDER
            cell.alignment = WRAP_TOP
    workbook.active = 0
    return _to_bytes(workbook)


def _units_text(item) -> str:
    if getattr(item, "responsible_text", ""):
        return item.responsible_text
    units = list(item.units.all()) if hasattr(item, "units") else list(item.lead_units.all())
    return "、".join(str(u) for u in units)


def progress_summary(entry: progress.ItemProgress, as_of: date) -> str:
    """The 进展 cell: project counts per state and overdue milestones as of the date."""
    if not entry.projects:
        return "尚无试点项目。"
    counts = entry.state_counts
    parts = [f"{STATE_ZH[s]}{counts[s]}个" for s in ProjectState.values if counts.get(s)]
    lines = [f"共{len(entry.projects)}个试点项目：" + "、".join(parts) + "。"]
    names = "、".join(row.project.name for row in entry.projects[:6])
    more = f"等{len(entry.projects)}个" if len(entry.projects) > 6 else ""
    lines.append(f"项目：{names}{more}。")
    if entry.overdue_milestones:
        overdue = [
            f"{m.project.name}“{m.title}”（应于{m.due_date:%Y-%m-%d}完成，"
            f"逾期{(as_of - m.due_date).days}天）"
            for m in entry.overdue_milestones[:5]
        ]
        extra = f"等{len(entry.overdue_milestones)}项" if len(entry.overdue_milestones) > 5 else ""
        lines.append(
            f"逾期里程碑{len(entry.overdue_milestones)}项：" + "；".join(overdue) + extra + "。"
        )
    return "\n".join(lines)


PROGRESS_HEADERS = ["序号", "主要任务", "任务内容", "责任单位", "进展", "状态"]
PROGRESS_WIDTHS = [6, 16, 48, 22, 48, 10]


def progress_workbook(
    *, plan: Plan, as_of: date, projects: list[Project], scope: str = "全区"
) -> bytes:
    """The annex-style progress table: work points, then main tasks, as of `as_of`, over the
    projects of `scope` (the region, or the projects a unit may see)."""
    workbook = Workbook()
    subtitle = f"截至 {as_of:%Y年%m月%d日}　　范围：{scope}　　共 {len(projects)} 个试点项目"
    sheet = workbook.active
    sheet.title = "工作要点进展"
    _progress_sheet(
        sheet,
        title=f"{plan.title}工作要点推进情况",
        subtitle=subtitle,
        entries=progress.work_point_progress(plan, as_of, projects),
        heading=lambda point: point.category,
        as_of=as_of,
    )
    _progress_sheet(
        workbook.create_sheet("主要任务进展"),
        title=f"{plan.title}主要任务推进情况",
        subtitle=subtitle,
        entries=progress.task_progress(plan, as_of, projects),
        heading=lambda task: task.title,
        as_of=as_of,
    )
    return _to_bytes(workbook)


def _progress_sheet(sheet, *, title: str, subtitle: str, entries, heading, as_of: date) -> None:
    """One progress table: a row per work point or task, its status coloured."""
    rows = [
        (
            [
                entry.item.number,
                heading(entry.item),
                entry.item.text.strip(),
                _units_text(entry.item),
                progress_summary(entry, as_of),
                STATUS_ZH[entry.status],
            ],
            STATUS_FILL[entry.status],
        )
        for entry in entries
    ]
    _table_sheet(
        sheet,
        title=title,
        subtitle=subtitle,
        headers=PROGRESS_HEADERS,
        widths=PROGRESS_WIDTHS,
        rows=rows,
        centre_cols=(1, 6),
    )


SCORECARD_STATES = [
    ProjectState.DECLARED,
    ProjectState.APPROVED,
    ProjectState.BUILDING,
    ProjectState.TRIAL,
    ProjectState.ACCEPTED,
    ProjectState.CASE,
    ProjectState.TERMINATED,
]


def scorecards_workbook(
    *, plan: Plan, as_of: date, projects: list[Project], scope: str = "全区"
) -> bytes:
    """Unit scorecards: projects by state, on-time rates of milestones and reports, overdue items,
    over the projects of `scope`."""
    workbook = Workbook()
    cards = progress.unit_scorecards(plan, as_of, projects)
    headers = [
        "序号",
        "责任单位",
        "项目数",
        *[STATE_ZH[s] for s in SCORECARD_STATES],
        "到期里程碑",
        "按期完成",
        "里程碑按期率",
        "应报月报",
        "按期报送",
        "月报按期率",
        "逾期里程碑",
        "缺报月报",
        "逾期事项合计",
    ]
    widths = [6, 26, 8, *[8] * len(SCORECARD_STATES), 10, 9, 11, 9, 9, 11, 10, 9, 11]
    rows = []
    for number, card in enumerate(cards, start=1):
        counts = card.state_counts
        rows.append(
            (
                [
                    number,
                    card.unit.name,
                    len(card.projects),
                    *[counts.get(s, 0) for s in SCORECARD_STATES],
                    card.milestones_due,
                    card.milestones_on_time,
                    card.milestone_rate if card.milestone_rate is not None else "—",
                    card.reports_due,
                    card.reports_on_time,
                    card.report_rate if card.report_rate is not None else "—",
                    len(card.overdue_milestones),
                    len(card.missing_reports),
                    card.overdue_count,
                ],
                PatternFill("solid", fgColor="FCE4D6") if card.overdue_count else None,
            )
        )
    sheet = workbook.active
    sheet.title = "单位考核"
    numeric = tuple(c for c in range(1, len(headers) + 1) if c != 2)
    _table_sheet(
        sheet,
        title=f"{plan.title}责任单位考核情况",
        subtitle=f"截至 {as_of:%Y年%m月%d日}　　范围：{scope}　　按期率 = 按期完成数 ÷ 到期数",
        headers=headers,
        widths=widths,
        rows=rows,
        centre_cols=numeric,
    )
    rate_columns = (headers.index("里程碑按期率") + 1, headers.index("月报按期率") + 1)
    for r in range(4, 4 + len(rows)):
        for c in rate_columns:
            sheet.cell(row=r, column=c).number_format = "0.0%"

    items = progress.overdue_items(projects, as_of)
    detail = [
        (
            [
                number,
                item["project"].lead_unit.name,
                f"{item['project'].code} {item['project'].name}",
                "里程碑" if item["kind"] == "milestone" else "月度报告",
                item["title"],
                item["due"].isoformat(),
                item["days"],
            ],
            None,
        )
        for number, item in enumerate(items, start=1)
    ]
    _table_sheet(
        workbook.create_sheet("逾期事项"),
        title=f"{plan.title}逾期事项清单",
        subtitle=f"截至 {as_of:%Y年%m月%d日}　　共 {len(items)} 项",
        headers=["序号", "责任单位", "项目", "类型", "事项", "应完成日期", "逾期天数"],
        widths=[6, 26, 36, 10, 24, 12, 10],
        rows=detail,
        centre_cols=(1, 4, 6, 7),
    )
    return _to_bytes(workbook)
