"""Alert centre API (/api/v1/core/): list, read, acknowledge and resolve alerts.

Reads go through `core.selectors.alert_list` (a unit editor sees its unit's alerts only);
acknowledging and resolving go through `core.services` (403 for alerts one may not handle).
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from xizang5g.core import limits, selectors, services
from xizang5g.core.api_style import (
    MAX_LIMIT,
    ApiInput,
    ApiPagination,
    page_schema,
    paginate,
    responses,
)
from xizang5g.core.choices import AlertState

router = Router(tags=["alerts"])


class CoreAlertEventOut(Schema):
    time: datetime
    action: str
    user: str | None
    note: str


class CoreAlertOut(Schema):
    id: int
    source: str
    rule: str
    dedup_key: str
    title: str = Field(description="in the language the request asks for (Accept-Language)")
    message: str = Field(description="in the language the request asks for (Accept-Language)")
    severity: str
    state: str
    unit: str | None = Field(None, description="code of the assignee unit")
    object_type: str
    object_id: str
    details: dict
    first_seen: datetime
    last_seen: datetime
    occurrences: int
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class CoreAlertDetailOut(CoreAlertOut):
    events: list[CoreAlertEventOut]


CoreAlertPage = page_schema("CoreAlertPage", CoreAlertOut)


class CoreAlertFilters(ApiPagination):
    state: str | None = Field(
        None, description="open, acknowledged, resolved, or live (not resolved)"
    )
    severity: str | None = None
    source: str | None = None
    unit_id: limits.DbId | None = None
    q: str | None = None


class CoreAlertNoteIn(ApiInput):
    note: str = ""


class CoreAlertBulkIn(ApiInput):
    ids: list[limits.DbId] = Field(max_length=MAX_LIMIT)
    note: str = ""


class CoreAlertBulkOut(Schema):
    acknowledged: int
    skipped: list[int]


def _out(alert) -> dict:
    return {
        **{f: getattr(alert, f) for f in CoreAlertOut.model_fields if f != "unit"},
        "title": alert.shown_title,  # in the reader's language
        "message": alert.shown_message,
        "unit": alert.unit.code if alert.unit_id else None,
    }


def _filtered(user, filters: CoreAlertFilters):
    data = filters.dict(exclude={"limit", "offset"})
    live = data.get("state") == "live"
    if live:
        data["state"] = None
    qs = selectors.alert_list(user=user, filters=data)
    return qs.exclude(state=AlertState.RESOLVED) if live else qs


@router.get(
    "/alerts",
    response=responses({200: CoreAlertPage}),
    summary="Alerts you may see, newest first",
)
def alert_list(request, filters: Query[CoreAlertFilters]):
    return paginate(_filtered(request.user, filters), filters, _out)


@router.get(
    "/alerts/{id:alert_id}",
    response=responses({200: CoreAlertDetailOut}),
    summary="One alert with its history",
)
def alert_get(request, alert_id: limits.DbId):
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    events = [
        {
            "time": e.time,
            "action": e.action,
            "user": str(e.user) if e.user else None,
            "note": e.note,
        }
        for e in alert.events.select_related("user")
    ]
    return {**_out(alert), "events": events}


@router.post(
    "/alerts/{id:alert_id}/acknowledge",
    response=responses({200: CoreAlertOut}),
    summary="Acknowledge an alert",
)
def alert_acknowledge(request, alert_id: limits.DbId, payload: CoreAlertNoteIn):
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    return _out(services.alert_acknowledge(alert=alert, user=request.user, note=payload.note))


@router.post(
    "/alerts/{id:alert_id}/resolve",
    response=responses({200: CoreAlertOut}),
    summary="Resolve an alert",
)
def alert_resolve(request, alert_id: limits.DbId, payload: CoreAlertNoteIn):
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    return _out(services.alert_resolve(alert=alert, user=request.user, note=payload.note))


@router.post(
    "/alerts/acknowledge",
    response=responses({200: CoreAlertBulkOut}),
    summary="Acknowledge several alerts",
)
def alert_bulk_acknowledge(request, payload: CoreAlertBulkIn):
    visible = list(selectors.alert_list(user=request.user).filter(pk__in=payload.ids))
    allowed = [a for a in visible if selectors.alert_can_handle(user=request.user, alert=a)]
    count = services.alert_bulk_acknowledge(alerts=allowed, user=request.user, note=payload.note)
    skipped = sorted(
        set(payload.ids) - {a.pk for a in allowed if a.state == AlertState.ACKNOWLEDGED}
    )
    return {"acknowledged": count, "skipped": skipped}
