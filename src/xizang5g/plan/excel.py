"""Excel (.xlsx) exchange of plan supervision data.

* ``import_template`` — the workbook a unit fills in to register pilot projects in bulk;
* ``projects_import`` — validates EVERY row of such a workbook, then creates all projects in one
  transaction through ``services.project_create``, or writes nothing and reports each fault
  (row, column, value, message);
* ``progress_workbook`` — the annex-style progress table (one row per work point, a second sheet
  per main task) as of a date;
* ``scorecards_workbook`` — the unit scorecards as of a date.

Column headers, sheet names and the printed documents are a fixed Chinese format (the format of the
plan's annex and of the circulated template), independent of the UI language; error messages are
gettext strings with English source text.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xizang5g.core import access, limits
from xizang5g.core.choices import UnitKind
from xizang5g.core.imports import ImportRejected
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.plan import progress, selectors, services
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import Industry, Plan, Project, Scenario

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Projects in one upload: a unit registers tens at a time, the plan office a few thousand when
# it loads a prefecture's list; above XZ5G_IMPORT_BACKGROUND_ROWS rows the import is a job.
IMPORT_MAX_ROWS = 10_000

DATA_SHEET = "项目"
VALUES_SHEET = "有效值"
HELP_SHEET = "填写说明"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 16
    note: str = ""


# The import columns, in template order. Headers are matched exactly (surrounding spaces ignored).
COLUMNS = [
    Column("name", "项目名称", True, 30, "必填，不超过200字"),
    Column("industry", "行业", True, 14, "必填，行业名称或别名，见“有效值”表"),
    Column("scenarios", "应用场景", False, 24, "可填多个，用顿号“、”分隔，见“有效值”表"),
    Column("tasks", "主要任务", False, 12, "任务编号（如 T02）或序号（如 2），多个用“、”分隔"),
    Column("work_points", "工作要点", False, 12, "工作要点编号（如 WP02）或序号，多个用“、”分隔"),
    Column("lead_unit", "牵头单位", True, 26, "必填，单位全称、简称或别名"),
    Column("participating_units", "参与单位", False, 26, "可填多个，用“、”分隔"),
    Column("operator", "运营商", False, 20, "基础电信企业名称或简称"),
    Column("prefecture", "地市", True, 12, "必填，如 拉萨市"),
    Column("county", "县区", False, 12, "须属于所填地市，如 城关区"),
    Column("lon", "经度", False, 10, "WGS84，东经78–99.5度；与纬度同填或同空"),
    Column("lat", "纬度", False, 10, "WGS84，北纬26.5–36.6度"),
    Column("budget_wan", "预算（万元）", False, 12, "数字"),
    Column("start_date", "开始日期", False, 12, "日期，如 2020-03-01"),
    Column("end_date", "计划结束日期", False, 12, "日期，不早于开始日期"),
    Column("declared_on", "申报日期", False, 12, "日期；不填则为导入当天"),
    Column("summary", "项目简介", False, 40, ""),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")

# Chinese names of the project states and of the progress status, as printed in the annex.
STATE_ZH = {
    ProjectState.DECLARED: "申报",
    ProjectState.APPROVED: "立项",
    ProjectState.BUILDING: "建设中",
    ProjectState.TRIAL: "试运行",
    ProjectState.ACCEPTED: "验收",
    ProjectState.CASE: "典型案例",
    ProjectState.TERMINATED: "终止",
}
STATUS_ZH = {
    "not_started": "未启动",
    "on_track": "进展顺利",
    "lagging": "滞后",
    "completed": "已完成",
}


# ==== import =====================================================================================
@dataclass
class RowError:
    """One fault of an uploaded workbook. `row` is the Excel row number (None: the whole file)."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.column}: {self.message}" if self.column else self.message
        return _("Row %(row)s %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportFileError(limits.InputRejected):
    """The upload is not a usable template (not .xlsx, corrupt, too large, wrong headers);
    nothing written."""


@dataclass
class ImportResult:
    rows: int = 0
    projects: list[Project] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    raw: dict[str, object]
    values: dict = field(default_factory=dict)
    m2m: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, key: str, message: str, value: object = None) -> None:
        shown = self.raw.get(key) if value is None else value
        self.errors.append(
            RowError(self.number, COLUMN_BY_KEY[key].header, _display(shown), message)
        )


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


class _Index:
    """Name → object lookup that remembers ambiguous names."""

    def __init__(self):
        self._map: dict[str, set] = defaultdict(set)
        self._all: list[tuple[list[str], object]] = []

    def add(self, obj, *names) -> None:
        keys = [_key(str(n)) for n in names if n not in (None, "")]
        for key in keys:
            self._map[key].add(obj)
        self._all.append((keys, obj))

    def find(self, text: str, *, prefix: bool = False):
        """Return (obj, None) or (None, reason)."""
        key = _key(text)
        hits = self._map.get(key, set())
        if not hits and prefix and len(key) >= 2:
            hits = {obj for keys, obj in self._all if any(k.startswith(key) for k in keys)}
        if len(hits) == 1:
            return next(iter(hits)), None
        if len(hits) > 1:
            names = "、".join(sorted(str(h) for h in hits))
            return None, _("ambiguous, it matches %(names)s") % {"names": names}
        return None, ""


class _Catalogue:
    """Everything a row can refer to, loaded once per import."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.industries = _Index()
        for industry in Industry.objects.all():
            self.industries.add(industry, industry.code, industry.name, *industry.aliases)
        self.scenarios = _Index()
        for scenario in Scenario.objects.all():
            short = scenario.name[3:] if scenario.name.startswith("5G+") else None
            self.scenarios.add(scenario, scenario.code, scenario.name, f"5G+{scenario.name}", short)
        self.units = _Index()
        self.operators = _Index()
        for unit in Unit.objects.filter(is_active=True):
            names = (unit.code, unit.name, unit.short_name, *unit.aliases)
            self.units.add(unit, *names)
            if unit.kind == UnitKind.OPERATOR:
                self.operators.add(unit, *names)
        self.tasks = _Index()
        for task in plan.tasks.all():
            self.tasks.add(
                task, task.code, str(task.number), f"（{task.number}）", f"({task.number})"
            )
        self.work_points = _Index()
        for point in plan.work_points.all():
            self.work_points.add(
                point, point.code, str(point.number), f"{point.year}-{point.number}"
            )
        self.prefectures = _Index()
        self.counties = _Index()
        self.counties_in: dict[int, _Index] = defaultdict(_Index)
        for division in AdminDivision.objects.filter(level__in=["prefecture", "county"]):
            names = (str(division.adcode), division.name_zh, division.name_en)
            if division.level == "prefecture":
                bare = re.sub(r"(市|地区)$", "", division.name_zh)
                self.prefectures.add(division, *names, bare)
            else:
                self.counties.add(division, *names)
                self.counties_in[division.parent_id].add(division, *names)


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        raise ValueError(text)
    return date(*(int(g) for g in match.groups()))


def _parse_number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():  # NaN and infinities, typed or read from a handwritten sheet
        raise ValueError(text)
    return number


def _split(value: object) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(_display(value)) if part.strip()]


def _resolve_row(row: _Row, cat: _Catalogue, user) -> None:
    """Turn the raw cells of one row into project values, collecting every fault of the row."""
    raw = row.raw
    for column in COLUMNS:
        if column.required and _display(raw.get(column.key)) == "":
            row.error(column.key, _("this column is required"))

    name = _display(raw.get("name"))
    if name:
        row.values["name"] = name
    row.values["summary"] = _display(raw.get("summary"))

    def one(key: str, index: _Index, unknown: str, *, prefix: bool = False):
        text = _display(raw.get(key))
        if not text:
            return None
        obj, reason = index.find(text, prefix=prefix)
        if obj is None:
            row.error(key, reason or unknown % {"value": text})
        return obj

    def many(key: str, index: _Index, unknown: str, *, prefix: bool = False) -> list:
        found = []
        for part in _split(raw.get(key)):
            obj, reason = index.find(part, prefix=prefix)
            if obj is None:
                row.error(key, reason or unknown % {"value": part}, part)
            elif obj not in found:
                found.append(obj)
        return found

    industry = one("industry", cat.industries, _("unknown industry '%(value)s'"))
    if industry is not None:
        row.values["industry"] = industry
    scenarios = many("scenarios", cat.scenarios, _("unknown application scenario '%(value)s'"))
    row.m2m["scenarios"] = scenarios  # scenarios of another industry are allowed (cross-industry)
    row.m2m["tasks"] = many("tasks", cat.tasks, _("unknown main task '%(value)s' in this plan"))
    row.m2m["work_points"] = many(
        "work_points", cat.work_points, _("unknown work point '%(value)s' in this plan")
    )
    lead = one("lead_unit", cat.units, _("unknown unit '%(value)s'"), prefix=True)
    if lead is not None:
        row.values["lead_unit"] = lead
        if user is not None and not access.can_create(user, Project, lead_unit=lead):
            row.error(
                "lead_unit",
                _("you may only import projects of your own unit (%(unit)s)")
                % {"unit": user.unit or "-"},
            )
    participants = many(
        "participating_units", cat.units, _("unknown unit '%(value)s'"), prefix=True
    )
    row.m2m["participating_units"] = [u for u in participants if u != lead]
    operator = one(
        "operator", cat.operators, _("unknown telecom operator '%(value)s'"), prefix=True
    )
    row.values["operator"] = operator
    prefecture = one("prefecture", cat.prefectures, _("unknown prefecture '%(value)s'"))
    if prefecture is not None:
        row.values["prefecture"] = prefecture
    county_text = _display(raw.get("county"))
    row.values["county"] = None
    if county_text:
        index = cat.counties_in[prefecture.pk] if prefecture is not None else cat.counties
        county, reason = index.find(county_text)
        if county is None and prefecture is not None:
            elsewhere, _reason = cat.counties.find(county_text)
            if elsewhere is not None:
                reason = _("county '%(county)s' is not in %(prefecture)s") % {
                    "county": county_text,
                    "prefecture": prefecture.name_zh,
                }
        if county is None:
            row.error("county", reason or _("unknown county '%(value)s'") % {"value": county_text})
        row.values["county"] = county

    for key in ("lon", "lat"):
        value = raw.get(key)
        row.values[key] = None
        if _display(value) == "":
            continue
        try:
            row.values[key] = float(_parse_number(value))
        except ValueError:
            row.error(key, _("not a number"))
    budget = raw.get("budget_wan")
    row.values["budget_wan"] = None
    if _display(budget) != "":
        try:
            number = _parse_number(budget)
            if number < 0:
                row.error("budget_wan", _("the budget cannot be negative"))
            else:
                row.values["budget_wan"] = number.quantize(Decimal("0.01"))
        except ValueError:
            row.error("budget_wan", _("not a number"))
    for key in ("start_date", "end_date", "declared_on"):
        value = raw.get(key)
        if _display(value) == "":
            if key != "declared_on":
                row.values[key] = None
            continue
        try:
            row.values[key] = _parse_date(value)
        except ValueError:
            row.error(key, _("not a date (use YYYY-MM-DD)"))
    row.values.setdefault("declared_on", timezone.localdate())
    if row.values["declared_on"] > timezone.localdate():
        row.error("declared_on", _("the declaration date cannot be in the future"))


def _check_name(name: str) -> None:
    if name and not name.lower().endswith(".xlsx"):
        if name.lower().endswith(".xls"):
            raise ImportFileError(
                _("'%(name)s' is an old .xls workbook; save it as .xlsx and upload again.")
                % {"name": name}
            )
        raise ImportFileError(
            _("'%(name)s' is not an Excel .xlsx file; download the template and fill it in.")
            % {"name": name}
        )


def _sheet_rows(content: bytes):
    """The rows of the data sheet, streamed within core.limits' bounds."""
    try:
        return limits.xlsx_rows(content, sheet=DATA_SHEET, bounds=limits.TableBounds.default())
    except limits.InputRejected as exc:
        raise ImportFileError(exc.message, status=exc.status) from exc


def _read_rows(content: bytes) -> tuple[dict[int, Column], list[_Row]]:
    rows = _sheet_rows(content)
    try:
        header = next(rows, None)
        if header is None or all(_display(v) == "" for v in header):
            raise ImportFileError(
                _("The sheet '%(sheet)s' has no header row; use the template.")
                % {"sheet": DATA_SHEET}
            )
        columns = _header_columns(header)
        out = []
        for number, values in enumerate(rows, start=2):
            raw = {
                column.key: values[position]
                for position, column in columns.items()
                if position < len(values)
            }
            if all(_display(v) == "" for v in raw.values()):
                continue
            out.append(_Row(number, raw))
            if len(out) > IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("Too many rows: at most %(n)s projects per file.") % {"n": IMPORT_MAX_ROWS}
                )
    except limits.InputRejected as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise ImportFileError(exc.message, status=exc.status) from exc
    if not out:
        raise ImportFileError(_("The file contains no project rows below the header."))
    return columns, out


def _header_columns(header) -> dict[int, Column]:
    columns: dict[int, Column] = {}
    unknown, seen = [], set()
    for position, cell in enumerate(header):
        text = _display(cell)
        if not text:
            continue
        column = COLUMN_BY_HEADER.get(
            re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
        )
        if column is None:
            unknown.append(f"{get_column_letter(position + 1)}1 '{text}'")
        elif column.key in seen:
            raise ImportFileError(_("The column '%(column)s' appears twice.") % {"column": text})
        else:
            seen.add(column.key)
            columns[position] = column
    problems = []
    if unknown:
        problems.append(_("unknown column(s): %(list)s") % {"list": ", ".join(unknown)})
    missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
    if missing:
        problems.append(_("missing required column(s): %(list)s") % {"list": "、".join(missing)})
    if problems:
        raise ImportFileError(
            _("Wrong header row in sheet '%(sheet)s': %(problems)s. Expected: %(expected)s")
            % {
                "sheet": DATA_SHEET,
                "problems": "; ".join(problems),
                "expected": "、".join(c.header for c in COLUMNS),
            }
        )
    return columns


def _field_errors_to_rows(row: _Row, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            key = name if name in COLUMN_BY_KEY else "name"
            for message in messages:
                row.error(key, message, row.raw.get(key))
    else:
        for message in error.messages:
            row.error("name", message)


class _Rollback(Exception):
    pass


def read_upload(upload) -> bytes:
    """The bytes of an uploaded template; ImportFileError for a wrong type or size."""
    _check_name(getattr(upload, "name", "") or "")
    try:
        content = limits.read_upload(upload)
    except limits.InputRejected as exc:
        raise ImportFileError(exc.message, status=exc.status) from exc
    if not content:
        raise ImportFileError(_("The file is empty."))
    return content


def project_row_count(content: bytes) -> int:
    """Rows of the data sheet (formatted empty rows included), counted without parsing it."""
    try:
        return limits.table_row_count(content, "projects.xlsx", sheet=DATA_SHEET)
    except limits.InputRejected as exc:
        raise ImportFileError(exc.message, status=exc.status) from exc


def projects_import(*, upload, user, plan: Plan) -> ImportResult:
    """Import the projects of an uploaded template (see projects_import_content)."""
    return projects_import_content(content=read_upload(upload), user=user, plan=plan)


def _noop_progress(done: int, total: int, *, writing: bool = False) -> None:
    return None


def projects_import_content(
    *, content: bytes, user, plan: Plan, progress=_noop_progress
) -> ImportResult:
    """Import the projects of a filled-in template: all rows or nothing.

    Every row is checked (references, formats, permissions, then the model and service rules by
    creating it inside a savepoint); if any row fails, the whole transaction is rolled back and
    the result lists every fault. Raises ImportFileError when the file itself is unusable.
    """
    _columns, rows = _read_rows(content)
    cat = _Catalogue(plan)
    result = ImportResult(rows=len(rows))
    seen_names: dict[tuple, int] = {}
    for position, row in enumerate(rows):
        progress(position, len(rows))
        _resolve_row(row, cat, user)
        if "name" in row.values and "lead_unit" in row.values:
            key = (_key(row.values["name"]), row.values["lead_unit"].pk)
            if key in seen_names:
                row.error(
                    "name",
                    _("the same project appears in row %(row)s") % {"row": seen_names[key]},
                )
            else:
                seen_names[key] = row.number
            existing = Project.objects.filter(
                plan=plan, lead_unit=row.values["lead_unit"], name=row.values["name"]
            ).first()
            if existing is not None:
                row.error(
                    "name",
                    _("this unit already registered this project (%(code)s)")
                    % {"code": existing.code},
                )
    created: list[Project] = []
    progress(len(rows), len(rows), writing=True)
    try:
        with transaction.atomic():
            for row in rows:
                if row.errors:
                    continue
                try:
                    with transaction.atomic():
                        created.append(
                            services.project_create(user=user, plan=plan, m2m=row.m2m, **row.values)
                        )
                except ValidationError as exc:
                    _field_errors_to_rows(row, exc)
                except PermissionDenied as exc:
                    row.error("lead_unit", str(exc))
            result.errors = [error for row in rows for error in row.errors]
            if result.errors:
                raise _Rollback
    except _Rollback:
        created = []
    result.projects = created
    return result


def imported_message(result: ImportResult) -> str:
    return _("Imported %(n)s project(s): %(codes)s") % {
        "n": len(result.projects),
        "codes": "、".join(p.code for p in result.projects),
    }


def projects_import_job(*, user, content: bytes, filename: str, progress) -> str:
    """The project import as a background importer (core.imports)."""
    plan = selectors.current_plan()
    if plan is None:
        raise ImportRejected(_("No plan is loaded yet."))
    try:
        result = projects_import_content(content=content, user=user, plan=plan, progress=progress)
    except ImportFileError as exc:
        raise ImportRejected(exc.message) from exc
    if not result.ok:
        raise ImportRejected(
            _("Nothing was imported: %(n)s problems in the file.") % {"n": len(result.errors)},
            [
                {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
                for e in result.errors
            ],
        )
    return imported_message(result)


# ==== shared formatting ==========================================================================
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


# ==== the import template ========================================================================
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


# ==== progress export (annex style) ==============================================================
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


def progress_workbook(
    *, plan: Plan, as_of: date, projects: list[Project], scope: str = "全区"
) -> bytes:
    """The annex-style progress table: work points, then main tasks, as of `as_of`, over the
    projects of `scope` (the region, or the projects a unit may see)."""
    workbook = Workbook()
    headers = ["序号", "主要任务", "任务内容", "责任单位", "进展", "状态"]
    widths = [6, 16, 48, 22, 48, 10]
    subtitle = f"截至 {as_of:%Y年%m月%d日}　　范围：{scope}　　共 {len(projects)} 个试点项目"

    points = progress.work_point_progress(plan, as_of, projects)
    rows = [
        (
            [
                entry.item.number,
                entry.item.category,
                entry.item.text.strip(),
                _units_text(entry.item),
                progress_summary(entry, as_of),
                STATUS_ZH[entry.status],
            ],
            STATUS_FILL[entry.status],
        )
        for entry in points
    ]
    sheet = workbook.active
    sheet.title = "工作要点进展"
    _table_sheet(
        sheet,
        title=f"{plan.title}工作要点推进情况",
        subtitle=subtitle,
        headers=headers,
        widths=widths,
        rows=rows,
        centre_cols=(1, 6),
    )

    tasks = progress.task_progress(plan, as_of, projects)
    rows = [
        (
            [
                entry.item.number,
                entry.item.title,
                entry.item.text.strip(),
                _units_text(entry.item),
                progress_summary(entry, as_of),
                STATUS_ZH[entry.status],
            ],
            STATUS_FILL[entry.status],
        )
        for entry in tasks
    ]
    _table_sheet(
        workbook.create_sheet("主要任务进展"),
        title=f"{plan.title}主要任务推进情况",
        subtitle=subtitle,
        headers=headers,
        widths=widths,
        rows=rows,
        centre_cols=(1, 6),
    )
    return _to_bytes(workbook)


# ==== scorecards export ==========================================================================
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
