"""Bounds on everything users and devices send: uploaded tables (.xlsx, .csv), text files, JSON
bodies and numbers.

Every reader of outside input goes through here, so that a hostile file or request is refused with
a clear message (a 4xx answer) before it can take the server's memory or time:

* an .xlsx is checked as a zip first (member count, unpacked sizes, compression ratio, the parts
  a workbook must have), then the sheet's declared size and its row count are read from the raw
  XML, and only then are its rows streamed (openpyxl read-only), with a ceiling on rows, columns
  and characters per cell;
* text is decoded as UTF-8 (with or without BOM) or GB18030, or refused naming both;
* JSON is parsed with orjson, then walked once to bound its depth and refuse NaN, infinities and
  integers beyond 64 bits, naming the field.

The limits are settings (``XZ5G_*``, see settings.py) with the defaults below.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from xml.etree import ElementTree

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from pydantic import AfterValidator, Field

# Excel's own limit: a cell holds at most 32,767 characters (Excel specifications and limits).
CELL_MAX_CHARS = 32_767
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

DEFAULTS = {
    "XZ5G_UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "XZ5G_IMPORT_MAX_ROWS": 50_000,
    "XZ5G_IMPORT_MAX_COLUMNS": 200,
    "XZ5G_IMPORT_BACKGROUND_ROWS": 1_000,
    "XZ5G_JSON_MAX_BYTES": 5 * 1024 * 1024,
    "XZ5G_JSON_MAX_DEPTH": 32,
}

# The zip container of an .xlsx. Workbooks written by Excel, WPS or LibreOffice have a few dozen
# parts compressed 5–20 times; a sheet of 50,000 rows × 20 columns unpacks to about 40 MB.
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_PART_BYTES = 128 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 256 * 1024 * 1024
XLSX_MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
XLSX_MAX_INDEX_BYTES = 4 * 1024 * 1024  # workbook.xml and its relationships
XLSX_MAX_RATIO = 250
XLSX_RATIO_FROM_BYTES = 4 * 1024 * 1024  # small parts may compress any amount
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"

TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
_SCAN_CHUNK = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Za-z0-9:$]+)\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
# A cell reference with three column letters is beyond column ZZ (702): never in an import table.
_FAR_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{3}\d+)\"")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# Shared types for API parameters: integers the database can hold (SQLite and PostgreSQL bigint).
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
DbId = Annotated[int, Field(ge=1, le=INT64_MAX)]
Offset = Annotated[int, Field(ge=0, le=INT64_MAX)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

# Real time zones lie within UTC−12 … UTC+14; years far from now are typing errors or probes, and
# some databases cannot store them with an offset (PostgreSQL refuses a −20:33 displacement).
MOMENT_YEARS = (1900, 2200)
MAX_UTC_OFFSET = timedelta(hours=14)


def _sane_moment(value: datetime) -> datetime:
    if not MOMENT_YEARS[0] <= value.year <= MOMENT_YEARS[1]:
        raise ValueError(f"the year must lie between {MOMENT_YEARS[0]} and {MOMENT_YEARS[1]}")
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError("the UTC offset must lie within ±14:00")
    return value


# A point in time from outside input (API bodies and filters).
Moment = Annotated[datetime, AfterValidator(_sane_moment)]


class InputRejected(ValueError):
    """Input refused before it was used; nothing was written. `status` is the HTTP answer: 413
    for too large, else 422 like every other refused value of the API and the import pages."""

    def __init__(self, message: str, *, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


def limit(name: str) -> int:
    """The configured bound `name` (a key of DEFAULTS)."""
    return int(getattr(settings, name, DEFAULTS[name]))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def check_size(size: int, *, what: str, max_bytes: int | None = None) -> None:
    """Refuse (413) content larger than `max_bytes` (default: the upload limit)."""
    max_bytes = limit("XZ5G_UPLOAD_MAX_BYTES") if max_bytes is None else max_bytes
    if size > max_bytes:
        raise InputRejected(
            _("%(what)s is %(size)s; at most %(max)s is accepted.")
            % {"what": what, "size": _megabytes(size), "max": _megabytes(max_bytes)},
            status=413,
        )


def read_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refused (413) before reading when it is too large."""
    name = getattr(upload, "name", "") or _("The file")
    check_size(upload.size, what=name, max_bytes=max_bytes)
    return upload.read()


# ==== text ========================================================================================
def decode_text(content: bytes, *, what: str) -> str:
    """Decode UTF-8 (with or without BOM), then GB18030 (which includes GBK and GB2312); never
    replace characters: refuse naming the encodings tried."""
    for encoding in TEXT_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputRejected(
        _("%(what)s is not text in a known encoding (tried %(encodings)s); save it as UTF-8.")
        % {"what": what, "encodings": ", ".join(("UTF-8", "GB18030"))}
    )


# ==== JSON ========================================================================================
def parse_json(
    data: bytes | str,
    *,
    what: str,
    max_bytes: int | None = None,
    max_depth: int | None = None,
) -> Any:
    """Parse a JSON document within bounds: size (413), nesting depth, finite numbers and
    integers within 64 bits (400, naming the field)."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    max_bytes = limit("XZ5G_JSON_MAX_BYTES") if max_bytes is None else max_bytes
    max_depth = limit("XZ5G_JSON_MAX_DEPTH") if max_depth is None else max_depth
    check_size(len(raw), what=what, max_bytes=max_bytes)
    try:
        value = orjson.loads(raw)  # C, no recursion limit problem, refuses depth beyond 1024
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc):
            raise _too_deep(what, max_depth, "") from exc
        # orjson refuses NaN, Infinity and integers beyond 64 bits with a bare position: parse
        # again with the standard library so that the walk below can name the field.
        value = _parse_json_stdlib(raw, what=what, max_depth=max_depth)
    _check_json_tree(value, what=what, max_depth=max_depth)
    return value


def _parse_json_stdlib(raw: bytes, *, what: str, max_depth: int) -> Any:
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise _too_deep(what, max_depth, "") from exc
    except ValueError as exc:  # JSONDecodeError, invalid UTF-8, integers of 4,300+ digits
        raise InputRejected(
            _("%(what)s is not valid JSON: %(error)s") % {"what": what, "error": exc}
        ) from exc


def _too_deep(what: str, max_depth: int, path: str) -> InputRejected:
    where = _(" (at %(path)s)") % {"path": path[:120]} if path else ""
    return InputRejected(
        _("%(what)s is nested more than %(n)s levels deep%(where)s.")
        % {"what": what, "n": max_depth, "where": where}
    )


def _check_json_tree(value: Any, *, what: str, max_depth: int) -> None:
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            if depth >= max_depth:
                raise _too_deep(what, max_depth, path)
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            if depth >= max_depth:
                raise _too_deep(what, max_depth, path)
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            raise InputRejected(
                _("%(what)s: %(field)s is %(value)s; numbers must be finite.")
                % {"what": what, "field": path or _("the value"), "value": node}
            )
        elif isinstance(node, int) and not INT64_MIN <= node <= INT64_MAX:
            raise InputRejected(
                _("%(what)s: %(field)s is an integer beyond the 64-bit range.")
                % {"what": what, "field": path or _("the value")}
            )


# ==== numbers =====================================================================================
def finite_float(value: Any, *, field: str) -> float:
    """`value` as a finite float; ValueError naming the field for text, NaN and infinities."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(
            _("%(field)s: “%(value)s” is not a number") % {"field": field, "value": value}
        ) from exc
    if not math.isfinite(number):
        raise ValueError(
            _("%(field)s: %(value)s is not a finite number") % {"field": field, "value": value}
        )
    return number


def bounded_int(value: Any, *, field: str, low: int = INT64_MIN, high: int = INT64_MAX) -> int:
    """`value` as an integer within [low, high]; ValueError naming the field otherwise."""
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d{1,19}", text) or not low <= int(text) <= high:
        raise ValueError(
            _("%(field)s: “%(value)s” is not a whole number from %(low)s to %(high)s")
            % {"field": field, "value": text[:40], "low": low, "high": high}
        )
    return int(text)


def db_ids(texts) -> list[int]:
    """The database ids among `texts` (whole numbers from 1 to 2**63 - 1); the rest are dropped,
    as a list filter drops an id it does not know."""
    ids = []
    for text in texts:
        text = str(text).strip()
        if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= INT64_MAX:
            ids.append(int(text))
    return ids


# ==== tables ======================================================================================
@dataclass(frozen=True)
class TableBounds:
    max_rows: int  # data rows below the header
    max_columns: int

    @classmethod
    def default(cls, *, max_rows: int | None = None) -> TableBounds:
        return cls(
            max_rows=min(max_rows or limit("XZ5G_IMPORT_MAX_ROWS"), limit("XZ5G_IMPORT_MAX_ROWS")),
            max_columns=limit("XZ5G_IMPORT_MAX_COLUMNS"),
        )


def table_kind(filename: str) -> str:
    """'xlsx' or 'csv' from the file name; InputRejected for anything else."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".xls"):
        raise InputRejected(
            _("'%(name)s' is an old .xls workbook; save it as .xlsx and upload again.")
            % {"name": filename}
        )
    raise InputRejected(_("'%(name)s' is neither an .xlsx nor a .csv file.") % {"name": filename})


def table_rows(
    content: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    bounds: TableBounds | None = None,
) -> Iterator[tuple]:
    """Stream the rows (header first) of an uploaded .xlsx or .csv, within bounds."""
    bounds = bounds or TableBounds.default()
    check_size(len(content), what=filename)
    if table_kind(filename) == "xlsx":
        return xlsx_rows(content, sheet=sheet, bounds=bounds)
    return csv_rows(content, what=filename, bounds=bounds)


def table_row_count(content: bytes, filename: str, *, sheet: str | None = None) -> int:
    """Rows of the table below the header, counted cheaply after the safety checks (an .xlsx
    counts the row elements of its XML, empty formatted rows included)."""
    check_size(len(content), what=filename)
    bounds = TableBounds.default()
    if table_kind(filename) == "xlsx":
        workbook = XlsxPackage(content)
        return max(workbook.scan(workbook.sheet_path(sheet), bounds) - 1, 0)
    return max(sum(1 for _row in csv_rows(content, what=filename, bounds=bounds)) - 1, 0)


def _too_many_rows(bounds: TableBounds) -> InputRejected:
    return InputRejected(
        _("The table has more than %(n)s rows below the header; split it into several files.")
        % {"n": f"{bounds.max_rows:,}"}
    )


def _check_row(values, number: int, bounds: TableBounds) -> None:
    if len(values) > bounds.max_columns:
        trailing = [i for i, v in enumerate(values) if v not in (None, "")]
        if trailing and trailing[-1] >= bounds.max_columns:
            raise InputRejected(
                _("Row %(row)s has a value in column %(col)s; at most %(n)s columns are read.")
                % {
                    "row": number,
                    "col": get_column_letter(min(trailing[-1] + 1, 16384)),
                    "n": bounds.max_columns,
                }
            )
    for index, value in enumerate(values[: bounds.max_columns]):
        if isinstance(value, str) and len(value) > CELL_MAX_CHARS:
            raise InputRejected(
                _("Cell %(cell)s holds %(n)s characters; a cell holds at most %(max)s.")
                % {
                    "cell": f"{get_column_letter(index + 1)}{number}",
                    "n": f"{len(value):,}",
                    "max": f"{CELL_MAX_CHARS:,}",
                }
            )


# ---- csv -----------------------------------------------------------------------------------------
def csv_rows(content: bytes, *, what: str, bounds: TableBounds) -> Iterator[list]:
    text = decode_text(content, what=what)
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for values in reader:
            number += 1
            if number > bounds.max_rows + 1:
                raise _too_many_rows(bounds)
            _check_row(values, number, bounds)
            yield values[: bounds.max_columns]
    except csv.Error as exc:  # NUL bytes, a field over csv's own limit, unclosed quotes
        raise InputRejected(
            _("%(what)s is not a readable CSV file (line %(line)s: %(error)s).")
            % {"what": what, "line": reader.line_num, "error": exc}
        ) from exc


# ---- xlsx ----------------------------------------------------------------------------------------
class XlsxPackage:
    """An .xlsx checked as a zip package before any XML of it is parsed."""

    def __init__(self, content: bytes):
        if not content:
            raise InputRejected(_("The file is empty."))
        if not content.startswith(b"PK"):
            raise InputRejected(
                _("The file is not a valid .xlsx workbook (it is not an Office Open XML package).")
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(content))
            members = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputRejected(
                _("The file is damaged or not a valid .xlsx workbook (%(error)s).") % {"error": exc}
            ) from exc
        self.content = content
        self.members = {m.filename: m for m in members}
        self._check_members(members)

    def _check_members(self, members: list[zipfile.ZipInfo]) -> None:
        if len(members) > XLSX_MAX_MEMBERS:
            raise InputRejected(
                _("The workbook has %(n)s parts; at most %(max)s are accepted.")
                % {"n": len(members), "max": XLSX_MAX_MEMBERS}
            )
        total = 0
        for member in members:
            total += member.file_size
            ceiling = (
                XLSX_MAX_SHARED_STRINGS_BYTES
                if member.filename == SHARED_STRINGS
                else XLSX_MAX_PART_BYTES
            )
            if member.file_size > ceiling:
                raise InputRejected(
                    _("The part %(part)s of the workbook unpacks to %(size)s; at most %(max)s.")
                    % {
                        "part": member.filename,
                        "size": _megabytes(member.file_size),
                        "max": _megabytes(ceiling),
                    }
                )
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > XLSX_RATIO_FROM_BYTES and ratio > XLSX_MAX_RATIO:
                raise InputRejected(
                    _(
                        "The part %(part)s of the workbook is compressed %(ratio)s times; "
                        "more than %(max)s times is refused as a possible zip bomb."
                    )
                    % {"part": member.filename, "ratio": int(ratio), "max": XLSX_MAX_RATIO}
                )
        if total > XLSX_MAX_TOTAL_BYTES:
            raise InputRejected(
                _("The workbook unpacks to %(size)s; at most %(max)s.")
                % {"size": _megabytes(total), "max": _megabytes(XLSX_MAX_TOTAL_BYTES)}
            )
        if WORKBOOK not in self.members:
            raise InputRejected(
                _("The file is not an Excel workbook: it has no %(part)s.") % {"part": WORKBOOK}
            )

    def _small_xml(self, name: str) -> ElementTree.Element:
        member = self.members.get(name)
        if member is None or member.file_size > XLSX_MAX_INDEX_BYTES:
            raise InputRejected(
                _("The workbook's part %(part)s is missing or too large.") % {"part": name}
            )
        try:
            return ElementTree.fromstring(self.zip.read(member))
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputRejected(
                _("The workbook's part %(part)s is damaged (%(error)s).")
                % {"part": name, "error": exc}
            ) from exc

    def sheets(self) -> list[tuple[str, str]]:
        """(sheet name, zip path) in workbook order."""
        targets = {}
        for rel in self._small_xml(WORKBOOK_RELS):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = path
        out = []
        for element in self._small_xml(WORKBOOK).iter():
            if element.tag.endswith("}sheet") or element.tag == "sheet":
                path = targets.get(element.get(f"{{{_REL_NS}}}id"), "")
                out.append((element.get("name", ""), path))
        if not out:
            raise InputRejected(_("The workbook has no sheet."))
        return out

    def sheet_path(self, name: str | None) -> tuple[str, str]:
        """(name, path) of the sheet `name`, or of the first sheet when it is absent."""
        sheets = self.sheets()
        chosen = next((s for s in sheets if s[0] == name), sheets[0]) if name else sheets[0]
        if chosen[1] not in self.members:
            raise InputRejected(
                _("The sheet '%(sheet)s' has no data part in the file.") % {"sheet": chosen[0]}
            )
        return chosen

    def scan(self, sheet: tuple[str, str], bounds: TableBounds) -> int:
        """Check the sheet's declared dimension, count its rows and cells from the raw XML
        without parsing it; returns the number of row elements (header included)."""
        name, path = sheet
        rows = cells = 0
        tail = b""
        try:
            with self.zip.open(path) as stream:
                while chunk := stream.read(_SCAN_CHUNK):
                    if not rows and not tail:
                        self._check_dimension(name, chunk, bounds)
                    data = tail + chunk
                    # tags wholly inside the carried-over tail were counted with the last chunk
                    rows += len(_ROW_TAG.findall(data)) - len(_ROW_TAG.findall(tail))
                    cells += len(_CELL_TAG.findall(data)) - len(_CELL_TAG.findall(tail))
                    if rows > bounds.max_rows + 1:
                        raise _too_many_rows(bounds)
                    far = _FAR_CELL.search(data)
                    if far is not None:
                        raise _far_cell(name, far.group(1).decode("ascii"), bounds)
                    tail = data[-64:]
        except InputRejected:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputRejected(
                _("The sheet '%(sheet)s' is damaged (%(error)s).") % {"sheet": name, "error": exc}
            ) from exc
        if cells > max(rows, 1) * bounds.max_columns:
            raise InputRejected(
                _(
                    "The sheet '%(sheet)s' has %(cells)s cells in %(rows)s rows; at most %(n)s columns are read."
                )
                % {
                    "sheet": name,
                    "cells": f"{cells:,}",
                    "rows": f"{rows:,}",
                    "n": bounds.max_columns,
                }
            )
        return rows

    @staticmethod
    def _check_dimension(name: str, head: bytes, bounds: TableBounds) -> None:
        match = _DIMENSION.search(head[:65536])
        if match is None:
            return
        ref = match.group(1).decode("ascii").replace("$", "")
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            return  # a malformed declaration is not used: the row count below still bounds it
        rows = (max_row or 0) - (min_row or 1) + 1
        columns = (max_col or 0) - (min_col or 1) + 1
        if rows > bounds.max_rows + 1 or columns > bounds.max_columns:
            raise InputRejected(
                _(
                    "The sheet '%(sheet)s' declares %(ref)s (%(rows)s rows × %(cols)s columns); "
                    "at most %(max_rows)s rows and %(max_cols)s columns are accepted."
                )
                % {
                    "sheet": name,
                    "ref": ref,
                    "rows": f"{rows:,}",
                    "cols": f"{columns:,}",
                    "max_rows": f"{bounds.max_rows + 1:,}",
                    "max_cols": bounds.max_columns,
                }
            )


def xlsx_rows(content: bytes, *, sheet: str | None, bounds: TableBounds) -> Iterator[tuple]:
    """Check the package and the sheet, then stream its rows (values only)."""
    package = XlsxPackage(content)
    name, path = package.sheet_path(sheet)
    package.scan((name, path), bounds)
    return _stream_sheet(package, name, bounds)


def _stream_sheet(package: XlsxPackage, name: str, bounds: TableBounds) -> Iterator[tuple]:
    number = 0
    try:
        # openpyxl raises many kinds of error on malformed parts (lxml syntax errors, KeyError,
        # TypeError…): every one of them means a damaged file here.
        book = load_workbook(io.BytesIO(package.content), read_only=True, data_only=True)
    except Exception as exc:
        raise _damaged(name, 0, exc) from exc
    try:
        worksheet = book[name] if name in book.sheetnames else book.worksheets[0]
        # openpyxl widens each row to the declared width or to its last cell: scan() refused
        # declarations over the limit and cells beyond column ZZ, so a row stays narrow.
        for values in worksheet.iter_rows(values_only=True):
            number += 1
            if number > bounds.max_rows + 1:
                raise _too_many_rows(bounds)
            _check_row(values, number, bounds)
            yield _trimmed(values, bounds.max_columns)
    except InputRejected:
        raise
    except Exception as exc:
        raise _damaged(name, number + 1, exc) from exc
    finally:
        book.close()


def _far_cell(sheet: str, ref: str, bounds: TableBounds) -> InputRejected:
    return InputRejected(
        _("The sheet '%(sheet)s' has a cell at %(ref)s; at most %(n)s columns are read.")
        % {"sheet": sheet, "ref": ref, "n": bounds.max_columns}
    )


def _trimmed(values: tuple, max_columns: int) -> tuple:
    """The row without the empty cells that pad it on the right, at most `max_columns` wide."""
    end = min(len(values), max_columns)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end]


def _damaged(sheet: str, row: int, exc: Exception) -> InputRejected:
    detail = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
    if row:
        return InputRejected(
            _("The sheet '%(sheet)s' is damaged near row %(row)s (%(error)s).")
            % {"sheet": sheet, "row": row, "error": detail}
        )
    return InputRejected(
        _("The file is damaged or not a valid .xlsx workbook (%(error)s).") % {"error": detail}
    )
