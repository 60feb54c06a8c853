"""Industry API (/api/v1/industry/): production lines and their shift OEE, the live dispatch
board of a mine with the MTWT recommendation, the dispatcher's assignments, and shift reports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xizang5g.core import access
from xizang5g.core.api_style import ApiInput, ApiPagination, page_schema, paginate, responses
from xizang5g.industry import selectors, services
from xizang5g.industry.choices import Shift
from xizang5g.industry.reports import oee_body, report_body

router = Router(tags=["industry"])

Code = Field(..., min_length=1, max_length=32, pattern=r"^[-a-zA-Z0-9_]+$")


class IndustryLossOut(Schema):
    cause: str
    minutes: float


class IndustryOeeOut(Schema):
    day: dt.date
    shift: str
    planned_h: float
    run_h: float
    total: int
    good: int
    availability: float
    performance: float
    quality: float
    oee: float
    losses: list[IndustryLossOut]


class IndustryLineOut(Schema):
    id: int
    code: str
    name: str
    name_bo: str
    name_en: str
    enterprise: str = Field(..., alias="unit.code")
    product: str
    ideal_cycle_s: float
    oee_target: float
    planned_shifts: list[str]


class IndustryLineFilters(ApiPagination):
    pass


IndustryLinePage = page_schema("IndustryLinePage", IndustryLineOut)
IndustryOeePage = page_schema("IndustryOeePage", IndustryOeeOut)


@router.get("/lines", response=responses({200: IndustryLinePage}), summary="Production lines")
def line_list(request, filters: Query[IndustryLineFilters]):
    return paginate(selectors.line_list(user=request.user), filters)


@router.get(
    "/lines/{line_id}/shifts",
    response=responses({200: IndustryOeePage}),
    summary="A line's OEE per shift (ISO 22400-2), the newest first",
)
def line_shift_list(request, line_id: int, filters: Query[IndustryLineFilters]):
    line = selectors.line_get(user=request.user, pk=line_id)
    return paginate(selectors.line_shift_list(line=line), filters, oee_body)


class IndustryShiftQuery(Schema):
    date: dt.date = Field(..., ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))
    shift: Shift


class IndustryLoaderShiftOut(Schema):
    code: str
    name: str
    trips: int
    tonnes: float
    queue_min: float
    mean_queue_min: float
    utilisation: float


class IndustryTruckShiftOut(Schema):
    code: str
    trips: int
    tonnes: float
    hours: float
    down_min: float
    availability: float


class IndustryMineShiftOut(Schema):
    mine_id: int
    mine: str
    start: dt.datetime
    end: dt.datetime
    trips: int
    tonnes: float
    mean_cycle_min: float
    queue_min: float
    availability: float
    loaders: list[IndustryLoaderShiftOut]
    trucks: list[IndustryTruckShiftOut]


class IndustryLineShiftOut(Schema):
    line_id: int
    line: str
    start: dt.datetime
    end: dt.datetime
    oee: IndustryOeeOut | None


class IndustryShiftReportOut(Schema):
    date: dt.date
    shift: str
    mines: list[IndustryMineShiftOut]
    lines: list[IndustryLineShiftOut]


@router.get(
    "/shift-report",
    response=responses({200: IndustryShiftReportOut}),
    summary="Shift report: haulage per mine and OEE per line over one shift",
)
def shift_report_get(request, query: Query[IndustryShiftQuery]):
    report = selectors.shift_report(user=request.user, day=query.date, kind=query.shift)
    return report_body(report)


class IndustryTruckLiveOut(Schema):
    code: str
    state: str | None
    since: dt.datetime | None
    latitude: float | None
    longitude: float | None
    payload_t: float | None
    loader: str | None
    target: str | None


class IndustryLoaderLiveOut(Schema):
    code: str
    name: str
    queueing: list[str]
    loading: list[str]
    en_route: list[str]
    free_in_min: float
    load_min: float
    travel_min: float
    learned: bool


class IndustryRecommendationOut(Schema):
    truck: str
    loader: str
    expected_wait_min: float
    loader_idle_min: float


class IndustryDispatchOut(Schema):
    mine_id: int
    trucks: list[IndustryTruckLiveOut]
    loaders: list[IndustryLoaderLiveOut]
    recommendations: list[IndustryRecommendationOut]


def _truck(truck) -> dict:
    s = truck.live
    return {
        "code": truck.code,
        "state": s.state if s else None,
        "since": s.since if s else None,
        "latitude": s.latitude if s else None,
        "longitude": s.longitude if s else None,
        "payload_t": s.payload_t if s else None,
        "loader": s.loader.code if s and s.loader else None,
        "target": s.target.code if s and s.target else None,
    }


@router.get(
    "/mines/{mine_id}/dispatch",
    response=responses({200: IndustryDispatchOut}),
    summary="Live dispatch board: trucks, loader queues and the MTWT recommendation",
)
def dispatch_get(request, mine_id: int):
    mine = selectors.mine_get(user=request.user, pk=mine_id)
    board = selectors.dispatch_live(mine=mine)
    return {
        "mine_id": mine.pk,
        "trucks": [_truck(t) for t in board["trucks"]],
        "loaders": [
            {
                "code": r["loader"].code,
                "name": r["loader"].name,
                "queueing": [t.code for t in r["queueing"]],
                "loading": [t.code for t in r["loading"]],
                "en_route": [t.code for t in r["en_route"]],
                "free_in_min": round(r["free_in_min"], 2),
                "load_min": round(r["times"]["load_min"], 2),
                "travel_min": round(r["times"]["travel_min"], 2),
                "learned": r["times"]["learned"],
            }
            for r in board["loaders"]
        ],
        "recommendations": [
            {
                "truck": r["truck"].code,
                "loader": r["loader"].code,
                "expected_wait_min": round(r["expected_wait_min"], 2),
                "loader_idle_min": round(r["loader_idle_min"], 2),
            }
            for r in board["recommendations"]
        ],
    }


class IndustryAssignmentIn(ApiInput):
    truck: str = Code
    loader: str = Code


class IndustryAssignmentOut(Schema):
    id: int
    truck: str
    loader: str
    recommended: str | None
    expected_wait_min: float | None
    at: dt.datetime


@router.post(
    "/mines/{mine_id}/assignments",
    response=responses({201: IndustryAssignmentOut}),
    summary="Send a truck to a loader (recorded with the rule's recommendation)",
)
def assignment_create(request, mine_id: int, payload: IndustryAssignmentIn):
    mine = selectors.mine_get(user=request.user, pk=mine_id, action=access.CHANGE)
    truck = selectors.truck_get(mine=mine, code=payload.truck)
    if truck is None:
        raise ValidationError({"truck": _("Mine has no truck %(c)s.") % {"c": payload.truck}})
    loader = selectors.loader_get(mine=mine, code=payload.loader)
    if loader is None:
        raise ValidationError({"loader": _("Mine has no loader %(c)s.") % {"c": payload.loader}})
    advice = selectors.recommendation_for(mine=mine, truck=truck)
    assignment = services.assignment_record(
        truck=truck,
        loader=loader,
        user=request.user,
        recommended=advice["loader"] if advice else None,
        expected_wait_min=advice["expected_wait_min"] if advice else None,
    )
    return Status(
        201,
        {
            "id": assignment.pk,
            "truck": truck.code,
            "loader": loader.code,
            "recommended": assignment.recommended.code if assignment.recommended else None,
            "expected_wait_min": assignment.expected_wait_min,
            "at": assignment.at,
        },
    )
