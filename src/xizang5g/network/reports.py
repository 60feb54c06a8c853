"""Study reports in the form a regulator files: an .xlsx workbook and a .docx report."""

from __future__ import annotations

import io

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt, RGBColor
from openpyxl.styles import Alignment, Font, PatternFill

from xizang5g.network import constants as C
from xizang5g.network.models import InterferenceStudy
from xizang5g.network.selectors import study_station_results

SYNTHETIC_NOTE = "本报告使用合成高原地形（演示数据），不是真实地形，结论仅用于演示。"
SYNTHETIC_NOTE_EN = "Computed on SYNTHETIC plateau terrain (demo data), not real elevation data."


def _station_rows(study: InterferenceStudy):
    for r in study_station_results(study=study):
        es = r.earth_station
        yield [
            es.code,
            es.name,
            str(es.owner),
            es.division.name_zh if es.division else "",
            r.n_cells,
            r.n_failing,
            _r(r.aggregate_inband_dbm),
            _r(r.aggregate_inband_margin_db),
            _r(r.aggregate_blocking_dbm),
            _r(r.aggregate_blocking_margin_db),
            _r(r.worst_margin_db),
            "通过" if r.passes else "不通过",
        ]


def _r(value, digits=1):
    return None if value is None else round(value, digits)


STATION_HEADER = [
    "地球站编码",
    "地球站名称",
    "所属单位",
    "所在县区",
    "评估小区数",
    "不满足小区数",
    "集总带内干扰I(dBm)",
    "集总带内余量(dB)",
    "LNB输入总功率(dBm)",
    "阻塞余量(dB)",
    "最差余量(dB)",
    "结论",
]
PAIR_HEADER = [
    "地球站编码",
    "小区编码",
    "运营商",
    "频段",
    "距离(km)",
    "Lb载波(dB)",
    "Lb 5G(dB)",
    "基站增益(dBi)",
    "地球站增益(dBi)",
    "I(dBm)",
    "I/N(dB)",
    "带内余量(dB)",
    "LNB输入(dBm)",
    "阻塞余量(dB)",
    "结论",
]


def _pair_rows(study, limit=None):
    qs = study.pairs.select_related("earth_station", "cell", "cell__operator").order_by("margin_db")
    if limit:
        qs = qs[:limit]
    for p in qs:
        yield [
            p.earth_station.code,
            p.cell.code,
            str(p.cell.operator),
            p.cell.get_band_display(),
            _r(p.distance_km, 2),
            _r(p.lb_db),
            _r(p.lb_5g_db),
            _r(p.gt_dbi),
            _r(p.gr_dbi),
            _r(p.i_inband_dbm),
            _r(p.i_over_n_db),
            _r(p.inband_margin_db),
            _r(p.blocking_dbm),
            _r(p.blocking_margin_db),
            "通过" if p.passes else "不通过",
        ]


def _basis(study) -> list[tuple[str, str]]:
    inputs = study.inputs or {}
    terrain = ", ".join(f"{t['name']} ({t['kind']})" for t in inputs.get("terrain", []))
    rows = [
        ("计算名称", study.name),
        ("计算编号", str(study.pk)),
        (
            "计算时间",
            timezone.localtime(study.finished_at).strftime("%Y-%m-%d %H:%M")
            if study.finished_at
            else "",
        ),
        ("传播模型", "ITU-R P.452-18（晴空干扰预测）"),
        ("引擎版本", study.engine_version),
        ("协调距离", f"{study.coordination_km:g} km"),
        ("时间百分比", f"带内 {study.p_percent:g}%，阻塞 {study.p_blocking_percent:g}%"),
        (
            "保护准则",
            f"I/N ≤ {C.IN_BAND_I_N_DB:g} dB（ITU-R SF.1006 长期）；LNB输入 ≤ P1dB − {C.BLOCKING_BACKOFF_DB:g} dB",
        ),
        ("天线方向图", "基站 ITU-R F.1336-5 扇区；地球站 ITU-R S.465-6 / S.580-6"),
        ("地形数据", terrain + ("（合成演示地形）" if study.terrain_synthetic else "")),
        (
            "大气参数",
            f"ΔN={C.DELTA_N:g}, N0={C.N0:g}, 气压 {C.PLATEAU_PRESSURE_HPA:g} hPa, 气温 {C.PLATEAU_TEMPERATURE_C:g} °C",
        ),
    ]
    if study.mitigation:
        rows.append(("措施假设（what-if）", str(study.mitigation)))
    return rows


def study_xlsx(study: InterferenceStudy) -> bytes:
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "概要"
    summary.append(["5G基站与卫星地球站干扰计算报告"])
    summary["A1"].font = Font(bold=True, size=14)
    if study.terrain_synthetic:
        summary.append([SYNTHETIC_NOTE])
        summary.append([SYNTHETIC_NOTE_EN])
        for row in (2, 3):
            summary.cell(row=row, column=1).font = Font(bold=True, color="9A4B00")
    summary.append([])
    for key, value in _basis(study):
        summary.append([key, value])
    s = study.summary or {}
    summary.append([])
    for key, value in (
        ("地球站数", s.get("n_stations")),
        ("小区数", s.get("n_cells")),
        ("站对数", s.get("n_pairs")),
        ("不满足站对数", s.get("n_failing_pairs")),
        ("受干扰地球站数", s.get("n_failing_stations")),
        ("最差余量(dB)", _r(s.get("worst_margin_db"))),
        ("总体结论", "满足" if s.get("passes") else "不满足，需协调"),
    ):
        summary.append([key, value])
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 80
    fill = PatternFill("solid", fgColor="DDE7F3")
    for title, header, rows in (
        ("地球站结论", STATION_HEADER, _station_rows(study)),
        ("站对明细", PAIR_HEADER, _pair_rows(study)),
    ):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def study_docx(study: InterferenceStudy) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    doc.add_heading("5G基站与卫星地球站干扰计算报告", level=0)
    if study.terrain_synthetic:
        p = doc.add_paragraph()
        run = p.add_run(f"{SYNTHETIC_NOTE}\n{SYNTHETIC_NOTE_EN}")
        run.bold = True
        run.font.color.rgb = RGBColor(0x9A, 0x4B, 0x00)
    doc.add_heading("一、计算依据与参数", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in _basis(study):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    s = study.summary or {}
    doc.add_heading("二、计算结论", level=1)
    doc.add_paragraph(
        f"共评估地球站 {s.get('n_stations', 0)} 座、5G小区 {s.get('n_cells', 0)} 个，协调距离内站对 "
        f"{s.get('n_pairs', 0)} 对，其中不满足保护要求的站对 {s.get('n_failing_pairs', 0)} 对，"
        f"受影响地球站 {s.get('n_failing_stations', 0)} 座，最差余量 {_r(s.get('worst_margin_db'))} dB。"
        + (
            "总体满足保护要求。"
            if s.get("passes")
            else "需按《3000-5000MHz频段第五代移动通信基站与卫星地球站等无线电台站干扰协调管理办法》开展协调。"
        )
    )
    doc.add_heading("三、各地球站结论", level=1)
    _docx_table(doc, STATION_HEADER, list(_station_rows(study)))
    doc.add_heading("四、干扰最严重的站对（前50对）", level=1)
    _docx_table(
        doc,
        PAIR_HEADER[:6] + PAIR_HEADER[11:],
        [r[:6] + r[11:] for r in _pair_rows(study, limit=50)],
    )
    doc.add_heading("五、说明", level=1)
    doc.add_paragraph(
        "余量为正表示满足保护要求。带内干扰按基站无用发射落入地球站载波带宽内的功率计算；"
        "阻塞按5G载波在LNB输入端的总功率计算，已计入地球站已安装滤波器的抑制。"
    )
    doc.add_paragraph(
        _("Generated by the Xizang 5G Application Platform on %(t)s.")
        % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_table(doc, header, rows):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
