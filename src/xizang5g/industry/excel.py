"""Excel in and out: batch registration of identifiers from a sheet (the first sheet, a header
row naming the columns `suffix`, `kind`, `url`, `parent`, `metadata` (JSON text), one identifier a
row), and the shift report's export."""

from __future__ import annotations

import io
import json
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from xizang5g.industry import shifts

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


def shift_report_workbook(report: dict) -> bytes:
    """The shift report (`reports.report_body`) as a workbook: haulage, loaders, trucks, lines."""
    book = Workbook()
    haulage = book.active
    haulage.title = _("Haulage")[:31]
    haulage.append(
        [
            _("Mine"),
            _("Shift starts"),
            _("Trips"),
            _("Tonnes"),
            _("Mean cycle (min)"),
            _("Queueing (truck min)"),
            _("Truck availability"),
        ]
    )
    loaders = book.create_sheet(_("Loaders")[:31])
    loaders.append(
        [
            _("Mine"),
            _("Loader"),
            _("Trips"),
            _("Tonnes"),
            _("Queueing (truck min)"),
            _("Mean queue (min)"),
            _("Utilisation"),
        ]
    )
    trucks = book.create_sheet(_("Trucks")[:31])
    trucks.append(
        [_("Mine"), _("Truck"), _("Trips"), _("Tonnes"), _("Down (min)"), _("Availability")]
    )
    for m in report["mines"]:
        start = m["start"].astimezone(shifts.TZ).replace(tzinfo=None)
        haulage.append(
            [
                m["mine"],
                start,
                m["trips"],
                m["tonnes"],
                m["mean_cycle_min"],
                m["queue_min"],
                m["availability"],
            ]
        )
        for r in m["loaders"]:
            loaders.append(
                [
                    m["mine"],
                    f"{r['code']} {r['name']}",
                    r["trips"],
                    r["tonnes"],
                    r["queue_min"],
                    r["mean_queue_min"],
                    r["utilisation"],
                ]
            )
        for r in m["trucks"]:
            trucks.append(
                [m["mine"], r["code"], r["trips"], r["tonnes"], r["down_min"], r["availability"]]
            )
    lines = book.create_sheet(_("Production lines")[:31])
    lines.append(
        [
            _("Production line"),
            _("Shift starts"),
            _("OEE"),
            _("Availability"),
            _("Performance"),
            _("Quality"),
            _("Units"),
            _("Good units"),
            _("Largest losses (min)"),
        ]
    )
    for r in report["lines"]:
        o = r["oee"]
        start = r["start"].astimezone(shifts.TZ).replace(tzinfo=None)
        if o is None:
            lines.append([r["line"], start])
            continue
        losses = "; ".join(f"{x['cause']} {x['minutes']:.0f}" for x in o["losses"][:3])
        lines.append(
            [
                r["line"],
                start,
                o["oee"],
                o["availability"],
                o["performance"],
                o["quality"],
                o["total"],
                o["good"],
                losses,
            ]
        )
    for sheet in (haulage, lines):
        for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
            for cell in row:
                cell.number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
