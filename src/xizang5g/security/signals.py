"""Receivers: the SM3 seal on every change-log row, and the platform's own security events
(logins, failed logins, lockouts, IoT device authentication failures and rejected payload floods)."""

from __future__ import annotations

import importlib
import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save

from xizang5g.core.clients import client_ip
from xizang5g.core.models import ChangeLog
from xizang5g.core.throttle import login_blocked
from xizang5g.security.chain import on_changelog_saved
from xizang5g.security.services import platform_event_record

logger = logging.getLogger(__name__)


def record(**kwargs) -> None:
    """Record a platform event; a failure here is logged and never breaks the caller."""
    try:
        with transaction.atomic():
            platform_event_record(**kwargs)
    except Exception:
        logger.exception("could not record platform security event %s", kwargs.get("action"))


def on_login(sender, request, user, **kwargs) -> None:
    record(
        action="login",
        outcome="success",
        user=user.get_username(),
        src_ip=client_ip(request),
        message=f"User {user.get_username()} logged in",
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    record(
        action="login",
        outcome="failure",
        user=username,
        src_ip=client_ip(request),
        message=f"Failed login for {username}",
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, scope="", **kwargs) -> None:
    record(
        action="account_locked",
        outcome="blocked",
        user=str(username or "")[:150],
        src_ip=ip_address or client_ip(request),
        message=f"Log-in of {username} from {ip_address} throttled after failed logins ({scope})",
        extra={"scope": scope},
    )


def on_device_auth_failed(
    sender, product_key="", device_name="", client_ip="", reason="", **kwargs
) -> None:
    record(
        action="device_auth",
        outcome="failure",
        user=f"{product_key}/{device_name}"[:150],
        src_ip=client_ip or "",
        program="iot",
        message=f"Device {product_key}/{device_name} authentication failed: {reason}",
        extra={"product_key": product_key, "device_name": device_name, "reason": str(reason)},
    )


def on_payload_rejected(sender, device=None, reason="", count=1, **kwargs) -> None:
    """The IoT hub sends this for every rejected message with the device's running count; record the
    1st, 10th, 100th, 1000th … so a flood shows as a few events with growing counts, not as a flood."""
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 1
    if count < 1 or (count != 1 and str(count).rstrip("0") != "1"):
        return
    name = str(device) if device is not None else ""
    record(
        action="payload_rejected",
        outcome="blocked",
        user=name[:150],
        program="iot",
        message=f"{count} payload(s) from device {name} rejected so far; last reason: {reason}",
        extra={
            "device": name,
            "device_id": getattr(device, "pk", None),
            "reason": str(reason),
            "count": count,
        },
    )


def permission_denied(request) -> None:
    user = getattr(request, "user", None)
    username = user.get_username() if user is not None and user.is_authenticated else ""
    record(
        action="permission_denied",
        outcome="blocked",
        user=username,
        src_ip=client_ip(request),
        message=f"Permission denied: {request.method} {request.path}"[:1000],
        extra={"path": request.path[:500], "method": request.method},
    )


def _on_changelog(sender, instance, created, raw=False, **kwargs) -> None:
    on_changelog_saved(sender, instance, created, raw=raw, **kwargs)


def connect() -> None:
    post_save.connect(_on_changelog, sender=ChangeLog, dispatch_uid="xz5g_security_audit_seal")
    user_logged_in.connect(on_login, dispatch_uid="xz5g_security_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="xz5g_security_login_failed")
    login_blocked.connect(on_locked_out, dispatch_uid="xz5g_security_locked_out")
    connect_iot()


def connect_iot() -> bool:
    """Connect to the IoT hub's signals when that module exists (it may not yet)."""
    try:
        module = importlib.import_module("xizang5g.iot.signals")
    except ImportError:
        return False
    connected = False
    for name, receiver in (
        ("device_auth_failed", on_device_auth_failed),
        ("payload_rejected", on_payload_rejected),
    ):
        signal = getattr(module, name, None)
        if signal is not None:
            signal.connect(receiver, dispatch_uid=f"xz5g_security_{name}")
            connected = True
    return connected
