"""Writes of the core app: users, units, admin divisions, the alert centre."""

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from xizang5g.core import access, notifications
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import AlertAction, AlertSeverity, AlertState, DivisionLevel, Role
from xizang5g.core.models import (
    AdminDivision,
    Alert,
    AlertEvent,
    ApiToken,
    DivisionShape,
    Unit,
    User,
)
from xizang5g.core.models.users import hash_token
from xizang5g.core.texts import Text

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "xizang_divisions.geojson"


# --- the shape every change-logged write takes ---------------------------------------------
def apply_changes(instance, changes: dict, allowed) -> None:
    """Set `changes` on `instance`, refusing fields a service does not let callers change."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValueError(
            f"{instance._meta.model_name} fields cannot be changed here: {', '.join(unknown)}"
        )
    for name, value in changes.items():
        setattr(instance, name, value)


def save_validated(instance, *, user, check=None):
    """Validate (model rules, then the service's own `check`), then save as `user`."""
    instance.full_clean()
    if check is not None:
        check(instance)
    with acting_as(user):
        instance.save()
    return instance


# --- users ----------------------------------------------------------------------------------
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    email: str = "",
    created_by=None,
    validate: bool = True,
) -> User:
    if role == Role.UNIT_EDITOR and unit is None:
        raise ValueError("A unit editor must belong to a unit.")
    user = User(username=username, role=role, unit=unit, full_name=full_name, email=email)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    with acting_as(created_by):
        user.save()
    return user


def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> str:
    """Create a token for `user` and return its raw value (shown once, stored hashed)."""
    raw = ApiToken.generate()
    ApiToken.objects.create(
        user=user, name=name, prefix=raw[5:13], token_hash=hash_token(raw), expires_at=expires_at
    )
    return raw


# --- administrative divisions ----------------------------------------------------------------
def divisions_load(*, path: Path = DIVISIONS_FILE) -> int:
    """Load (idempotently) the shipped prefecture and county outlines; returns the count."""
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    features = [f for f in collection["features"] if f["properties"]["level"] != "province"]
    order = {DivisionLevel.PREFECTURE: 0, DivisionLevel.COUNTY: 1}
    features.sort(key=lambda f: (order.get(f["properties"]["level"], 9), f["properties"]["adcode"]))
    with transaction.atomic():
        by_code: dict[int, AdminDivision] = {}
        for feature in features:
            props = feature["properties"]
            division, _ = AdminDivision.objects.update_or_create(
                adcode=props["adcode"],
                defaults={
                    "level": props["level"],
                    "parent": by_code.get(props.get("parent_adcode")),
                    "name_zh": props["name_zh"],
                    "name_en": props.get("name_en") or "",
                    "name_bo": props.get("name_bo") or "",
                    "seat_lon": props["seat_lon"],
                    "seat_lat": props["seat_lat"],
                },
            )
            DivisionShape.objects.update_or_create(
                division=division, defaults={"geometry": feature["geometry"]}
            )
            by_code[division.adcode] = division
    return len(features)


# --- alert centre ------------------------------------------------------------------------------
def alert_raise(
    *,
    source: str,
    dedup_key: str,
    title: str | Text,
    severity: str = AlertSeverity.MAJOR,
    message: str | Text = "",
    rule: str = "",
    unit: Unit | None = None,
    obj=None,
    details: dict | None = None,
    at: datetime | None = None,
) -> tuple[Alert, bool]:
    """Raise an alert, or count a repeat of the live one with the same key.

    Returns (alert, created). Safe under concurrency: a unique constraint allows one live alert
    per key, and a losing racer falls back to counting a repeat. A `Text` title or message is
    stored as its source and rendered in each reader's language (core.texts).
    """
    now = at or timezone.now()
    title_text, title = _stored_text(title)
    message_text, message = _stored_text(message)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                live = (
                    Alert.objects.select_for_update()
                    .filter(dedup_key=dedup_key)
                    .exclude(state=AlertState.RESOLVED)
                    .first()
                )
                if live is not None:
                    _alert_repeat(live, now=now, severity=severity, details=details)
                    return live, False
                alert = Alert.objects.create(
                    source=source,
                    dedup_key=dedup_key,
                    title=title[:255],
                    title_text=title_text,
                    message=message,
                    message_text=message_text,
                    severity=severity,
                    rule=rule[:200],
                    unit=unit,
                    object_type=obj._meta.label if obj is not None else "",
                    object_id=str(obj.pk) if obj is not None else "",
                    details=details or {},
                    first_seen=now,
                    last_seen=now,
                )
                AlertEvent.objects.create(
                    alert=alert, action=AlertAction.RAISED, note=message[:1000]
                )
                transaction.on_commit(lambda alert=alert: _notify(alert))
                return alert, True
        except IntegrityError:
            continue
    raise RuntimeError(f"could not raise alert {dedup_key!r}")


def _stored_text(text: str | Text) -> tuple[dict, str]:
    """(source to store, rendering in the platform's default language) of a text to store."""
    if isinstance(text, Text):
        return text.as_json(), text.render_in(settings.LANGUAGE_CODE)
    return {}, text


def _alert_repeat(alert: Alert, *, now: datetime, severity: str, details: dict | None) -> None:
    alert.occurrences += 1
    alert.last_seen = max(alert.last_seen, now)
    if _severity_rank(severity) > _severity_rank(alert.severity):
        alert.severity = severity
    if details:
        alert.details = {**alert.details, **details}
    alert.save(update_fields=["occurrences", "last_seen", "severity", "details"])


def _severity_rank(severity: str) -> int:
    return list(AlertSeverity.values).index(severity)


def _notify(alert: Alert) -> None:
    notifications.alert_notify(alert=alert)


def alert_acknowledge(*, alert: Alert, user, note: str = "") -> Alert:
    access.require(user, access.CHANGE, alert)
    if alert.state != AlertState.OPEN:
        return alert
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = user
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    AlertEvent.objects.create(alert=alert, action=AlertAction.ACKNOWLEDGED, user=user, note=note)
    return alert


def alert_resolve(*, alert: Alert, user=None, note: str = "") -> Alert:
    """Resolve an alert: by a user who may handle it, or by the system (`user` None)."""
    if user is not None:
        access.require(user, access.CHANGE, alert)
    if alert.state == AlertState.RESOLVED:
        return alert
    alert.state = AlertState.RESOLVED
    alert.resolved_at = timezone.now()
    alert.resolved_by = user
    alert.save(update_fields=["state", "resolved_at", "resolved_by"])
    AlertEvent.objects.create(alert=alert, action=AlertAction.RESOLVED, user=user, note=note)
    return alert


def alert_bulk_acknowledge(*, alerts, user, note: str = "") -> int:
    count = 0
    with transaction.atomic():
        for alert in alerts:
            if alert.state == AlertState.OPEN:
                alert_acknowledge(alert=alert, user=user, note=note)
                count += 1
    return count
