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

Modules: `layout` (the format), `rows` (resolving a row), `imports` (reading and importing an
upload), `workbooks` (the workbooks written).
"""

from xizang5g.plan.excel.imports import (
    ImportFileError,
    ImportResult,
    imported_message,
    project_row_count,
    projects_import,
    projects_import_content,
    projects_import_job,
    read_upload,
)
from xizang5g.plan.excel.layout import (
    COLUMNS,
    DATA_SHEET,
    HELP_SHEET,
    IMPORT_MAX_ROWS,
    VALUES_SHEET,
    XLSX_CONTENT_TYPE,
    Column,
)
from xizang5g.plan.excel.rows import RowError
from xizang5g.plan.excel.workbooks import (
    import_template,
    progress_summary,
    progress_workbook,
    scorecards_workbook,
)

__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "HELP_SHEET",
    "IMPORT_MAX_ROWS",
    "VALUES_SHEET",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "import_template",
    "imported_message",
    "progress_summary",
    "progress_workbook",
    "project_row_count",
    "projects_import",
    "projects_import_content",
    "projects_import_job",
    "read_upload",
    "scorecards_workbook",
]
