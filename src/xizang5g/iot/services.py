"""Writes of the IoT hub: products and thing models, devices and credentials, rules, and the
telemetry upkeep that jobs, the ingest worker and `iot_maintain` run."""

import csv
import io
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xizang5g.core import access, limits, registry
from xizang5g.core.audit import acting_as
from xizang5g.core.services import save_validated
from xizang5g.iot import storage
from xizang5g.iot.choices import RuleKind
from xizang5g.iot.ingest import mark_offline
from xizang5g.iot.models import Device, DeviceStatus, Product, Rule, hash_secret
from xizang5g.iot.rules import engine
from xizang5g.iot.tsl import ThingModelError, validate_thing_model


# --- products and thing models ----------------------------------------------------------------
def thing_model_parse(text: str | bytes) -> dict:
    """Parse and validate thing-model JSON text; errors name the line/column or the JSON path."""
    try:
        data = limits.parse_json(text, what=_("the thing model"))
    except limits.InputRejected as exc:
        cause = exc.__cause__
        if isinstance(cause, json.JSONDecodeError):
            raise ThingModelError(
                [(f"line {cause.lineno}, column {cause.colno}", f"invalid JSON: {cause.msg}")]
            ) from exc
        raise ThingModelError([("", exc.message)]) from exc
    return validate_thing_model(data)


def product_create(
    *,
    name: str,
    thing_model: dict | None = None,
    description: str = "",
    unit=None,
    industry=None,
    product_key: str | None = None,
    user=None,
) -> Product:
    if user is not None and not access.can_create(user, Product, unit=unit):
        raise PermissionDenied(_("You may only create products of your own unit."))
    product = Product(
        name=name,
        description=description,
        unit=unit,
        industry=industry,
        thing_model=validate_thing_model(thing_model or {}),
    )
    if product_key:
        product.product_key = product_key
    return save_validated(product, user=user)


def product_set_thing_model(*, product: Product, thing_model: dict, user=None) -> Product:
    """Replace the thing model (validated). Devices pick it up within the directory's TTL."""
    if user is not None:
        access.require(user, access.CHANGE, product)
    product.thing_model = validate_thing_model(thing_model)
    return save_validated(product, user=user)


def thing_model_export(*, product: Product) -> dict:
    return {
        "schema": "https://iot.xizang5g/thing-model/v1",
        "profile": {"productKey": product.product_key},
        "capabilities": product.capabilities,
        **{k: product.thing_model.get(k, []) for k in ("properties", "events", "services")},
    }


# --- devices ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credentials:
    product_key: str
    device_name: str
    secret: str

    @property
    def username(self) -> str:
        return f"{self.device_name}&{self.product_key}"


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


def device_create(
    *,
    product: Product,
    name: str,
    unit,
    project=None,
    label: str = "",
    lon: float | None = None,
    lat: float | None = None,
    altitude_m: float | None = None,
    location: str = "",
    user=None,
    secret: str | None = None,
) -> tuple[Device, str]:
    """Create a device; returns it with its raw secret (shown once, stored hashed).

    A unit registers devices for itself, of a product it may read (its own or the platform's),
    bound to a pilot project it may read."""
    if user is not None:
        _check_device_binding(user, unit=unit, product=product, project=project)
    raw = secret or _new_secret()
    device = Device(
        product=product,
        name=name,
        unit=unit,
        project=project,
        label=label,
        lon=lon,
        lat=lat,
        altitude_m=altitude_m,
        location=location,
        secret_hash=hash_secret(raw),
    )
    device.full_clean()
    with transaction.atomic(), acting_as(user):
        device.save()
        DeviceStatus.objects.create(device=device)
    return device, raw


def _check_device_binding(user, *, unit, product, project) -> None:
    if not access.can_create(user, Device, unit=unit):
        raise PermissionDenied(_("You may only register devices of your own unit."))
    if not access.can(user, access.VIEW, product):
        raise ValidationError({"product": _("No such product, or you may not use it.")})
    if project is not None and not access.can(user, access.VIEW, project):
        raise ValidationError({"project": _("No such pilot project, or you may not see it.")})


def devices_bulk_create(
    *, product: Product, prefix: str, count: int, unit, project=None, start: int = 1, user=None
) -> list[Credentials]:
    """Create `count` devices named {prefix}{number:04d}; returns their credentials (once)."""
    if not 1 <= count <= 1000:
        raise ValueError("Create between 1 and 1000 devices at a time.")
    created = []
    with transaction.atomic():
        for number in range(start, start + count):
            device, raw = device_create(
                product=product, name=f"{prefix}{number:04d}", unit=unit, project=project, user=user
            )
            created.append(Credentials(product.product_key, device.name, raw))
    return created


def device_rotate_secret(*, device: Device, user=None) -> str:
    if user is not None:
        access.require(user, access.CHANGE, device)
    raw = _new_secret()
    device.secret_hash = hash_secret(raw)
    with acting_as(user):
        device.save(update_fields=["secret_hash", "updated_at"])
    return raw


def device_set_enabled(*, device: Device, enabled: bool, user=None) -> Device:
    if user is not None:
        access.require(user, access.CHANGE, device)
    device.enabled = enabled
    with acting_as(user):
        device.save()
    return device


def credentials_csv(credentials: list[Credentials]) -> str:
    """The credential sheet of a bulk creation (CSV with a BOM so spreadsheet programs read UTF-8)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        ["product_key", "device_name", "device_secret", "mqtt_username", "mqtt_client_id"]
    )
    for item in credentials:
        writer.writerow(
            [
                item.product_key,
                item.device_name,
                item.secret,
                item.username,
                f"{item.product_key}.{item.device_name}",
            ]
        )
    return buffer.getvalue()


# --- rules -----------------------------------------------------------------------------------------
def rule_create(*, product: Product, name: str, kind: str, user=None, **fields) -> Rule:
    """A rule of a product (its owner, or the plan office for the platform's products), or of one
    device (also that device's unit)."""
    if user is not None and not access.can_create(
        user, Rule, product=product, device=fields.get("device")
    ):
        raise PermissionDenied(_("You may only add rules to your own unit's products or devices."))
    return save_validated(
        Rule(product=product, name=name, kind=kind, **fields), user=user, check=rule_check
    )


def rule_update(*, rule: Rule, user=None, **fields) -> Rule:
    if user is not None:
        access.require(user, access.CHANGE, rule)
    for key, value in fields.items():
        setattr(rule, key, value)
    return save_validated(rule, user=user, check=rule_check)


def rule_delete(*, rule: Rule, user=None) -> None:
    if user is not None:
        access.require(user, access.CHANGE, rule)
    with acting_as(user):
        rule.delete()


def rule_check(rule: Rule) -> None:
    """Validate the fields each kind needs, against the product's thing model (after full_clean)."""
    errors: dict[str, str] = {}
    props = {p["identifier"]: p for p in rule.product.properties}
    events = {e["identifier"] for e in rule.product.events}
    if rule.action and rule.action not in registry.rule_actions():
        errors["action"] = f"{rule.action!r} is not an action any installed app offers."
    if rule.device_id and rule.device.product_id != rule.product_id:
        errors["device"] = "The device is not of this product."
    if rule.kind in (RuleKind.THRESHOLD, RuleKind.RANGE, RuleKind.RATE):
        if rule.property not in props:
            errors["property"] = f"{rule.property!r} is not a property of {rule.product}."
        elif props[rule.property]["dataType"]["type"] not in (
            "int",
            "float",
            "double",
            "bool",
            "enum",
        ):
            errors["property"] = f"{rule.property!r} is not numeric."
    if rule.kind == RuleKind.THRESHOLD and rule.threshold is None:
        errors["threshold"] = "A threshold rule needs a threshold."
    if rule.hysteresis is None or rule.hysteresis < 0:
        errors["hysteresis"] = "Hysteresis cannot be negative."
    if rule.kind == RuleKind.RANGE:
        if rule.low is None or rule.high is None:
            errors["low"] = "A range rule needs both bounds."
        elif rule.low >= rule.high:
            errors["low"] = "The lower bound must be below the upper bound."
    if rule.kind == RuleKind.RATE and not (rule.rate_per_minute and rule.rate_per_minute > 0):
        errors["rate_per_minute"] = "A rate rule needs a positive maximum change per minute."
    if rule.kind == RuleKind.NO_DATA and not rule.minutes:
        errors["minutes"] = "A no-data rule needs the number of minutes."
    if (
        rule.kind == RuleKind.EVENT
        and rule.event_identifier
        and rule.event_identifier not in events
    ):
        errors["event_identifier"] = f"{rule.event_identifier!r} is not an event of {rule.product}."
    if errors:
        raise ValidationError(errors)


# --- telemetry upkeep ---------------------------------------------------------------------------
def devices_mark_offline(*, now: datetime | None = None) -> int:
    """Devices not heard from for XZ5G_IOT_OFFLINE_SECONDS become offline; returns how many."""
    return mark_offline(now=now)


def no_data_rules_check(*, now: datetime | None = None) -> int:
    """'No data for N minutes' rules fire for devices gone quiet; returns the alerts raised."""
    return engine.check_no_data(now=now)


def rollups_refresh(*, now: datetime | None = None) -> dict:
    """The 1-minute rollups of the minutes that are over, then those of their hours."""
    return storage.rollups_refresh(now=now)


def readings_partitions_ensure() -> list[str]:
    """Monthly partitions of the readings ahead of time (PostgreSQL); returns those created."""
    return storage.partitions_ensure()


def readings_retention_apply(*, days: int | None = None) -> dict:
    """Delete telemetry older than the retention period (XZ5G_IOT_RETENTION_DAYS by default)."""
    return storage.retention_apply(days=days)
