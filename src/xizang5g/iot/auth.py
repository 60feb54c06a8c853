"""Device credentials for MQTT and HTTP: username `{device_name}&{product_key}`, password = secret.

Used by the embedded broker's auth plugin, by `POST /api/v1/iot/mqtt/auth` (the HTTP auth hook of
EMQX or mosquitto-go-auth) and by HTTP ingest. Failures send `device_auth_failed`.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

from xizang5g.core.counters import FailureLimit
from xizang5g.iot.constants import USERNAME_SEPARATOR, WORKER_USERNAME
from xizang5g.iot.directory import directory
from xizang5g.iot.models import hash_secret
from xizang5g.iot.signals import device_auth_failed


def worker_password() -> str:
    """The ingest worker's broker password (embedded broker), derived from SECRET_KEY."""
    return hmac.new(settings.SECRET_KEY.encode(), b"xz5g-ingest-worker", hashlib.sha256).hexdigest()


def split_username(username: str | None) -> tuple[str, str] | None:
    if not username or USERNAME_SEPARATOR not in username:
        return None
    device_name, _, product_key = username.partition(USERNAME_SEPARATOR)
    if not device_name or not product_key:
        return None
    return product_key, device_name


# Guessing a device's secret: after 10 failures for one device from one address, or 100 failures
# from one address, attempts are refused for 15 minutes (devices behind an operator's NAT share
# addresses, hence the higher per-address limit).
DEVICE_FAILURES = FailureLimit("device-auth", limit=10, window_seconds=15 * 60)
ADDRESS_FAILURES = FailureLimit("device-auth-ip", limit=100, window_seconds=15 * 60)


def _throttled(device_key: str, client_ip: str) -> bool:
    return DEVICE_FAILURES.blocked(device_key) or bool(
        client_ip and ADDRESS_FAILURES.blocked(client_ip)
    )


def _count_failure(device_key: str, client_ip: str) -> None:
    DEVICE_FAILURES.failed(device_key)
    if client_ip:
        ADDRESS_FAILURES.failed(client_ip)


def check_device(product_key: str, device_name: str, secret: str | None, *, client_ip: str = ""):
    """Return the DeviceInfo when the secret matches an enabled device, else None (signalled).
    Repeated failures are throttled per device and address (see DEVICE_FAILURES)."""
    device_key = f"{client_ip}|{product_key}|{device_name}"
    reason = ""
    info = None
    if _throttled(device_key, client_ip):
        reason = "too many failed attempts"
    else:
        info = directory.get(product_key, device_name)
        if info is None:
            reason = "unknown device"
        elif not info.enabled:
            reason = "device disabled"
        elif not secret or not secrets.compare_digest(info.secret_hash, hash_secret(secret)):
            reason = "wrong secret"
        if reason:
            _count_failure(device_key, client_ip)
    if reason:
        device_auth_failed.send(
            sender=check_device,
            product_key=product_key,
            device_name=device_name,
            client_ip=client_ip,
            reason=reason,
        )
        return None
    return info


def check_mqtt_login(
    username: str | None, password: str | None, *, client_ip: str = ""
) -> str | None:
    """'worker', 'device' or None (denied)."""
    if username == WORKER_USERNAME:
        if password and secrets.compare_digest(password, worker_password()):
            return "worker"
        device_auth_failed.send(
            sender=check_mqtt_login,
            product_key="",
            device_name=WORKER_USERNAME,
            client_ip=client_ip,
            reason="wrong worker password",
        )
        return None
    parts = split_username(username)
    if parts is None:
        device_auth_failed.send(
            sender=check_mqtt_login,
            product_key="",
            device_name=username or "",
            client_ip=client_ip,
            reason="malformed username",
        )
        return None
    return "device" if check_device(*parts, password, client_ip=client_ip) is not None else None


def topic_allowed(username: str | None, topic: str, *, publish: bool) -> bool:
    """Devices publish and subscribe only under their own /sys/{product_key}/{device_name}/."""
    if username == WORKER_USERNAME:
        return True
    parts = split_username(username)
    if parts is None:
        return False
    product_key, device_name = parts
    return topic.startswith(f"/sys/{product_key}/{device_name}/")
