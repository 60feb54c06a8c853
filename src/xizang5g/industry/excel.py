"""Batch registration of identifiers from an Excel sheet: the first sheet, a header row naming
the columns `suffix`, `kind`, `url`, `parent`, `metadata` (JSON text), one identifier a row."""

from __future__ import annotations

import json
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

COLUMNS = ("suffix", "kind", "url", "parent", "metadata")
MAX_ROWS = 5000


def rows_from_workbook(file) -> list[dict]:
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError({"file": _("The file is not an Excel workbook (.xlsx).")}) from exc
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip().lower() for c in next(lines, ())]
    if "suffix" not in header:
        raise ValidationError(
            {"file": _("The first row must name the columns; 'suffix' is missing.")}
        )
    rows = []
    for number, line in enumerate(lines, start=2):
        if not any(v not in (None, "") for v in line):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError({"file": _("At most %(n)s rows per file.") % {"n": MAX_ROWS}})
        row = {k: line[i] for i, k in enumerate(header) if k in COLUMNS and i < len(line)}
        text = row.get("metadata")
        if text not in (None, ""):
            try:
                row["metadata"] = json.loads(str(text))
            except ValueError as exc:
                raise ValidationError(
                    {"metadata": _("Row %(row)s: metadata is not JSON.") % {"row": number}}
                ) from exc
        rows.append(row)
    book.close()
    return rows
