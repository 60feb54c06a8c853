"""Tourism API (/api/v1/tourism/): the integrators' contract for spots, counts and status.

The contract is kept stable: ``POST spots``, ``POST spots/{code}/counts``,
``GET spots/{code}/status`` (paths, fields and status codes as in issue 16 and docs/tourism.md).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xizang5g.core import access, limits
from xizang5g.core.api_style import ApiInput, ApiPagination, page_schema, paginate, responses
from xizang5g.core.models import Unit
from xizang5g.tourism import constants as C
from xizang5g.tourism import selectors, services
from xizang5g.tourism.choices import CrowdLevel
from xizang5g.tourism.models import SpotState, Zone

router = Router(tags=["tourism"])

Code = Field(..., min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
COUNT_MAX = 10_000_000


class TourismZoneIn(ApiInput):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)
    area_m2: float = Field(..., gt=0, le=1e9, allow_inf_nan=False)
    per_visitor_m2: float = Field(..., ge=0.1, le=1e6, allow_inf_nan=False)


class TourismSpotIn(ApiInput):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)
    zones: list[TourismZoneIn] = Field(..., min_length=1, max_length=200)
    open_hours: float = Field(..., ge=0.5, le=24, allow_inf_nan=False)
    average_stay_hours: float = Field(..., ge=0.1, le=24, allow_inf_nan=False)
    cap_daily: int | None = Field(None, ge=0, le=COUNT_MAX)
    unit: str | None = Field(
        None, max_length=64, description="managing unit's code (default: the caller's unit)"
    )


class TourismCapacityOut(Schema):
    code: str
    capacity_instant: int
    capacity_daily: int


class TourismCountIn(ApiInput):
    zone: str = Code
    at: limits.Moment
    entries: int = Field(..., ge=0, le=COUNT_MAX)
    exits: int = Field(..., ge=0, le=COUNT_MAX)


class TourismHeadcountIn(ApiInput):
    zone: str = Code
    at: limits.Moment
    count: int = Field(..., ge=0, le=COUNT_MAX, description="people in the zone at `at`")
    source: str = Field("", max_length=80, description="e.g. the operator's signalling platform")


class TourismCountOut(Schema):
    stored: bool
    level: str
    occupancy: int


class TourismStatusOut(Schema):
    occupancy: int
    capacity_instant: int
    capacity_daily: int
    entries_today: int
    level: str
    updated_at: datetime | None


class TourismSpotOut(Schema):
    id: int
    code: str
    name: str
    a_level: int | None
    managing_unit: str = Field(..., alias="managing_unit.code")
    capacity_instant: int
    capacity_daily: int


class TourismSpotFilters(ApiPagination):
    level: CrowdLevel | None = None


TourismSpotPage = page_schema("TourismSpotPage", TourismSpotOut)


def _status(spot) -> dict:
    state = SpotState.objects.filter(spot=spot).first()
    return {
        "occupancy": state.occupancy if state else 0,
        "capacity_instant": spot.capacity_instant,
        "capacity_daily": spot.capacity_daily,
        "entries_today": state.entries_today if state else 0,
        "level": state.level if state else CrowdLevel.COMFORTABLE,
        "updated_at": state.updated_at if state else None,
    }


@router.get("/spots", response=responses({200: TourismSpotPage}), summary="Scenic spots")
def spot_list(request, filters: Query[TourismSpotFilters]):
    qs = selectors.spot_list(user=request.user, filters={"level": filters.level})
    return paginate(qs, filters)


@router.post(
    "/spots",
    response=responses({200: TourismCapacityOut, 201: TourismCapacityOut}),
    summary="Register a scenic spot with its zones (capacity per LB/T 034-2014)",
)
def spot_create(request, payload: TourismSpotIn):
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit %(c)s.") % {"c": payload.unit}})
    spot, created = services.spot_save(
        user=request.user,
        code=payload.code,
        name=payload.name,
        zones=[services.ZoneInput(**z.dict()) for z in payload.zones],
        open_hours=payload.open_hours,
        average_stay_hours=payload.average_stay_hours,
        cap_daily=payload.cap_daily,
        managing_unit=unit,
    )
    body = {
        "code": spot.code,
        "capacity_instant": spot.capacity_instant,
        "capacity_daily": spot.capacity_daily,
    }
    return Status(201 if created else 200, body)


@router.post(
    "/spots/{code}/counts",
    response=responses({200: TourismCountOut}),
    summary="Push cumulative entries and exits of a zone (idempotent by zone and time)",
)
def count_create(request, code: str, payload: TourismCountIn):
    spot = selectors.spot_get(user=request.user, code=code, action=access.CHANGE)
    zone, at = _zone_and_time(spot, payload.zone, payload.at)
    result = services.counts_record(
        [services.Count(zone=zone, at=at, entries=payload.entries, exits=payload.exits)]
    )
    state = SpotState.objects.get(spot=spot)
    return {"stored": bool(result["stored"]), "level": state.level, "occupancy": state.occupancy}


@router.post(
    "/spots/{code}/headcounts",
    response=responses({200: TourismCountOut}),
    summary="Push a headcount of a zone (operators' signalling data), which corrects the counters",
)
def headcount_create(request, code: str, payload: TourismHeadcountIn):
    spot = selectors.spot_get(user=request.user, code=code, action=access.CHANGE)
    zone, at = _zone_and_time(spot, payload.zone, payload.at)
    services.headcount_record(
        zone=zone, at=at, count=payload.count, source=payload.source, user=request.user
    )
    state = SpotState.objects.get(spot=spot)
    return {"stored": True, "level": state.level, "occupancy": state.occupancy}


def _zone_and_time(spot, zone_code: str, at: datetime):
    """The spot's zone and the time in the region's zone when naive; clear errors otherwise."""
    zone = Zone.objects.filter(spot=spot, code=zone_code).first()
    if zone is None:
        raise ValidationError(
            {"zone": _("Spot %(s)s has no zone %(z)s.") % {"s": spot.code, "z": zone_code}}
        )
    if timezone.is_naive(at):
        at = at.replace(tzinfo=zoneinfo.ZoneInfo(C.LOCAL_TZ))
    if at > timezone.now() + timedelta(minutes=10):
        raise ValidationError({"at": _("The count's time lies in the future.")})
    return zone, at


@router.get(
    "/spots/{code}/status",
    response=responses({200: TourismStatusOut}),
    summary="Live occupancy, capacity and crowd level of a spot",
)
def status_get(request, code: str):
    spot = selectors.spot_get(user=request.user, code=code)
    return _status(spot)
