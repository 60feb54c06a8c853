"""Reads of the IoT hub, restricted by the access rule (`core.access`).

Region-wide readers see every product, device and rule; a unit editor sees its unit's, plus the
platform's products (those without a unit) and their rules.
"""

from datetime import UTC, datetime, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from xizang5g.core import access
from xizang5g.core.models import Unit
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


def product_list(*, user, filters: dict | None = None) -> QuerySet[Product]:
    qs = Product.objects.restrict(user).select_related("unit", "industry")
    filters = filters or {}
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(product_key=filters["q"]))
    return qs


def product_get(*, user, key: str, action: str = access.VIEW) -> Product:
    return access.get_or_404(Product.objects.select_related("unit"), user, action, product_key=key)


def product_choices(*, user) -> QuerySet[Product]:
    """Products a user may bind devices to: its unit's and the platform's."""
    return product_list(user=user).order_by("name")


def unit_choices(*, user) -> QuerySet[Unit]:
    """Units a user may register devices or products for."""
    units = Unit.objects.filter(is_active=True)
    return units if access.sees_all(user, Device, access.CHANGE) else units.filter(pk=user.unit_id)


def device_list(*, user, filters: dict | None = None) -> QuerySet[Device]:
    qs = Device.objects.restrict(user).select_related("product", "unit", "project", "status")
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


def device_get(*, user, pk: int, action: str = access.VIEW) -> Device:
    return access.get_or_404(device_list(user=user), user, action, pk=pk)


def latest_values(*, device: Device) -> list[LatestValue]:
    return list(LatestValue.objects.filter(device=device).order_by("property"))


def rejected_messages(*, device: Device, limit: int = 50) -> QuerySet[RejectedMessage]:
    return RejectedMessage.objects.filter(device=device)[:limit]


def device_events(*, device: Device, limit: int = 50) -> QuerySet[DeviceEvent]:
    return DeviceEvent.objects.filter(device=device)[:limit]


def rule_list(*, user, product: Product | None = None) -> QuerySet[Rule]:
    qs = Rule.objects.restrict(user).select_related("product", "device")
    return qs.filter(product=product) if product is not None else qs


def rule_get(*, user, pk: int, action: str = access.VIEW) -> Rule:
    return access.get_or_404(Rule.objects.select_related("product"), user, action, pk=pk)


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
