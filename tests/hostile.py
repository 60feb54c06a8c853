"""Hostile inputs made by the tests themselves: .xlsx packages written with zipfile and
handwritten XML (a declared size of a whole Excel sheet, a 400 MB shared string streamed into the
zip, millions of empty rows, invalid UTF-8), JSON nested 100,000 deep, and a helper that measures
time and memory of a request."""

from __future__ import annotations

import io
import resource
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from openpyxl.utils import get_column_letter

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(headers: list[str]) -> str:
    cells = "".join(_inline(f"{get_column_letter(i)}1", h) for i, h in enumerate(headers, 1))
    return f'<row r="1">{cells}</row>'


def xlsx(
    sheet_body,
    *,
    dimension: str | None = None,
    shared_strings: bytes | None = None,
    sheet: str = "Sheet1",
) -> bytes:
    """A package with one sheet. `sheet_body` is bytes/str of <row> elements or an iterable of
    chunks (streamed into the zip, so that huge unpacked parts stay small files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK.format(sheet=sheet))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(SHEET_HEAD.encode())
            if dimension:
                part.write(f'<dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            chunks = [sheet_body] if isinstance(sheet_body, bytes | str) else sheet_body
            for chunk in chunks:
                part.write(chunk.encode() if isinstance(chunk, str) else chunk)
            part.write(b"</sheetData></worksheet>")
        if shared_strings is None:
            package.writestr("xl/sharedStrings.xml", EMPTY_STRINGS)
        else:
            with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(shared_strings)
    return buffer.getvalue()


MB = 1024 * 1024
# What a refused input may cost the server (the security review's "safe to run" bounds).
MAX_SECONDS = 2.0
MAX_EXTRA_BYTES = 200 * MB


def whole_sheet_declared(headers: list[str]) -> bytes:
    """4–5 KB: one header row, and a dimension declaring every cell of an Excel sheet."""
    return xlsx(header_row(headers), dimension="A1:XFD1048576")


@cache
def huge_shared_string(headers: tuple[str, ...], *, megabytes: int = 400) -> bytes:
    """About 400 KB: the shared strings part holds one string of `megabytes` MB ('a' repeated,
    streamed into the zip), used by cell A2."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK.format(sheet="Sheet1"))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr(
            "xl/worksheets/sheet1.xml",
            SHEET_HEAD
            + '<dimension ref="A1:A2"/><sheetData>'
            + header_row(headers)
            + '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>',
        )
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'count="1" uniqueCount="1"><si><t>'
            )
            block = b"a" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</t></si></sst>")
    return buffer.getvalue()


@cache
def millions_of_empty_rows(
    headers: tuple[str, ...], *, rows: int = 2_500_000, numbered: bool = False
) -> bytes:
    """A header row then `rows` empty rows, no dimension declared: about 30 KB as bare <row/>
    elements (a ratio that looks like a zip bomb), about 6 MB numbered (<row r="n"/>, which only
    the row count can refuse)."""

    def body():
        yield header_row(list(headers))
        step = 50_000
        for start in range(2, rows + 2, step):
            end = min(start + step, rows + 2)
            if numbered:
                yield "".join(f'<row r="{n}"/>' for n in range(start, end))
            else:
                yield "<row/>" * (end - start)

    return xlsx(body())


def invalid_utf8_sheet(headers: list[str]) -> bytes:
    """A header row and a data row whose inline text holds bytes that are not UTF-8."""
    body = header_row(headers).encode() + (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>\xff\xfe\xc3\x28bad</t></is></c></row>'
    )
    return xlsx(body)


def deep_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_json_object(depth: int = 100_000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def hostile_workbooks(headers: list[str]) -> dict[str, bytes]:
    """Every hostile .xlsx case for a table with these headers, by name."""
    key = tuple(headers)
    return {
        "declares A1:XFD1048576": whole_sheet_declared(headers),
        "one 400 MB shared string": huge_shared_string(key),
        "2.5 million bare empty rows": millions_of_empty_rows(key),
        "2.5 million numbered empty rows": millions_of_empty_rows(key, numbered=True),
        "invalid UTF-8 in the sheet": invalid_utf8_sheet(headers),
    }


@dataclass
class Cost:
    seconds: float = 0.0
    peak_bytes: int = 0  # Python allocations (tracemalloc peak)
    rss_growth_bytes: int = 0  # growth of the process's maximum resident set


def warm_up(client, url: str, **extra) -> None:
    """One ordinary request first: the first request of a test process loads URL patterns,
    templates and catalogues (about 2 s here), which is not the cost of the input under test."""
    client.get(url, **extra)


def assert_cheap(cost: Cost) -> None:
    assert cost.seconds < MAX_SECONDS, f"took {cost.seconds:.2f} s"
    assert cost.peak_bytes < MAX_EXTRA_BYTES, f"allocated {cost.peak_bytes / MB:.0f} MB"
    assert cost.rss_growth_bytes < MAX_EXTRA_BYTES, f"RSS grew {cost.rss_growth_bytes / MB:.0f} MB"


@contextmanager
def measured():
    """Time and memory of the block: tracemalloc's peak and the growth of max RSS."""
    cost = Cost()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - started
        cost.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        cost.rss_growth_bytes = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
        )
