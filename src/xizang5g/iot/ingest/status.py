"""Device status outside batches: a device's online/offline message and the offline sweep."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from xizang5g.iot.choices import DeviceState
from xizang5g.iot.directory import directory
from xizang5g.iot.models import DeviceStatus


def status_post(*, product_key: str, device_name: str, online: bool, client_ip: str = "") -> bool:
    """A device's status message (its MQTT will 'offline', or 'online' on connect)."""
    info = directory.get(product_key, device_name)
    if info is None:
        return False
    now = timezone.now()
    state = DeviceState.ONLINE if online else DeviceState.OFFLINE
    updates: dict[str, Any] = {"state": state, "state_since": now}
    if online:
        updates["last_seen"] = now
    if client_ip:
        updates["last_ip"] = client_ip
    DeviceStatus.objects.filter(device_id=info.id).exclude(state=state).update(**updates)
    return True


def mark_offline(*, now: datetime | None = None, after_seconds: int | None = None) -> int:
    """Devices not heard from for XZ5G_IOT_OFFLINE_SECONDS become offline."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=after_seconds or settings.XZ5G_IOT_OFFLINE_SECONDS)
    return DeviceStatus.objects.filter(state=DeviceState.ONLINE, last_seen__lt=cutoff).update(
        state=DeviceState.OFFLINE, state_since=now
    )
