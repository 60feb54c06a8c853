"""Operators' monthly 5G figures per prefecture (base stations, users, traffic share)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from xizang5g.core.audit import acting_as
from xizang5g.core.choices import DivisionLevel, UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.network.models import OperatorMonthlyReport
from xizang5g.network.services.imports import (
    ImportResult,
    RowError,
    checks_passed,
    noop_progress,
    parse_number,
    parse_rows,
    parse_text,
    read_table,
    row_operator,
    rows_to_check,
)

REPORT_COLUMNS = [
    ("operator", "operator_code 运营商编码", True, parse_text),
    ("prefecture", "prefecture_adcode 地市代码", True, parse_number),
    ("month", "month 月份(YYYY-MM)", True, parse_text),
    ("base_stations_5g", "base_stations_5g 5G基站数", True, parse_number),
    ("users_5g", "users_5g 5G用户数", True, parse_number),
    ("terminal_users_5g", "terminal_users_5g 5G终端用户数", True, parse_number),
    ("traffic_share_pct", "traffic_share_pct 5G流量占比(%)", True, parse_number),
]


def monthly_reports_import(
    *, user, content: bytes, filename: str, progress=noop_progress
) -> ImportResult:
    rows = read_table(content=content, filename=filename)
    parsed, errors = parse_rows(rows, REPORT_COLUMNS)
    operators = {u.code: u for u in Unit.objects.filter(kind=UnitKind.OPERATOR)}
    prefectures = {
        d.adcode: d for d in AdminDivision.objects.filter(level=DivisionLevel.PREFECTURE)
    }
    plans = []
    for number, values in rows_to_check(parsed, errors, progress):
        operator = row_operator(
            number, values, operators, user, errors, _("you may not submit reports of %(op)s")
        )
        if operator is None:
            continue
        prefecture = prefectures.get(int(values["prefecture"]))
        if prefecture is None:
            errors.append(
                RowError(
                    number,
                    "prefecture",
                    _("no Xizang prefecture with code %(c)s") % {"c": int(values["prefecture"])},
                )
            )
            continue
        month_text = values["month"][:7].replace("/", "-")
        try:
            month = datetime.strptime(month_text, "%Y-%m").date()
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "month",
                    _("“%(v)s” is not a month like 2026-10") % {"v": values["month"]},
                )
            )
            continue
        counts = {k: values[k] for k in ("base_stations_5g", "users_5g", "terminal_users_5g")}
        if any(v < 0 or v != int(v) for v in counts.values()):
            errors.append(RowError(number, "users_5g", _("counts must be whole numbers ≥ 0")))
            continue
        if not (0 <= values["traffic_share_pct"] <= 100):
            errors.append(RowError(number, "traffic_share_pct", _("must be 0–100 %")))
            continue
        plans.append(
            (
                operator,
                prefecture,
                month,
                {k: int(v) for k, v in counts.items()},
                values["traffic_share_pct"],
            )
        )
    checks_passed(parsed, errors, progress)
    result = ImportResult(rows=len(plans))
    with transaction.atomic(), acting_as(user):
        for operator, prefecture, month, counts, share in plans:
            report = OperatorMonthlyReport.objects.filter(
                operator=operator, prefecture=prefecture, month=month
            ).first()
            created = report is None
            report = report or OperatorMonthlyReport(
                operator=operator, prefecture=prefecture, month=month
            )
            for key, value in counts.items():
                setattr(report, key, value)
            report.traffic_share_pct = share
            report.full_clean()
            report.save()
            result.created += int(created)
            result.updated += int(not created)
    return result
