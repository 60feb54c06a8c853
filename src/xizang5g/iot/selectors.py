"""Reads of the IoT hub, restricted to what the user may see.

Plan-office admins, viewers and platform roles see every device; a unit editor sees the devices of
its unit (the same rule as the alert centre).
"""

from datetime import UTC, datetime, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from xizang5g.core.choices import Role
from xizang5g.core.permissions import is_plan_admin
from xizang5g.iot.choices import Rollup
from xizang5g.iot.models import (
    Device,
    DeviceEvent,
    LatestValue,
    Product,
    Reading,
    ReadingRollup,
    RejectedMessage,
    Rule,
)


def _unit_scoped(user) -> int | None:
    """The unit a user is restricted to, or None when the user sees everything."""
    if is_plan_admin(user):
        return None
    if user.is_authenticated and user.role == Role.UNIT_EDITOR:
        return user.unit_id
    return None


def product_list(*, user, filters: dict | None = None) -> QuerySet[Product]:
    qs = Product.objects.select_related("unit", "industry")
    filters = filters or {}
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(product_key=filters["q"]))
    return qs


def device_list(*, user, filters: dict | None = None) -> QuerySet[Device]:
    qs = Device.objects.select_related("product", "unit", "project", "status")
    unit_id = _unit_scoped(user)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(status__state=filters["state"])
    if filters.get("product"):
        qs = qs.filter(product__product_key=filters["product"])
    if filters.get("project"):
        qs = qs.filter(project_id=filters["project"])
    if filters.get("unit_id"):
        qs = qs.filter(unit_id=filters["unit_id"])
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(label__icontains=filters["q"]))
    return qs


def device_visible_to(*, device: Device, user) -> bool:
    unit_id = _unit_scoped(user)
    return bool(user and user.is_authenticated) and (unit_id is None or device.unit_id == unit_id)


def device_get(*, user, pk: int) -> Device:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(device_list(user=user), pk=pk)


def latest_values(*, device: Device) -> list[LatestValue]:
    return list(LatestValue.objects.filter(device=device).order_by("property"))


def rejected_messages(*, device: Device, limit: int = 50) -> QuerySet[RejectedMessage]:
    return RejectedMessage.objects.filter(device=device)[:limit]


def device_events(*, device: Device, limit: int = 50) -> QuerySet[DeviceEvent]:
    return DeviceEvent.objects.filter(device=device)[:limit]


def rule_list(*, user, product: Product | None = None) -> QuerySet[Rule]:
    qs = Rule.objects.select_related("product", "device")
    return qs.filter(product=product) if product is not None else qs


def choose_rollup(start: datetime, end: datetime) -> str:
    """Raw points for up to 6 hours, minutes up to 7 days, hours beyond."""
    span = end - start
    if span <= timedelta(hours=6):
        return Rollup.RAW
    if span <= timedelta(days=7):
        return Rollup.MINUTE
    return Rollup.HOUR


def _recent_buckets(device: Device, prop: str, period: str, start: datetime, end: datetime) -> dict:
    """Buckets of the last two periods, aggregated from the readings: the rollup table gets a minute
    only once it is over (see `storage.rollups_refresh`), and charts should not lag behind."""
    now = timezone.now().astimezone(UTC).replace(second=0, microsecond=0)
    if period == Rollup.MINUTE:
        kind, since = "minute", now - timedelta(minutes=1)
    else:
        kind, since = "hour", now.replace(minute=0) - timedelta(hours=1)
    since = max(start, since)
    rows = (
        Reading.objects.filter(
            device=device, property=prop, time__gte=since, time__lte=end, value__isnull=False
        )
        .annotate(bucket=Trunc("time", kind, tzinfo=UTC))
        .values("bucket")
        .annotate(count=Count("id"), total=Sum("value"), low=Min("value"), high=Max("value"))
        .values_list("bucket", "count", "total", "low", "high")
    )
    return {row[0]: row for row in rows if row[0] >= start}


def history(
    *,
    device: Device,
    prop: str,
    start: datetime | None = None,
    end: datetime | None = None,
    rollup: str | None = None,
    limit: int = 5000,
) -> dict:
    """Points of one property between start and end: raw [time, value] or rollup
    [start, avg, min, max]."""
    end = end or timezone.now()
    start = start or end - timedelta(hours=1)
    rollup = rollup or choose_rollup(start, end)
    if rollup == Rollup.RAW:
        rows = (
            Reading.objects.filter(device=device, property=prop, time__gte=start, time__lte=end)
            .order_by("-time")
            .values_list("time", "value", "value_text")[:limit]
        )
        points = [[t.isoformat(), v if v is not None else text] for t, v, text in reversed(rows)]
    else:
        rows = (
            ReadingRollup.objects.filter(
                device=device, property=prop, period=rollup, start__gte=start, start__lte=end
            )
            .order_by("-start")
            .values_list("start", "count", "sum", "min", "max")[:limit]
        )
        buckets = {row[0]: row for row in reversed(rows)}
        buckets.update(_recent_buckets(device, prop, rollup, start, end))
        points = [
            [s.isoformat(), (total / count) if count else None, low, high]
            for s, count, total, low, high in (buckets[key] for key in sorted(buckets))
        ][-limit:]
    return {
        "property": prop,
        "rollup": rollup,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "points": points,
    }
