"""Portal API (/api/v1/portal/): public reads of typical cases and news, the EMF calculator and
measurement requests for everyone (no token); the radio regulator's request queue (token or
session)."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xizang5g.core import access
from xizang5g.core.api_style import (
    ApiError,
    ApiInput,
    ApiPagination,
    error_body,
    page_schema,
    paginate,
    responses,
)
from xizang5g.core.clients import client_ip
from xizang5g.portal import emf, selectors, services
from xizang5g.portal.choices import NewsKind, RequestStatus
from xizang5g.portal.models import MeasurementRequest

router = Router(tags=["portal"])


# --- schemas -----------------------------------------------------------------------------------
class PortalCaseOut(Schema):
    id: int
    name: str
    industry: str
    prefecture: str
    county: str | None
    since: date
    summary: str


class PortalCaseFilters(ApiPagination):
    q: str | None = Field(None, max_length=100)
    industry: str | None = Field(None, max_length=64)
    prefecture: int | None = Field(None, ge=0, le=999999)
    year: int | None = Field(None, ge=2000, le=2100)


class PortalKpiOut(Schema):
    name: str
    unit: str
    target: float
    actual: float | None
    met: bool | None


class PortalEvidenceOut(Schema):
    system: str
    headline: str
    last_activity: datetime | None


class PortalCaseDetailOut(PortalCaseOut):
    scenarios: list[str]
    kpis: list[PortalKpiOut]
    evidence: list[PortalEvidenceOut]


class PortalNewsOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    published_at: datetime


class PortalNewsDetailOut(PortalNewsOut):
    body: str
    attachments: list[str]


class PortalNewsFilters(ApiPagination):
    kind: NewsKind | None = None


class PortalEmfQuery(Schema):
    eirp_dbm: float = Field(..., description="peak EIRP (dBm)")
    distance_m: float = Field(..., description="distance from the antenna (m), > 0")
    f_mhz: float = Field(..., description="frequency (MHz), 0.1 to 300000")
    gain_db: float = Field(
        0.0, description="antenna gain towards the point relative to the peak (dB, <= 0)"
    )


class PortalEmfOut(Schema):
    eirp_dbm: float
    eirp_w: float
    distance_m: float
    f_mhz: float
    gain_db: float
    power_density_w_m2: float
    field_strength_v_m: float
    limit_e_v_m: float
    limit_s_w_m2: float
    ratio: float = Field(description="power density / the GB 8702-2014 public limit")
    passes: bool


class PortalRequestIn(ApiInput):
    name: str = Field(..., max_length=100)
    contact: str = Field(..., max_length=200, description="mobile phone number or email")
    county: int = Field(..., description="the county's adcode")
    location: str = Field(..., max_length=300)
    concern: str = Field(..., max_length=2000)


class PortalRequestSentOut(Schema):
    reference: str


class PortalRequestOut(Schema):
    id: int
    reference: str
    created_at: datetime
    county: str
    location: str
    concern: str
    status: str
    assignee: str | None
    answer: str


class PortalRequestFilters(ApiPagination):
    status: RequestStatus | None = None


class PortalRequestUpdateIn(ApiInput):
    status: RequestStatus | None = Field(
        None, description="answered (with `answer`) or closed; `assigned` with `assignee`"
    )
    assignee: str | None = Field(None, max_length=150, description="username of a regulator")
    answer: str | None = Field(None, max_length=4000)


PortalCasePage = page_schema("PortalCasePage", PortalCaseOut)
PortalNewsPage = page_schema("PortalNewsPage", PortalNewsOut)
PortalRequestPage = page_schema("PortalRequestPage", PortalRequestOut)


def _case(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "industry": p.industry.name,
        "prefecture": p.prefecture.name_zh,
        "county": p.county.name_zh if p.county else None,
        "since": p.state_since,
        "summary": p.summary,
    }


def _news(item) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "summary": item.summary,
        "published_at": item.published_at,
    }


def _request(mr: MeasurementRequest) -> dict:
    return {
        "id": mr.pk,
        "reference": mr.reference,
        "created_at": mr.created_at,
        "county": mr.county.name_zh,
        "location": mr.location,
        "concern": mr.concern,
        "status": mr.status,
        "assignee": mr.assignee.username if mr.assignee else None,
        "answer": mr.answer,
    }


# --- public ------------------------------------------------------------------------------------
@router.get("/cases", response=responses({200: PortalCasePage}), auth=None, summary="Typical cases")
def case_list(request, filters: Query[PortalCaseFilters]):
    data = filters.dict(exclude={"limit", "offset"})
    return paginate(selectors.public_case_list(filters=data), filters, _case)


@router.get(
    "/cases/{case_id}",
    response=responses({200: PortalCaseDetailOut}),
    auth=None,
    summary="One typical case",
)
def case_get(request, case_id: int):
    case = selectors.public_case_get(pk=case_id)
    project = selectors.public_case_list().get(pk=case_id)
    return {
        **_case(project),
        "scenarios": case["scenarios"],
        "kpis": [
            {
                **k,
                "target": float(k["target"]),
                "actual": None if k["actual"] is None else float(k["actual"]),
            }
            for k in case["kpis"]
        ],
        "evidence": case["evidence"],
    }


@router.get("/news", response=responses({200: PortalNewsPage}), auth=None, summary="News")
def news_list(request, filters: Query[PortalNewsFilters]):
    return paginate(selectors.public_news_list(kind=filters.kind), filters, _news)


@router.get(
    "/news/{news_id}",
    response=responses({200: PortalNewsDetailOut}),
    auth=None,
    summary="One news item",
)
def news_get(request, news_id: int):
    item = selectors.public_news_get(pk=news_id)
    return {
        **_news(item),
        "body": item.body,
        "attachments": [a.filename for a in item.attachments.all()],
    }


@router.get(
    "/emf",
    response=responses({200: PortalEmfOut}),
    auth=None,
    summary="EMF exposure against GB 8702-2014",
)
def emf_exposure_check(request, query: Query[PortalEmfQuery]):
    try:
        result = emf.calculate(
            eirp=query.eirp_dbm,
            eirp_unit="dbm",
            distance_m=query.distance_m,
            f_mhz=query.f_mhz,
            gain_db=query.gain_db if query.gain_db else None,
        )
    except emf.CalculatorError as exc:
        names = {"eirp": "eirp_dbm"}
        raise ValidationError({names.get(k, k): v for k, v in exc.errors.items()}) from exc
    return result.as_dict()


@router.post(
    "/requests",
    response=responses({201: PortalRequestSentOut}, extra={429: ApiError}),
    auth=None,
    summary="Request an EMF measurement",
)
def request_create(request, payload: PortalRequestIn):
    user = getattr(request, "user", None)
    try:
        mr = services.request_submit(
            **payload.dict(),
            ip=client_ip(request),
            user=user if user is not None and user.is_authenticated else None,
        )
    except services.RateLimited:
        return Status(
            429,
            error_body(_("Too many requests from this address in the last hour; try later.")),
        )
    return Status(201, {"reference": mr.reference})


# --- the regulator -----------------------------------------------------------------------------
def _require_handler(request):
    if not access.role_may(request.user, access.CHANGE, MeasurementRequest):
        raise PermissionDenied


@router.get(
    "/requests",
    response=responses({200: PortalRequestPage}),
    summary="EMF measurement requests (regulator)",
)
def request_list(request, filters: Query[PortalRequestFilters]):
    _require_handler(request)
    qs = selectors.request_list(user=request.user, status=filters.status)
    return paginate(qs, filters, _request)


@router.patch(
    "/requests/{request_id}",
    response=responses({200: PortalRequestOut}),
    summary="Assign, answer or close a request (regulator)",
)
def request_update(request, request_id: int, payload: PortalRequestUpdateIn):
    user = request.user
    mr = selectors.request_get(user=user, pk=request_id, action=access.CHANGE)
    if payload.assignee is not None:
        assignee = (
            get_user_model().objects.filter(username=payload.assignee, is_active=True).first()
        )
        if assignee is None:
            raise ValidationError({"assignee": _("Unknown user %(u)s.") % {"u": payload.assignee}})
        mr = services.request_assign(mr=mr, user=user, assignee=assignee)
    if payload.answer is not None or payload.status == RequestStatus.ANSWERED:
        mr = services.request_answer(mr=mr, user=user, answer=payload.answer or "")
    if payload.status == RequestStatus.CLOSED:
        mr = services.request_close(mr=mr, user=user)
    elif payload.status in (RequestStatus.NEW,):
        raise ValidationError({"status": _("A request cannot go back to new.")})
    return _request(mr)
