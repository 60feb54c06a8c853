"""The project import: an uploaded template is read within core.limits' bounds, every row is
resolved and checked, then all projects are created through `services.project_create` in one
transaction, or none and every fault is reported (row, column, value, message)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from xizang5g.core import limits
from xizang5g.core.imports import ImportRejected
from xizang5g.plan import selectors, services
from xizang5g.plan.excel.layout import (
    COLUMN_BY_HEADER,
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    IMPORT_MAX_ROWS,
    Column,
)
from xizang5g.plan.excel.rows import Catalogue, Row, RowError, display, name_key, resolve_row
from xizang5g.plan.models import Plan, Project


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


def _read_rows(content: bytes) -> tuple[dict[int, Column], list[Row]]:
    rows = _sheet_rows(content)
    try:
        header = next(rows, None)
        if header is None or all(display(v) == "" for v in header):
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
            if all(display(v) == "" for v in raw.values()):
                continue
            out.append(Row(number, raw))
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
        text = display(cell)
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


def _field_errors_to_rows(row: Row, error: ValidationError) -> None:
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
    cat = Catalogue(plan)
    result = ImportResult(rows=len(rows))
    seen_names: dict[tuple, int] = {}
    for position, row in enumerate(rows):
        progress(position, len(rows))
        resolve_row(row, cat, user)
        if "name" in row.values and "lead_unit" in row.values:
            key = (name_key(row.values["name"]), row.values["lead_unit"].pk)
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
