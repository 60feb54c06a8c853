"""Medical API (/api/v1/health/): NEWS2 (the contract of issue 18), ambulances, emergency calls
and their run, vitals. Reads through `health.selectors`, writes through `health.services`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, StrictFloat, StrictInt

from xizang5g.core import access, limits
from xizang5g.core.api_style import ApiInput, ApiPagination, page_schema, paginate, responses
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.health import constants as C
from xizang5g.health import news2, selectors, services
from xizang5g.health.choices import AmbulanceState, CallState, ConsultationState, Syndrome

router = Router(tags=["health"])

_R = C.PHYSIOLOGICAL_RANGES


def _ranged(kind, name: str, description: str):
    low, high = _R[name]
    return Annotated[kind, Field(ge=low, le=high, description=f"{description}, {low}–{high}")]


# ==== NEWS2 =======================================================================================
class HealthNews2ObservationIn(ApiInput):
    respiration_rate: _ranged(StrictInt, "respiration_rate", "breaths per minute")
    spo2: _ranged(StrictInt, "spo2", "SpO2, %")
    spo2_scale: Literal[1, 2] = Field(description="RCP SpO2 scale 1, or 2 (hypercapnic target)")
    on_oxygen: StrictBool = Field(description="any supplemental oxygen")
    systolic_bp: _ranged(StrictInt, "systolic_bp", "systolic blood pressure, mmHg")
    heart_rate: _ranged(StrictInt, "heart_rate", "pulse per minute")
    consciousness: Literal["A", "C", "V", "P", "U"] = Field(description="ACVPU")
    temperature_c: _ranged(StrictFloat, "temperature_c", "°C")
    altitude_m: _ranged(StrictFloat, "altitude_m", "patient's usual altitude, m") | None = None


class HealthNews2In(ApiInput):
    observations: list[HealthNews2ObservationIn] = Field(min_length=1, max_length=1000)


class HealthNews2Parameters(Schema):
    respiration_rate: int
    spo2: int
    on_oxygen: int
    systolic_bp: int
    heart_rate: int
    consciousness: int
    temperature_c: int


class HealthNews2Result(Schema):
    score: int
    parameters: HealthNews2Parameters
    response: Literal["low", "low-medium", "medium", "high"]


@router.post("/news2", response=responses({200: list[HealthNews2Result]}))
def news2_check(request, payload: HealthNews2In):
    """NEWS2 (RCP 2017) of each observation: one result per item, in the order sent. With `altitude_m` absent or 0 the result
    is exactly RCP NEWS2; above 0 the SpO2 scale 1 bands are lowered only when the platform's
    altitude adjustment is switched on (docs/health.md)."""
    results = []
    for item in payload.observations:
        obs = news2.Observation(**{**item.dict(), "altitude_m": item.altitude_m or 0})
        results.append(services.news2_score(obs).as_dict())
    return results


# ==== ambulances and calls ========================================================================
class HealthAmbulanceOut(Schema):
    id: int
    code: str
    name: str
    unit: str = Field(..., alias="unit.code")
    county_adcode: int | None = Field(None, alias="division.adcode")
    state: str
    state_since: datetime | None
    lon: float
    lat: float
    position_at: datetime | None


class HealthAmbulanceFilter(ApiPagination):
    state: AmbulanceState | None = None


class HealthCallOut(Schema):
    id: int
    number: str
    unit: str = Field(..., alias="unit.code")
    received_at: datetime
    caller_lon: float
    caller_lat: float
    county_adcode: int | None = Field(None, alias="division.adcode")
    chief_complaint: str
    priority: int
    patient_ref: str
    patient_altitude_m: int
    state: str
    ambulance_id: int | None
    estimated_minutes: float | None
    hospital: str | None = Field(None, alias="hospital.code")
    hospital_eta: datetime | None
    dispatched_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    transporting_at: datetime | None
    at_hospital_at: datetime | None
    handed_over_at: datetime | None
    handover_note: str


class HealthCallFilter(ApiPagination):
    state: CallState | None = None
    active: bool | None = None


class HealthCallIn(ApiInput):
    unit: str = Field(description="code of the 120 centre (a unit)", max_length=64)
    caller_lon: float = Field(ge=-180, le=180)
    caller_lat: float = Field(ge=-90, le=90)
    county_adcode: int | None = Field(None, ge=0, le=999999)
    chief_complaint: str = Field(min_length=1, max_length=300)
    priority: Literal[1, 2, 3] = 2
    patient_altitude_m: int = Field(0, ge=0, le=6000)
    received_at: limits.Moment | None = None


class HealthCallDispatchIn(ApiInput):
    ambulance_id: int | None = Field(None, ge=1, le=2**62)


class HealthCallAdvanceIn(ApiInput):
    state: Literal["en_route", "on_scene", "transporting", "at_hospital", "handed_over"]
    hospital: str | None = Field(None, max_length=64, description="unit code, for transporting")
    eta_minutes: float | None = Field(None, ge=0, le=24 * 60)
    note: str = Field("", max_length=5000, description="the handover record")


class HealthVitalsOut(Schema):
    time: datetime
    respiration_rate: int
    spo2: int
    spo2_scale: int
    on_oxygen: bool
    systolic_bp: int
    heart_rate: int
    consciousness: str
    temperature_c: float
    altitude_m: int
    score: int
    parameters: dict[str, int]
    response: str


class HealthSyndromicIn(ApiInput):
    county_adcode: int = Field(..., ge=0, le=999999)
    day: date
    counts: dict[Syndrome, int] = Field(
        ..., description="patients seen that day per syndrome: fever, respiratory, diarrhoea"
    )


class HealthSyndromicOut(Schema):
    stored: int


HealthAmbulancePage = page_schema("HealthAmbulancePage", HealthAmbulanceOut)
HealthCallPage = page_schema("HealthCallPage", HealthCallOut)
HealthVitalsPage = page_schema("HealthVitalsPage", HealthVitalsOut)


def _unit(code: str | None, field: str) -> Unit | None:
    if code is None:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError({field: _("No unit with the code %(code)s.") % {"code": code}})
    return unit


@router.post(
    "/syndromic",
    response=responses({200: HealthSyndromicOut}),
    summary="A clinic's daily syndromic counts for a county (the reporting unit is the caller's)",
)
def syndromic_create(request, payload: HealthSyndromicIn):
    unit = request.user.unit
    if unit is None:
        raise PermissionDenied(_("Report from an account of the clinic's unit."))
    county = AdminDivision.objects.filter(adcode=payload.county_adcode, level="county").first()
    if county is None:
        raise ValidationError({"county_adcode": _("No county with this code.")})
    today = timezone.localdate()
    if not today - timedelta(days=366) <= payload.day <= today:
        raise ValidationError({"day": _("The day must lie within the past year.")})
    bad = [s for s, n in payload.counts.items() if not 0 <= n <= 100_000]
    if bad or not payload.counts:
        raise ValidationError({"counts": _("Give each syndrome's count, 0 to 100,000.")})
    with transaction.atomic():
        for syndrome, count in payload.counts.items():
            services.syndromic_report(
                unit=unit,
                division=county,
                day=payload.day,
                syndrome=syndrome,
                count=count,
                user=request.user,
            )
    return {"stored": len(payload.counts)}


@router.get("/ambulances", response=responses({200: HealthAmbulancePage}))
def ambulance_list(request, filters: Query[HealthAmbulanceFilter]):
    return paginate(selectors.ambulance_list(user=request.user, state=filters.state), filters)


@router.get("/calls", response=responses({200: HealthCallPage}))
def call_list(request, filters: Query[HealthCallFilter]):
    rows = selectors.call_list(user=request.user, state=filters.state, active=filters.active)
    return paginate(rows, filters)


@router.post("/calls", response=responses({201: HealthCallOut}))
def call_create(request, payload: HealthCallIn):
    division = None
    if payload.county_adcode is not None:
        division = AdminDivision.objects.filter(adcode=payload.county_adcode).first()
        if division is None:
            raise ValidationError({"county_adcode": _("No such county.")})
    call = services.call_create(
        unit=_unit(payload.unit, "unit"),
        caller_lon=payload.caller_lon,
        caller_lat=payload.caller_lat,
        division=division,
        chief_complaint=payload.chief_complaint,
        priority=payload.priority,
        patient_altitude_m=payload.patient_altitude_m,
        received_at=payload.received_at,
        user=request.user,
    )
    return Status(201, selectors.call_get(user=request.user, pk=call.pk))


@router.get("/calls/{call_id}", response=responses({200: HealthCallOut}))
def call_get(request, call_id: int):
    return selectors.call_get(user=request.user, pk=call_id)


@router.post("/calls/{call_id}/dispatch", response=responses({200: HealthCallOut}))
def dispatch_create(request, call_id: int, payload: HealthCallDispatchIn):
    call = selectors.call_get(user=request.user, pk=call_id, action=access.CHANGE)
    ambulance = None
    if payload.ambulance_id is not None:
        ambulance = selectors.ambulance_get(user=request.user, pk=payload.ambulance_id)
    services.call_dispatch(call=call, ambulance=ambulance, user=request.user)
    return selectors.call_get(user=request.user, pk=call_id)


@router.post("/calls/{call_id}/advance", response=responses({200: HealthCallOut}))
def call_advance(request, call_id: int, payload: HealthCallAdvanceIn):
    call = selectors.call_get(user=request.user, pk=call_id, action=access.CHANGE)
    eta = None if payload.eta_minutes is None else services.eta_from_minutes(payload.eta_minutes)
    services.call_advance(
        call=call,
        state=payload.state,
        hospital=_unit(payload.hospital, "hospital"),
        eta=eta,
        note=payload.note,
        user=request.user,
    )
    return selectors.call_get(user=request.user, pk=call_id)


@router.get("/calls/{call_id}/vitals", response=responses({200: HealthVitalsPage}))
def vitals_list(request, call_id: int, page: Query[ApiPagination]):
    call = selectors.call_get(user=request.user, pk=call_id)
    return paginate(selectors.call_vitals(user=request.user, call=call), page)


# ==== consultations ===============================================================================
class HealthConsultationOut(Schema):
    id: int
    number: str
    requesting_unit: str = Field(..., alias="requesting_unit.code")
    consulting_unit: str = Field(..., alias="consulting_unit.code")
    department: str
    urgency: str
    patient_ref: str
    question: str
    attachments: list[dict]
    state: str
    requested_at: datetime
    specialist: str
    scheduled_for: datetime | None
    session_started_at: datetime | None
    session_ended_at: datetime | None
    link_rtt_ms: float | None
    link_downlink_mbps: float | None
    link_uplink_mbps: float | None
    link_loss_pct: float | None
    outcome: str
    completed_at: datetime | None


class HealthConsultationFilter(ApiPagination):
    state: ConsultationState | None = None


HealthConsultationPage = page_schema("HealthConsultationPage", HealthConsultationOut)


@router.get("/consultations", response=responses({200: HealthConsultationPage}))
def consultation_list(request, filters: Query[HealthConsultationFilter]):
    return paginate(selectors.consultation_list(user=request.user, state=filters.state), filters)


@router.get("/consultations/{consultation_id}", response=responses({200: HealthConsultationOut}))
def consultation_get(request, consultation_id: int):
    return selectors.consultation_get(user=request.user, pk=consultation_id)
