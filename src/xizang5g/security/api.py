"""/api/v1/security/: event ingest with a per-source token, and reads/writes for operators."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from xizang5g.core import access, limits
from xizang5g.security import selectors, services

router = Router(tags=["security"])


class SourceTokenAuth(HttpBearer):
    """`Authorization: Bearer xzsec_…` — the token of one HTTP log source."""

    def authenticate(self, request, token: str):
        source = services.log_source_for_token(token)
        if source is not None:
            request.log_source = source
        return source


class IngestOut(Schema):
    stored: int
    bad: int
    detections: int
    bad_reasons: list[str]


@router.post(
    "/ingest",
    auth=SourceTokenAuth(),
    response=IngestOut,
    summary="Send a batch of events (JSON array)",
)
def ingest(request):
    try:
        items = limits.parse_json(request.body or b"null", what=_("the request body"))
    except limits.InputRejected as exc:
        services.bad_line_record(
            transport="http",
            reason=f"body is not JSON: {exc.message}"[:200],
            data=request.body,
            source=request.log_source,
        )
        raise
    result = services.http_batch_ingest(source=request.log_source, items=items)
    return {
        "stored": result.stored,
        "bad": result.bad,
        "detections": len(result.detections),
        "bad_reasons": result.bad_reasons[:50],
    }


class EventOut(Schema):
    id: int
    time: datetime
    category: str
    host: str
    program: str
    user: str
    src_ip: str
    dst_ip: str
    dst_port: int | None
    action: str
    outcome: str
    message: str


@router.get("/events", response=list[EventOut])
def events(request, category: str = "", src_ip: str = "", q: str = "", limit: limits.Int64 = 100):
    qs = selectors.event_list(
        user=request.user, filters={"category": category, "src_ip": src_ip, "q": q}
    )
    return list(qs[: max(1, min(limit, 1000))])


class IncidentOut(Schema):
    id: int
    code: str
    title: str
    category: str
    level: str
    state: str
    closing_reason: str
    responsible_unit_id: int
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None


class IncidentFromAlertIn(Schema):
    alert_id: limits.DbId
    level: str = "IV"


class TransitionIn(Schema):
    to_state: str
    note: str = ""
    closing_reason: str = ""


@router.get("/incidents", response=list[IncidentOut])
def incidents(request, state: str = ""):
    return list(selectors.incident_list(user=request.user, filters={"state": state})[:500])


@router.post("/incidents/from-alert", response={201: IncidentOut})
def incident_from_alert(request, payload: IncidentFromAlertIn):
    alert = selectors.security_alert_get(user=request.user, pk=payload.alert_id)
    incident = services.incident_create_from_alert(
        alert=alert, user=request.user, level=payload.level
    )
    return Status(201, incident)


@router.post("/incidents/{id:incident_id}/transition", response=IncidentOut)
def incident_transition(request, incident_id: limits.DbId, payload: TransitionIn):
    incident = selectors.incident_get(user=request.user, pk=incident_id, action=access.CHANGE)
    return services.incident_transition(incident=incident, user=request.user, **payload.dict())


class RuleIn(Schema):
    yaml: str


class RuleOut(Schema):
    id: int
    rule_id: str
    title: str
    level: str
    logsource: str
    origin: str
    enabled: bool


@router.get("/rules", response=list[RuleOut])
def rules(request):
    return list(selectors.sigma_rule_list(user=request.user))


@router.post("/rules", response={201: RuleOut})
def rule_create(request, payload: RuleIn):
    return Status(201, services.sigma_rule_create(text=payload.yaml, user=request.user))


class SystemOut(Schema):
    id: int
    code: str
    name: str
    owner_unit_id: int
    mlps_level: int
    filing_status: str
    security_planned: bool
    security_built: bool
    security_operated: bool
    holds_personal_data: bool
    holds_important_data: bool


@router.get("/systems", response=list[SystemOut])
def systems(request):
    return list(selectors.system_list(user=request.user))
