"""The shift report and a line's shift OEE as plain data: the API answers it, the Excel export
writes it."""

from __future__ import annotations

from xizang5g.industry import selectors


def oee_body(row) -> dict:
    return {
        "day": row.day,
        "shift": row.shift,
        "planned_h": round(row.planned_s / 3600, 3),
        "run_h": round(row.run_s / 3600, 3),
        "total": row.total,
        "good": row.good,
        "availability": round(row.availability, 4),
        "performance": round(row.performance, 4),
        "quality": round(row.quality, 4),
        "oee": round(row.oee, 4),
        "losses": [
            {"cause": selectors.loss_label(cause), "minutes": round(seconds / 60, 1)}
            for cause, seconds in row.ranked_losses()
        ],
    }


def report_body(report: dict) -> dict:
    """The shift report as plain data (the API's answer; the Excel export reads the same)."""
    mines = [
        {
            "mine_id": m["mine"].pk,
            "mine": m["mine"].name,
            "start": m["span"].start,
            "end": m["span"].end,
            "trips": m["trips"],
            "tonnes": round(m["tonnes"], 1),
            "mean_cycle_min": round(m["mean_cycle_min"], 2),
            "queue_min": round(m["queue_min"], 1),
            "availability": round(m["availability"], 4),
            "loaders": [
                {
                    "code": r["loader"].code,
                    "name": r["loader"].name,
                    "trips": r["trips"],
                    "tonnes": round(r["tonnes"], 1),
                    "queue_min": round(r["queue_min"], 1),
                    "mean_queue_min": round(r["mean_queue_min"], 2),
                    "utilisation": round(r["utilisation"], 4),
                }
                for r in m["loaders"]
            ],
            "trucks": [
                {
                    "code": r["truck"].code,
                    "trips": r["trips"],
                    "tonnes": round(r["tonnes"], 1),
                    "hours": round(r["hours"], 2),
                    "down_min": round(r["down_min"], 1),
                    "availability": round(r["availability"], 4),
                }
                for r in m["trucks"]
            ],
        }
        for m in report["mines"]
    ]
    lines = [
        {
            "line_id": r["line"].pk,
            "line": r["line"].name,
            "start": r["span"].start,
            "end": r["span"].end,
            "oee": oee_body(r["shift"]) if r["shift"] else None,
        }
        for r in report["lines"]
    ]
    return {"date": report["day"], "shift": report["kind"], "mines": mines, "lines": lines}
