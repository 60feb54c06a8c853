"""Alert centre API (/api/v1/core/): list, read, acknowledge and resolve alerts.

Reads go through `core.selectors.alert_list` (a unit editor sees its unit's alerts only);
acknowledging and resolving go through `core.services` (403 for alerts one may not handle).
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from xizang5g.core import limits, selectors, services
from xizang5g.core.choices import AlertState

router = Router(tags=["alerts"])

MAX_PAGE_SIZE = 500


class AlertEventOut(Schema):
    time: datetime
    action: str
    user: str | None
    note: str


class AlertOut(Schema):
    id: int
    source: str
    rule: str
    dedup_key: str
    title: str
    message: str
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


class AlertDetailOut(AlertOut):
    events: list[AlertEventOut]


class AlertPage(Schema):
    count: int
    items: list[AlertOut]


class AlertFilters(Schema):
    state: str | None = Field(
        None, description="open, acknowledged, resolved, or live (not resolved)"
    )
    severity: str | None = None
    source: str | None = None
    unit_id: limits.DbId | None = None
    q: str | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=limits.INT64_MAX)


class NoteIn(Schema):
    note: str = ""


class BulkIn(Schema):
    ids: list[limits.DbId] = Field(max_length=MAX_PAGE_SIZE)
    note: str = ""


class BulkOut(Schema):
    acknowledged: int
    skipped: list[int]


def _out(alert) -> dict:
    return {
        **{f: getattr(alert, f) for f in AlertOut.model_fields if f not in ("unit",)},
        "unit": alert.unit.code if alert.unit_id else None,
    }


def _filtered(user, filters: AlertFilters):
    data = filters.dict(exclude={"limit", "offset"})
    live = data.get("state") == "live"
    if live:
        data["state"] = None
    qs = selectors.alert_list(user=user, filters=data)
    return qs.exclude(state=AlertState.RESOLVED) if live else qs


@router.get("/alerts", response=AlertPage, summary="Alerts you may see, newest first")
def alerts(request, filters: Query[AlertFilters]):
    qs = _filtered(request.user, filters)
    page = qs[filters.offset : filters.offset + filters.limit]
    return {"count": qs.count(), "items": [_out(a) for a in page]}


@router.get("/alerts/{id:alert_id}", response=AlertDetailOut, summary="One alert with its history")
def alert_detail(request, alert_id: limits.DbId):
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


@router.post("/alerts/{id:alert_id}/acknowledge", response=AlertOut, summary="Acknowledge an alert")
def alert_acknowledge(request, alert_id: limits.DbId, payload: NoteIn):
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    return _out(services.alert_acknowledge(alert=alert, user=request.user, note=payload.note))


@router.post("/alerts/{id:alert_id}/resolve", response=AlertOut, summary="Resolve an alert")
def alert_resolve(request, alert_id: limits.DbId, payload: NoteIn):
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    return _out(services.alert_resolve(alert=alert, user=request.user, note=payload.note))


@router.post("/alerts/acknowledge", response=BulkOut, summary="Acknowledge several alerts")
def alerts_acknowledge(request, payload: BulkIn):
    visible = list(selectors.alert_list(user=request.user).filter(pk__in=payload.ids))
    allowed = [a for a in visible if selectors.alert_can_handle(user=request.user, alert=a)]
    count = services.alert_bulk_acknowledge(alerts=allowed, user=request.user, note=payload.note)
    skipped = sorted(
        set(payload.ids) - {a.pk for a in allowed if a.state == AlertState.ACKNOWLEDGED}
    )
    return {"acknowledged": count, "skipped": skipped}
