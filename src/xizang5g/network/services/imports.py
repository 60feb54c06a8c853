"""Spreadsheet imports of the 5G app: the shared table reader (all rows or none) and the operators'
station lists."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from xizang5g.core import limits
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import UnitKind
from xizang5g.core.models import Unit
from xizang5g.network.choices import CellPattern, StationStatus
from xizang5g.network.geo import county_at
from xizang5g.network.models import Cell, Site
from xizang5g.network.services.permissions import can_edit_station
from xizang5g.network.services.registry import (
    BAND_RANGES_MHZ,
    CELL_FIELDS,
    county_divisions,
    validate_cell,
    validate_site,
)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(col)s: %(msg)s") % {
            "row": self.row,
            "col": self.column,
            "msg": self.message,
        }


class ImportFailed(ValidationError):
    """Raised with every row error; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


# (key, header, required, parser)
def parse_number(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = (
        float(value)
        if isinstance(value, int | float)
        else float(str(value).strip().replace(",", ""))
    )
    if not math.isfinite(number):  # "nan", "inf", 1e400: never a measurement
        raise ValueError(value)
    return number


def parse_text(value):
    return "" if value is None else str(value).strip()


STATION_COLUMNS = [
    ("operator", "operator_code 运营商编码", True, parse_text),
    ("site_code", "site_code 站址编码", True, parse_text),
    ("site_name", "site_name 站址名称", True, parse_text),
    ("lon", "lon 经度", True, parse_number),
    ("lat", "lat 纬度", True, parse_number),
    ("ground_m", "ground_m 地面海拔(m)", False, parse_number),
    ("cell_code", "cell_code 小区编码", True, parse_text),
    ("band", "band 频段(n28/n41/n78/n79)", True, parse_text),
    ("f_mhz", "f_mhz 中心频率(MHz)", True, parse_number),
    ("bw_mhz", "bw_mhz 带宽(MHz)", True, parse_number),
    ("power_dbm", "power_dbm 发射功率(dBm)", True, parse_number),
    ("gain_dbi", "gain_dbi 天线增益(dBi)", False, parse_number),
    ("height_m", "height_m 天线挂高(m)", True, parse_number),
    ("azimuth_deg", "azimuth_deg 方位角(°)", True, parse_number),
    ("mech_tilt_deg", "mech_tilt_deg 机械下倾(°)", False, parse_number),
    ("elec_tilt_deg", "elec_tilt_deg 电下倾(°)", False, parse_number),
    ("beamwidth_deg", "beamwidth_deg 水平波瓣宽度(°)", False, parse_number),
    ("pattern", "pattern 方向图(f1336/m2101)", False, parse_text),
    ("status", "status 状态(planned/in_service)", False, parse_text),
]


def read_table(*, content: bytes, filename: str) -> list[list]:
    """The rows of an uploaded .xlsx or .csv (header first), read within core.limits' bounds;
    raises limits.InputRejected for a file that cannot or must not be read."""
    return [list(row) for row in limits.table_rows(content, filename)]


def _header_map(header: list, columns) -> dict[str, int]:
    """Column index per key; a header cell matches by its first word (the key or its alias)."""
    aliases = {}
    for key, label, _r, _p in columns:
        aliases[key.lower()] = key
        aliases[label.split(" ")[0].lower()] = key
    found = {}
    for index, cell in enumerate(header):
        key = aliases.get(parse_text(cell).split(" ")[0].lower())
        if key is not None:
            found.setdefault(key, index)
    missing = [key for key, _h, required, _p in columns if required and key not in found]
    if missing:
        raise ImportFailed([RowError(1, key, _("required column is missing")) for key in missing])
    return found


def parse_rows(rows: list[list], columns) -> tuple[list[tuple[int, dict]], list[RowError]]:
    if not rows:
        raise ImportFailed([RowError(1, "-", _("the file is empty"))])
    index = _header_map(rows[0], columns)
    parsed, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or parse_text(v) == "" for v in row):
            continue
        values = {}
        for key, _h, required, parser in columns:
            raw = row[index[key]] if key in index and index[key] < len(row) else None
            try:
                value = parser(raw)
            except (TypeError, ValueError):
                errors.append(
                    RowError(number, key, _("“%(v)s” is not a finite number") % {"v": raw})
                )
                continue
            if required and (value is None or value == ""):
                errors.append(RowError(number, key, _("a value is required")))
                continue
            values[key] = value
        parsed.append((number, values))
    return parsed, errors


def row_operator(number, values, operators, user, errors, denied_message):
    """The operator a row names, if it exists and the user may submit for it; else a RowError."""
    operator = operators.get(values["operator"])
    if operator is None:
        errors.append(
            RowError(
                number, "operator", _("unknown operator code “%(c)s”") % {"c": values["operator"]}
            )
        )
        return None
    if not can_edit_station(user, operator.pk):
        errors.append(RowError(number, "operator", denied_message % {"op": operator}))
        return None
    return operator


def noop_progress(done: int, total: int, *, writing: bool = False) -> None:
    return None


def rows_to_check(parsed: list[tuple[int, dict]], errors: list[RowError], progress):
    """(row number, values) of each parsed row without a parsing error, reporting progress."""
    bad_rows = {e.row for e in errors}
    for position, (number, values) in enumerate(parsed):
        progress(position, len(parsed))
        if number not in bad_rows:
            yield number, values


def checks_passed(parsed: list, errors: list[RowError], progress) -> None:
    """Raise ImportFailed with every row error, sorted by row; else report the writing."""
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    progress(len(parsed), len(parsed), writing=True)


def stations_import(*, user, content: bytes, filename: str, progress=noop_progress) -> ImportResult:
    """Import an operator's station list (one row per cell). All rows or none are written."""
    rows = read_table(content=content, filename=filename)
    parsed, errors = parse_rows(rows, STATION_COLUMNS)
    operators = {u.code: u for u in Unit.objects.filter(kind=UnitKind.OPERATOR)}
    counties = county_divisions()
    seen_cells: set[str] = set()
    plans = []
    for number, values in rows_to_check(parsed, errors, progress):
        operator = row_operator(
            number, values, operators, user, errors, _("you may not submit stations of %(op)s")
        )
        if operator is None:
            continue
        if values["cell_code"] in seen_cells:
            errors.append(RowError(number, "cell_code", _("duplicate cell code in the file")))
            continue
        seen_cells.add(values["cell_code"])
        site = Site.objects.filter(code=values["site_code"]).first()
        if site is not None and site.operator_id != operator.pk:
            errors.append(RowError(number, "site_code", _("site belongs to another operator")))
            continue
        if site is None:
            site = Site(operator=operator, code=values["site_code"])
        site.name = values["site_name"]
        site.lon, site.lat = values["lon"], values["lat"]
        site.ground_m = values.get("ground_m")
        cell = Cell.objects.filter(code=values["cell_code"]).first()
        if cell is not None and cell.operator_id != operator.pk:
            errors.append(RowError(number, "cell_code", _("cell belongs to another operator")))
            continue
        if cell is None:
            cell = Cell(code=values["cell_code"])
        cell.operator = operator
        for key in ("band", "f_mhz", "bw_mhz", "power_dbm", "height_m", "azimuth_deg"):
            setattr(cell, key, values[key])
        cell.gain_dbi = values.get("gain_dbi") if values.get("gain_dbi") is not None else 17.0
        cell.mech_tilt_deg = values.get("mech_tilt_deg") or 0.0
        cell.elec_tilt_deg = values.get("elec_tilt_deg") or 0.0
        cell.beamwidth_deg = values.get("beamwidth_deg") or 65.0
        cell.pattern = values.get("pattern") or CellPattern.F1336
        cell.status = values.get("status") or StationStatus.IN_SERVICE
        try:
            site.full_clean(exclude=["division"])
            validate_site(site)
        except ValidationError as exc:
            errors.extend(row_errors(number, exc))
            continue
        try:
            cell.full_clean(exclude=["site"])
            _low, _high = BAND_RANGES_MHZ[cell.band]
            cell_check = Cell(**{k: getattr(cell, k) for k in CELL_FIELDS}, operator=operator)
            validate_cell(cell_check)
        except ValidationError as exc:
            errors.extend(row_errors(number, exc))
            continue
        plans.append((site, cell))
    checks_passed(parsed, errors, progress)
    result = ImportResult(rows=len(plans))
    with transaction.atomic(), acting_as(user):
        sites: dict[str, Site] = {}
        for site, cell in plans:
            if site.code not in sites:
                if site.division_id is None:
                    site.division = county_at(site.lon, site.lat, counties)
                site.save()
                sites[site.code] = site
            cell.site = sites[site.code]
            created = cell.pk is None
            cell.save()
            result.created += int(created)
            result.updated += int(not created)
    return result


def row_errors(number: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [RowError(number, key, " ".join(msgs)) for key, msgs in exc.message_dict.items()]
    return [RowError(number, "-", " ".join(exc.messages))]


def table_template(columns, example: list | None = None, title: str = "stations") -> bytes:
    """An .xlsx template with the expected header (and one example row)."""

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([header for _k, header, _r, _p in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    if example:
        sheet.append(example)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            14, len(str(column[0].value)) + 2
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stations_template() -> bytes:
    return table_template(
        STATION_COLUMNS,
        [
            "ct-xz",
            "LS-CG-001",
            "拉萨城关区示例站",
            91.1322,
            29.6604,
            3650,
            "LS-CG-001-1",
            "n78",
            3450,
            100,
            49,
            17,
            30,
            120,
            3,
            6,
            65,
            "f1336",
            "in_service",
        ],
    )
