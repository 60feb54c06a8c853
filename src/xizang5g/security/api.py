"""/api/v1/security/: event ingest with a per-source token, and reads/writes for operators."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from xizang5g.core import access, limits
from xizang5g.core.api_style import ApiInput, ApiPagination, page_schema, paginate, responses
from xizang5g.security import selectors, services
from xizang5g.security.constants import HTTP_BATCH_MAX

router = Router(tags=["security"])


class SourceTokenAuth(HttpBearer):
    """`Authorization: Bearer xzsec_…` — the token of one HTTP log source."""

    def authenticate(self, request, token: str):
        source = services.log_source_for_token(token)
        if source is not None:
            request.log_source = source
        return source


class SecurityIngestOut(Schema):
    stored: int
    bad: int
    detections: int
    bad_reasons: list[str]


@router.post(
    "/ingest",
    auth=SourceTokenAuth(),
    response=responses({200: SecurityIngestOut}),
    summary="Send a batch of events (JSON array)",
)
def event_ingest(request):
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
    _check_batch(items)
    result = services.http_batch_ingest(source=request.log_source, items=items)
    return {
        "stored": result.stored,
        "bad": result.bad,
        "detections": len(result.detections),
        "bad_reasons": result.bad_reasons[:50],
    }


def _check_batch(items) -> None:
    if not isinstance(items, list):
        raise limits.InputRejected(_("The request body must be a JSON array of event objects."))
    if len(items) > HTTP_BATCH_MAX:
        raise limits.InputRejected(
            _("A batch holds at most %(max)s events; this one has %(n)s.")
            % {"max": HTTP_BATCH_MAX, "n": len(items)},
            status=413,
        )


class SecurityEventOut(Schema):
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


class SecurityEventFilters(ApiPagination):
    category: str = ""
    src_ip: str = ""
    q: str = ""


SecurityEventPage = page_schema("SecurityEventPage", SecurityEventOut)


@router.get("/events", response=responses({200: SecurityEventPage}), summary="Security events")
def event_list(request, filters: Query[SecurityEventFilters]):
    qs = selectors.event_list(user=request.user, filters=filters.dict(exclude={"limit", "offset"}))
    return paginate(qs, filters)


class SecurityIncidentOut(Schema):
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


class SecurityIncidentFromAlertIn(ApiInput):
    alert_id: limits.DbId
    level: str = "IV"


class SecurityIncidentTransitionIn(ApiInput):
    to_state: str
    note: str = ""
    closing_reason: str = ""


class SecurityIncidentFilters(ApiPagination):
    state: str = Field("", description="a state, or 'open' for every state but closed")


SecurityIncidentPage = page_schema("SecurityIncidentPage", SecurityIncidentOut)


@router.get("/incidents", response=responses({200: SecurityIncidentPage}), summary="Incidents")
def incident_list(request, filters: Query[SecurityIncidentFilters]):
    return paginate(
        selectors.incident_list(user=request.user, filters={"state": filters.state}), filters
    )


@router.post(
    "/incidents/from-alert",
    response=responses({201: SecurityIncidentOut}),
    summary="Open an incident from a security alert",
)
def incident_create(request, payload: SecurityIncidentFromAlertIn):
    alert = selectors.security_alert_get(user=request.user, pk=payload.alert_id)
    incident = services.incident_create_from_alert(
        alert=alert, user=request.user, level=payload.level
    )
    return Status(201, incident)


@router.post(
    "/incidents/{id:incident_id}/transition",
    response=responses({200: SecurityIncidentOut}),
    summary="Move an incident along its workflow",
)
def incident_transition(request, incident_id: limits.DbId, payload: SecurityIncidentTransitionIn):
    incident = selectors.incident_get(user=request.user, pk=incident_id, action=access.CHANGE)
    return services.incident_transition(incident=incident, user=request.user, **payload.dict())


class SecuritySigmaRuleIn(ApiInput):
    yaml: str = Field(description="the Sigma rule (YAML)")


class SecuritySigmaRuleOut(Schema):
    id: int
    rule_id: str
    title: str
    level: str
    logsource: str
    origin: str
    enabled: bool


SecuritySigmaRulePage = page_schema("SecuritySigmaRulePage", SecuritySigmaRuleOut)


class SecurityRuleTuningIn(ApiInput):
    source: str | None = Field(
        None, max_length=64, description="log source code; absent: every source"
    )
    enabled: bool = True
    filter: str = Field(
        "",
        max_length=20_000,
        description="false-positive filter: a Sigma `detection` (YAML) whose matches raise nothing",
    )
    note: str = Field("", max_length=2000, description="why (kept with the change log)")


class SecurityRuleTuningOut(Schema):
    rule_id: int
    source: str | None
    enabled: bool
    filter: str
    note: str


@router.get("/rules", response=responses({200: SecuritySigmaRulePage}), summary="Sigma rules")
def sigma_rule_list(request, page: Query[ApiPagination]):
    return paginate(selectors.sigma_rule_list(user=request.user), page)


@router.put(
    "/rules/{rule_id}/tuning",
    response=responses({200: SecurityRuleTuningOut}),
    summary="Switch a rule on or off for a log source and set its false-positive filter",
)
def rule_tuning_save(request, rule_id: limits.DbId, payload: SecurityRuleTuningIn):
    services.require_operator(request.user)  # before the look-up: the same answer for any id
    rule = access.get_or_404(selectors.sigma_rule_list(user=request.user), request.user, pk=rule_id)
    source = None
    if payload.source:
        source = selectors.log_source_list(user=request.user).filter(code=payload.source).first()
        if source is None:
            raise ValidationError({"source": _("No log source with this code.")})
    tuning = services.rule_tuning_set(
        rule=rule,
        user=request.user,
        source=source,
        enabled=payload.enabled,
        filter=payload.filter,
        note=payload.note,
    )
    return {
        "rule_id": rule.pk,
        "source": source.code if source else None,
        "enabled": tuning.enabled,
        "filter": tuning.filter,
        "note": tuning.note,
    }


@router.post("/rules", response=responses({201: SecuritySigmaRuleOut}), summary="Add a Sigma rule")
def sigma_rule_create(request, payload: SecuritySigmaRuleIn):
    return Status(201, services.sigma_rule_create(text=payload.yaml, user=request.user))


class SecuritySystemOut(Schema):
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


SecuritySystemPage = page_schema("SecuritySystemPage", SecuritySystemOut)


@router.get(
    "/systems", response=responses({200: SecuritySystemPage}), summary="Information systems"
)
def system_list(request, page: Query[ApiPagination]):
    return paginate(selectors.system_list(user=request.user), page)
