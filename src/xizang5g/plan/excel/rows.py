"""Rows of the project import: each cell resolved against the catalogue of what a row can name
(industries, scenarios, tasks, work points, units, operators, prefectures, counties), every fault
of a row collected with its column and value."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.choices import UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.plan.excel.layout import (
    COLUMN_BY_KEY,
    COLUMNS,
    LIST_SEPARATORS,
)
from xizang5g.plan.models import Industry, Plan, Project, Scenario


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


@dataclass
class Row:
    number: int
    raw: dict[str, object]
    values: dict = field(default_factory=dict)
    m2m: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, key: str, message: str, value: object = None) -> None:
        shown = self.raw.get(key) if value is None else value
        self.errors.append(
            RowError(self.number, COLUMN_BY_KEY[key].header, display(shown), message)
        )


def display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def name_key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


class _Index:
    """Name → object lookup that remembers ambiguous names."""

    def __init__(self):
        self._map: dict[str, set] = defaultdict(set)
        self._all: list[tuple[list[str], object]] = []

    def add(self, obj, *names) -> None:
        keys = [name_key(str(n)) for n in names if n not in (None, "")]
        for key in keys:
            self._map[key].add(obj)
        self._all.append((keys, obj))

    def find(self, text: str, *, prefix: bool = False):
        """Return (obj, None) or (None, reason)."""
        key = name_key(text)
        hits = self._map.get(key, set())
        if not hits and prefix and len(key) >= 2:
            hits = {obj for keys, obj in self._all if any(k.startswith(key) for k in keys)}
        if len(hits) == 1:
            return next(iter(hits)), None
        if len(hits) > 1:
            names = "、".join(sorted(str(h) for h in hits))
            return None, _("ambiguous, it matches %(names)s") % {"names": names}
        return None, ""


class Catalogue:
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
    return [part.strip() for part in LIST_SEPARATORS.split(display(value)) if part.strip()]


def resolve_row(row: Row, cat: Catalogue, user) -> None:
    """Turn the raw cells of one row into project values, collecting every fault of the row."""
    for column in COLUMNS:
        if column.required and display(row.raw.get(column.key)) == "":
            row.error(column.key, _("this column is required"))
    name = display(row.raw.get("name"))
    if name:
        row.values["name"] = name
    row.values["summary"] = display(row.raw.get("summary"))
    _resolve_classification(row, cat)
    _resolve_units(row, cat, user)
    _resolve_place(row, cat)
    _resolve_budget(row)
    _resolve_dates(row)


def _one(row: Row, key: str, index: _Index, unknown: str, *, prefix: bool = False):
    """The object a single-valued cell names, or None (with the row's error if it names none)."""
    text = display(row.raw.get(key))
    if not text:
        return None
    obj, reason = index.find(text, prefix=prefix)
    if obj is None:
        row.error(key, reason or unknown % {"value": text})
    return obj


def _many(row: Row, key: str, index: _Index, unknown: str, *, prefix: bool = False) -> list:
    """The objects a list cell names, once each (an error per part that names none)."""
    found = []
    for part in _split(row.raw.get(key)):
        obj, reason = index.find(part, prefix=prefix)
        if obj is None:
            row.error(key, reason or unknown % {"value": part}, part)
        elif obj not in found:
            found.append(obj)
    return found


def _resolve_classification(row: Row, cat: Catalogue) -> None:
    industry = _one(row, "industry", cat.industries, _("unknown industry '%(value)s'"))
    if industry is not None:
        row.values["industry"] = industry
    # Scenarios of another industry are allowed (cross-industry projects).
    row.m2m["scenarios"] = _many(
        row, "scenarios", cat.scenarios, _("unknown application scenario '%(value)s'")
    )
    row.m2m["tasks"] = _many(
        row, "tasks", cat.tasks, _("unknown main task '%(value)s' in this plan")
    )
    row.m2m["work_points"] = _many(
        row, "work_points", cat.work_points, _("unknown work point '%(value)s' in this plan")
    )


def _resolve_units(row: Row, cat: Catalogue, user) -> None:
    unknown_unit = _("unknown unit '%(value)s'")
    lead = _one(row, "lead_unit", cat.units, unknown_unit, prefix=True)
    if lead is not None:
        row.values["lead_unit"] = lead
        if user is not None and not access.can_create(user, Project, lead_unit=lead):
            row.error(
                "lead_unit",
                _("you may only import projects of your own unit (%(unit)s)")
                % {"unit": user.unit or "-"},
            )
    participants = _many(row, "participating_units", cat.units, unknown_unit, prefix=True)
    row.m2m["participating_units"] = [u for u in participants if u != lead]
    row.values["operator"] = _one(
        row, "operator", cat.operators, _("unknown telecom operator '%(value)s'"), prefix=True
    )


def _resolve_place(row: Row, cat: Catalogue) -> None:
    prefecture = _one(row, "prefecture", cat.prefectures, _("unknown prefecture '%(value)s'"))
    if prefecture is not None:
        row.values["prefecture"] = prefecture
    row.values["county"] = _county(row, cat, prefecture)
    for key in ("lon", "lat"):
        value = row.raw.get(key)
        row.values[key] = None
        if display(value) == "":
            continue
        try:
            row.values[key] = float(_parse_number(value))
        except ValueError:
            row.error(key, _("not a number"))


def _county(row: Row, cat: Catalogue, prefecture):
    """The county cell, looked up within the row's prefecture when it has one."""
    text = display(row.raw.get("county"))
    if not text:
        return None
    index = cat.counties_in[prefecture.pk] if prefecture is not None else cat.counties
    county, reason = index.find(text)
    if county is None and prefecture is not None:
        elsewhere, _reason = cat.counties.find(text)
        if elsewhere is not None:
            reason = _("county '%(county)s' is not in %(prefecture)s") % {
                "county": text,
                "prefecture": prefecture.name_zh,
            }
    if county is None:
        row.error("county", reason or _("unknown county '%(value)s'") % {"value": text})
    return county


def _resolve_budget(row: Row) -> None:
    budget = row.raw.get("budget_wan")
    row.values["budget_wan"] = None
    if display(budget) == "":
        return
    try:
        number = _parse_number(budget)
    except ValueError:
        row.error("budget_wan", _("not a number"))
        return
    if number < 0:
        row.error("budget_wan", _("the budget cannot be negative"))
    else:
        row.values["budget_wan"] = number.quantize(Decimal("0.01"))


def _resolve_dates(row: Row) -> None:
    for key in ("start_date", "end_date", "declared_on"):
        value = row.raw.get(key)
        if display(value) == "":
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
