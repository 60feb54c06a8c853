"""IoT hub API (/api/v1/iot/): products and thing models, devices, latest values, history with time
range and rollup, rules; HTTP ingest for devices; the broker auth hook.

User endpoints use the platform's API auth (bearer token or session). Two endpoints are for
machines: `POST /ingest` authenticates the device with HTTP Basic (username
`{device_name}&{product_key}`, password = device secret: the MQTT convention), and
`POST /mqtt/auth` / `POST /mqtt/acl` are called by the broker (EMQX HTTP authentication,
mosquitto-go-auth HTTP backend) to check a device's login and topics.
"""

import secrets
from datetime import datetime
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.security import HttpBasicAuth

from xizang5g.core import access, limits
from xizang5g.core.api_style import (
    ApiError,
    ApiInput,
    ApiPagination,
    error_body,
    page_schema,
    paginate,
    responses,
)
from xizang5g.core.models import Pilot, Unit
from xizang5g.iot import auth as device_auth
from xizang5g.iot import selectors, services
from xizang5g.iot.choices import IngestChannel, Rollup
from xizang5g.iot.ingest import DatabaseUnavailable, Inbound, ingest_batch
from xizang5g.iot.models import Device, Product, Rule
from xizang5g.iot.tsl import ThingModelError

router = Router(tags=["iot"])

HTTP_INGEST_MAX_MESSAGES = 1000  # per HTTP ingest request, like one MQTT batch


# --- schemas ---------------------------------------------------------------------------------------
class IotProductOut(Schema):
    product_key: str
    name: str
    description: str
    unit: str | None
    devices: int
    properties: int
    events: int
    services: int


class IotProductIn(ApiInput):
    name: str
    description: str = ""
    unit: str | None = Field(None, description="unit code")
    thing_model: dict = Field(default_factory=dict)


class IotDeviceOut(Schema):
    id: int
    product_key: str
    name: str
    label: str
    unit: str
    project: str | None
    enabled: bool
    state: str
    last_seen: datetime | None
    lon: float | None
    lat: float | None
    messages: int
    rejected: int


class IotDeviceIn(ApiInput):
    product_key: str
    name: str
    unit: str = Field(description="unit code")
    label: str = ""
    project: str | None = Field(None, description="project code")
    lon: float | None = None
    lat: float | None = None
    location: str = ""


class IotDeviceCreatedOut(IotDeviceOut):
    secret: str = Field(description="shown once; stored hashed")
    mqtt_username: str


class IotLatestOut(Schema):
    property: str
    time: datetime
    value: Any


class IotHistoryFilters(Schema):
    property: str
    start: limits.Moment | None = None
    end: limits.Moment | None = None
    rollup: Rollup | None = Field(None, description="raw, 1m or 1h; chosen from the range if empty")


class IotHistoryOut(Schema):
    property: str
    rollup: str
    start: str
    end: str
    points: list[list] = Field(description="raw: [time, value]; rollups: [start, avg, min, max]")


class IotRejectedOut(Schema):
    time: datetime
    channel: str
    topic: str
    msg_id: str
    reason: str
    payload: str


class IotRuleIn(ApiInput):
    product_key: str
    name: str
    kind: str
    device_id: limits.DbId | None = None
    property: str = ""
    comparison: str = "above"
    threshold: float | None = None
    hysteresis: float = 0
    low: float | None = None
    high: float | None = None
    rate_per_minute: float | None = None
    minutes: limits.Int64 | None = None
    event_identifier: str = ""
    severity: str = "major"
    enabled: bool = True
    action: str = Field("", description="an app's rule action instead of a device-rule alert")


class IotRuleOut(IotRuleIn):
    id: int


class IotDeviceFilters(ApiPagination):
    state: str | None = None
    product: str | None = Field(None, description="product key")
    q: str | None = None


class IotProductFilters(ApiPagination):
    q: str | None = None


class IotRuleFilters(ApiPagination):
    product: str | None = Field(None, description="product key")


IotProductPage = page_schema("IotProductPage", IotProductOut)
IotDevicePage = page_schema("IotDevicePage", IotDeviceOut)
IotLatestPage = page_schema("IotLatestPage", IotLatestOut)
IotRejectedPage = page_schema("IotRejectedPage", IotRejectedOut)
IotRulePage = page_schema("IotRulePage", IotRuleOut)


class IotIngestResult(Schema):
    id: str
    code: int
    message: str


class IotIngestOut(Schema):
    results: list[IotIngestResult]


class IotBrokerAuthIn(ApiInput):
    username: str = ""
    password: str = ""
    clientid: str = ""
    peerhost: str = ""


class IotBrokerAclIn(ApiInput):
    username: str = ""
    topic: str
    action: str = Field("publish", description="publish or subscribe")


class IotBrokerDecision(Schema):
    result: str
    is_superuser: bool = False


# --- helpers ----------------------------------------------------------------------------------------
def _product_out(product: Product) -> dict:
    return {
        "product_key": product.product_key,
        "name": product.name,
        "description": product.description,
        "unit": product.unit.code if product.unit_id else None,
        "devices": getattr(product, "n_devices", None) or product.devices.count(),
        "properties": len(product.properties),
        "events": len(product.events),
        "services": len(product.services),
    }


def _device_out(device: Device) -> dict:
    status = getattr(device, "status", None)
    return {
        "id": device.pk,
        "product_key": device.product.product_key,
        "name": device.name,
        "label": device.label,
        "unit": device.unit.code,
        "project": device.project.code if device.project_id else None,
        "enabled": device.enabled,
        "state": status.state if status else "inactive",
        "last_seen": status.last_seen if status else None,
        "lon": device.lon,
        "lat": device.lat,
        "messages": status.messages_total if status else 0,
        "rejected": status.rejected_total if status else 0,
    }


def _rule_out(rule: Rule) -> dict:
    return {
        "id": rule.pk,
        "product_key": rule.product.product_key,
        "device_id": rule.device_id,
        **{
            f: getattr(rule, f)
            for f in (
                "name",
                "kind",
                "property",
                "comparison",
                "threshold",
                "hysteresis",
                "low",
                "high",
                "rate_per_minute",
                "minutes",
                "event_identifier",
                "severity",
                "enabled",
                "action",
            )
        },
    }


def _thing_model_error(exc: ThingModelError) -> Status:
    """422 listing every problem of a thing model, each with its JSON path as the field."""
    return Status(422, error_body(str(exc), exc.errors))


# --- products -----------------------------------------------------------------------------------------
@router.get(
    "/products",
    response=responses({200: IotProductPage}),
    summary="Products and their thing models",
)
def product_list(request, filters: Query[IotProductFilters]):
    qs = selectors.product_list(user=request.user, filters={"q": filters.q})
    return paginate(qs, filters, _product_out)


@router.post("/products", response=responses({201: IotProductOut}), summary="Create a product")
def product_create(request, payload: IotProductIn):
    unit = get_object_or_404(Unit, code=payload.unit) if payload.unit else None
    try:
        product = services.product_create(
            name=payload.name,
            description=payload.description,
            unit=unit,
            thing_model=payload.thing_model,
            user=request.user,
        )
    except ThingModelError as exc:
        return _thing_model_error(exc)
    return Status(201, _product_out(product))


@router.get(
    "/products/{slug:product_key}", response=responses({200: IotProductOut}), summary="A product"
)
def product_get(request, product_key: str):
    return _product_out(selectors.product_get(user=request.user, key=product_key))


@router.get(
    "/products/{slug:product_key}/thing-model",
    response=responses({200: dict}),
    summary="Export the thing model (TSL JSON)",
)
def thing_model_get(request, product_key: str):
    return services.thing_model_export(
        product=selectors.product_get(user=request.user, key=product_key)
    )


@router.put(
    "/products/{slug:product_key}/thing-model",
    response=responses({200: dict}),
    summary="Import (replace) the thing model; 422 lists every problem with its JSON path",
)
def thing_model_update(request, product_key: str, payload: Body[dict]):
    product = selectors.product_get(user=request.user, key=product_key, action=access.CHANGE)
    try:
        services.product_set_thing_model(product=product, thing_model=payload, user=request.user)
    except ThingModelError as exc:
        return _thing_model_error(exc)
    return services.thing_model_export(product=product)


# --- devices ----------------------------------------------------------------------------------------
@router.get("/devices", response=responses({200: IotDevicePage}), summary="Devices you may see")
def device_list(request, filters: Query[IotDeviceFilters]):
    qs = selectors.device_list(user=request.user, filters=filters.dict(exclude={"limit", "offset"}))
    return paginate(qs, filters, _device_out)


@router.post(
    "/devices",
    response=responses({201: IotDeviceCreatedOut}),
    summary="Register a device (secret shown once)",
)
def device_create(request, payload: IotDeviceIn):
    # Products and projects the user may not read are "not found", like missing ones.
    product = selectors.product_get(user=request.user, key=payload.product_key)
    unit = get_object_or_404(Unit, code=payload.unit)
    project = (
        access.get_or_404(Pilot.objects.all(), request.user, code=payload.project)
        if payload.project
        else None
    )
    device, secret = services.device_create(
        product=product,
        name=payload.name,
        unit=unit,
        project=project,
        label=payload.label,
        lon=payload.lon,
        lat=payload.lat,
        location=payload.location,
        user=request.user,
    )
    device = selectors.device_get(user=request.user, pk=device.pk)
    return Status(
        201, {**_device_out(device), "secret": secret, "mqtt_username": device.mqtt_username}
    )


@router.get("/devices/{id:device_id}", response=responses({200: IotDeviceOut}), summary="A device")
def device_get(request, device_id: limits.DbId):
    return _device_out(selectors.device_get(user=request.user, pk=device_id))


@router.get(
    "/devices/{id:device_id}/latest",
    response=responses({200: IotLatestPage}),
    summary="Latest value of each property",
)
def latest_value_list(request, device_id: limits.DbId, page: Query[ApiPagination]):
    device = selectors.device_get(user=request.user, pk=device_id)
    return paginate(
        selectors.latest_values(device=device),
        page,
        lambda v: {"property": v.property, "time": v.time, "value": v.display},
    )


@router.get(
    "/devices/{id:device_id}/history",
    response=responses({200: IotHistoryOut}),
    summary="History of one property",
)
def device_history(request, device_id: limits.DbId, filters: Query[IotHistoryFilters]):
    device = selectors.device_get(user=request.user, pk=device_id)
    return selectors.history(
        device=device,
        prop=filters.property,
        start=filters.start,
        end=filters.end,
        rollup=filters.rollup,
    )


@router.get(
    "/devices/{id:device_id}/rejected",
    response=responses({200: IotRejectedPage}),
    summary="Rejected messages, newest first",
)
def rejected_message_list(request, device_id: limits.DbId, page: Query[ApiPagination]):
    device = selectors.device_get(user=request.user, pk=device_id)
    return paginate(selectors.rejected_messages(device=device, limit=None), page)


# --- rules ------------------------------------------------------------------------------------------
@router.get("/rules", response=responses({200: IotRulePage}), summary="Device rules")
def rule_list(request, filters: Query[IotRuleFilters]):
    qs = selectors.rule_list(user=request.user)
    if filters.product:
        qs = qs.filter(product__product_key=filters.product)
    return paginate(qs, filters, _rule_out)


@router.post("/rules", response=responses({201: IotRuleOut}), summary="Add a device rule")
def rule_create(request, payload: IotRuleIn):
    product = selectors.product_get(user=request.user, key=payload.product_key)
    fields = payload.dict(exclude={"product_key", "name", "kind", "device_id"})
    if payload.device_id is not None:
        fields["device"] = selectors.device_get(user=request.user, pk=payload.device_id)
    rule = services.rule_create(
        product=product, name=payload.name, kind=payload.kind, user=request.user, **fields
    )
    return Status(201, _rule_out(rule))


@router.delete("/rules/{id:rule_id}", response=responses({204: None}), summary="Delete a rule")
def rule_delete(request, rule_id: limits.DbId):
    services.rule_delete(rule=selectors.rule_get(user=request.user, pk=rule_id), user=request.user)
    return Status(204, None)


# --- machines: HTTP ingest and the broker auth hook ----------------------------------------------
class DeviceBasicAuth(HttpBasicAuth):
    def authenticate(self, request, username: str, password: str):
        parts = device_auth.split_username(username)
        if parts is None:
            return None
        return device_auth.check_device(*parts, password, client_ip=_client_ip(request))


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@router.post(
    "/ingest",
    auth=DeviceBasicAuth(),
    response=responses({200: IotIngestOut}),
    summary='Device HTTP ingest: one message, a list, or {"messages": [...]} (same body as MQTT)',
)
def telemetry_ingest(request):
    info = request.auth
    payload = limits.parse_json(request.body or b"null", what=_("the request body"))
    messages = (
        payload.get("messages") if isinstance(payload, dict) and "messages" in payload else payload
    )
    if not isinstance(messages, list):
        messages = [messages]
    if len(messages) > HTTP_INGEST_MAX_MESSAGES:
        raise limits.InputRejected(
            _("A request holds at most %(max)s messages; this one has %(n)s.")
            % {"max": HTTP_INGEST_MAX_MESSAGES, "n": len(messages)},
            status=413,
        )
    inbound = []
    for message in messages:
        method = (
            message.get("method", "thing.event.property.post") if isinstance(message, dict) else ""
        )
        parts = method.split(".")
        identifier = (
            parts[2]
            if len(parts) == 4 and parts[:2] == ["thing", "event"] and parts[3] == "post"
            else "property"
        )
        inbound.append(
            Inbound(
                info.product_key,
                info.name,
                identifier,
                message,
                channel=IngestChannel.HTTP,
                client_ip=_client_ip(request),
            )
        )
    try:
        outcomes = ingest_batch(inbound)
    except DatabaseUnavailable:
        response = JsonResponse(
            error_body(
                _("The database is unavailable: nothing was stored, send the messages again.")
            ),
            status=503,
        )
        response["Retry-After"] = "5"
        return response
    return {"results": [{"id": o.msg_id, "code": o.code, "message": o.message} for o in outcomes]}


def _check_hook_token(request) -> None:
    """Only the broker, sending XZ5G_IOT_BROKER_HOOK_TOKEN, may ask: without a configured token
    the hooks refuse everyone (and `check --deploy` reports it)."""
    expected = settings.XZ5G_IOT_BROKER_HOOK_TOKEN
    sent = request.headers.get("X-XZ5G-Broker-Token", "")
    if not expected:
        raise PermissionDenied("broker hooks are off: set XZ5G_IOT_BROKER_HOOK_TOKEN")
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDenied("broker hook token required")


def _broker_body(request, schema):
    if request.content_type == "application/json":
        data = limits.parse_json(request.body or b"{}", what=_("the request body"))
    else:
        data = request.POST.dict()
    if not isinstance(data, dict):
        raise limits.InputRejected(_("The request body must be a JSON object."))
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            {".".join(map(str, e["loc"])) or "body": e["msg"] for e in exc.errors()}
        ) from exc


@router.post(
    "/mqtt/auth",
    auth=None,
    response=responses({200: IotBrokerDecision}, extra={403: IotBrokerDecision | ApiError}),
    summary="Broker auth hook (EMQX HTTP authn / mosquitto-go-auth): allow or deny a login",
)
def broker_login_check(request):
    _check_hook_token(request)
    body = _broker_body(request, IotBrokerAuthIn)
    role = device_auth.check_mqtt_login(
        body.username, body.password, client_ip=body.peerhost or _client_ip(request)
    )
    if role is None:
        return Status(403, {"result": "deny"})
    return Status(200, {"result": "allow", "is_superuser": role == "worker"})


@router.post(
    "/mqtt/acl",
    auth=None,
    response=responses({200: IotBrokerDecision}, extra={403: IotBrokerDecision | ApiError}),
    summary="Broker ACL hook: may this device publish/subscribe to the topic?",
)
def broker_topic_check(request):
    _check_hook_token(request)
    body = _broker_body(request, IotBrokerAclIn)
    allowed = device_auth.topic_allowed(body.username, body.topic, publish=body.action == "publish")
    return Status(200, {"result": "allow"}) if allowed else Status(403, {"result": "deny"})
