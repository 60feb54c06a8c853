"""Mine safety: facilities, monitoring state from telemetry, alarms."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from xizang5g.core import access
from xizang5g.core.models import Alert, Unit
from xizang5g.core.services import alert_raise, alert_resolve, save_validated
from xizang5g.core.texts import Text, label, names
from xizang5g.industry import gb51108, underground
from xizang5g.industry.apps import MINE_SAFETY_SOURCE
from xizang5g.industry.choices import AlarmLevel, MonitoringItem
from xizang5g.industry.constants import LEVEL_SEVERITY
from xizang5g.industry.models import (
    GasState,
    Mine,
    MonitoringPoint,
    PointState,
    Presence,
    SlopePoint,
    TailingsPond,
    Zone,
)

# What the enterprise does at each level (GB 51108 8.3 with the emergency plan of the
# 尾矿库安全监督管理规定): shown on the pond page and written into the alert.
RESPONSE_ACTIONS = {
    AlarmLevel.BLUE: gettext_lazy(
        "Check the sensors and the point on site; raise the monitoring frequency."
    ),
    AlarmLevel.YELLOW: gettext_lazy(
        "Inspect the dam daily, find the cause, and report to the enterprise's safety officer."
    ),
    AlarmLevel.ORANGE: gettext_lazy(
        "Stop discharging tailings, lower the pond, report to the county emergency management "
        "bureau, and prepare the downstream evacuation."
    ),
    AlarmLevel.RED: gettext_lazy(
        "Start the emergency plan: evacuate people downstream, stop production, and report to "
        "the local government at once."
    ),
}


def mine_create(*, unit: Unit, name: str, kind: str, user, **fields) -> Mine:
    if user is not None:  # None: the system (demo, setup)
        access.require_create(user, Mine, unit=unit)
    mine = Mine(unit=unit, name=name, kind=kind, **fields)
    save_validated(mine, user=user)
    return mine


def pond_create(*, mine: Mine, user, **fields) -> TailingsPond:
    if user is not None:
        access.require(user, access.CHANGE, mine)
    pond = TailingsPond(mine=mine, **fields)
    save_validated(pond, user=user)
    return pond


def point_create(
    *, pond: TailingsPond, code: str, item: str, device=None, thresholds=None, user
) -> MonitoringPoint:
    if user is not None:
        access.require(user, access.CHANGE, pond)
    point = MonitoringPoint(
        pond=pond, code=code, item=item, device=device, thresholds=thresholds or {}
    )
    save_validated(point, user=user)
    return point


def zone_create(*, mine: Mine, name: str, capacity: int, restricted: bool = False, user) -> Zone:
    if user is not None:
        access.require(user, access.CHANGE, mine)
    zone = Zone(mine=mine, name=name, capacity=capacity, restricted=restricted)
    save_validated(zone, user=user)
    return zone


def slope_point_create(*, mine: Mine, code: str, device=None, user) -> SlopePoint:
    if user is not None:
        access.require(user, access.CHANGE, mine)
    point = SlopePoint(mine=mine, code=code, device=device)
    save_validated(point, user=user)
    return point


def gas_sensor_bind(*, zone: Zone, device, user) -> GasState:
    if user is not None:
        access.require(user, access.CHANGE, zone)
    state, _created = GasState.objects.get_or_create(device=device, defaults={"zone": zone})
    return state


# ------------------------------------------------------------------------------ tailings
def design_of(pond: TailingsPond) -> gb51108.Design:
    return gb51108.Design(
        min_phreatic_depth_m=pond.min_phreatic_depth_m,
        min_beach_length_m=pond.min_beach_length_m,
        production_level_m=pond.production_level_m,
        flood_control_level_m=pond.flood_control_level_m,
        max_flood_level_m=pond.max_flood_level_m,
        displacement_limit_mm=pond.displacement_limit_mm,
    )


def point_thresholds(point: MonitoringPoint) -> dict[int, float]:
    derived = gb51108.thresholds(point.item, design_of(point.pond))
    for level in gb51108.LEVELS:
        override = (point.thresholds or {}).get(str(int(level)))
        if isinstance(override, int | float):
            derived[level] = float(override)
    return derived


def observations_record(observations: list[tuple[MonitoringPoint, float, datetime]]) -> None:
    """Store the latest value and level of each point (one upsert for the batch), then
    re-evaluate the ponds touched."""
    latest: dict[int, PointState] = {}
    ponds = {}
    for point, value, at in observations:  # in order per device: the last one wins
        level = gb51108.point_level(point.item, value, point_thresholds(point))
        latest[point.pk] = PointState(point=point, value=value, level=level, time=at)
        ponds[point.pond_id] = point.pond
    PointState.objects.bulk_create(
        list(latest.values()),
        update_conflicts=True,
        unique_fields=["point"],
        update_fields=["value", "level", "time"],
    )
    for pond in ponds.values():
        pond_evaluate(pond=pond)


def pond_status(pond: TailingsPond) -> tuple[dict[str, int], int]:
    rows = PointState.objects.filter(point__pond=pond).values_list("point__item", "level")
    return gb51108.pond_levels(rows)


def pond_evaluate(*, pond: TailingsPond) -> int:
    """Raise (or update, or resolve) the pond's alarm in the alert centre; returns its level."""
    items, level = pond_status(pond)
    key = f"industry:pond:{pond.pk}"
    if level == AlarmLevel.NONE:
        for alert in Alert.objects.filter(dedup_key=key).exclude(state="resolved"):
            alert_resolve(alert=alert, note="GB 51108: all items back to normal")
        return level
    title = Text(
        gettext_noop("%(pond)s: GB 51108 %(level)s alarm"),
        pond=names(pond),
        level=label(AlarmLevel(level)),
    )
    worst = [label(gb51108_item_label(i)) for i, lv in items.items() if lv == level]
    message = Text(
        gettext_noop("%(items)s — %(actions)s"),
        items=worst,
        actions=label(RESPONSE_ACTIONS[AlarmLevel(level)]),
    )
    alert_raise(
        source=MINE_SAFETY_SOURCE,
        dedup_key=key,
        title=title,
        severity=LEVEL_SEVERITY[AlarmLevel(level)],
        message=message,
        unit=pond.mine.unit,
        obj=pond,
        details={"code": "gb51108_level", "level": int(level), "items": items},
    )
    return level


def gb51108_item_label(item: str):
    return dict(MonitoringItem.choices).get(item, item)


# ------------------------------------------------------------------------------ underground
def air_record(*, state: GasState, values: dict, at: datetime) -> list[str]:
    mine = state.zone.mine
    merged = {**state.values, **values}
    alarms = underground.air_alarms(merged, elevation_m=mine.elevation_m)
    state.values, state.alarms, state.time = merged, alarms, at
    state.save()
    key = f"industry:air:{state.device_id}"
    serious = [a for a in alarms if a not in underground.ADVISORY]
    if serious:
        title = Text(
            gettext_noop("%(zone)s: underground air out of limits"), zone=names(state.zone)
        )
        alert_raise(
            source=MINE_SAFETY_SOURCE,
            dedup_key=key,
            title=title,
            severity="critical" if {"o2_low", "co_high", "no2_high"} & set(serious) else "major",
            message=", ".join(serious),
            unit=mine.unit,
            obj=state.zone,
            details={"code": "air", "alarms": serious, "values": merged},
        )
    else:
        for alert in Alert.objects.filter(dedup_key=key).exclude(state="resolved"):
            alert_resolve(alert=alert, note="air back within limits")
    return alarms


def presence_seen(*, zone: Zone, card: str, person: str, at: datetime | None = None) -> Presence:
    """A positioning reader saw a card in a zone (AQ 2032): who is underground, where."""
    at = at or timezone.now()
    with transaction.atomic():
        presence, created = Presence.objects.get_or_create(
            mine=zone.mine,
            card=card,
            defaults={"person": person, "zone": zone, "entered_at": at, "last_seen": at},
        )
        if not created:
            presence.zone, presence.person, presence.last_seen = zone, person, at
            presence.save()
    if zone.restricted:
        title = Text(
            gettext_noop("%(person)s entered restricted zone %(zone)s"),
            person=person,
            zone=names(zone),
        )
        alert_raise(
            source=MINE_SAFETY_SOURCE,
            dedup_key=f"industry:restricted:{zone.pk}:{card}",
            title=title,
            severity="major",
            unit=zone.mine.unit,
            obj=zone,
            details={"code": "restricted_zone", "card": card},
        )
    count = Presence.objects.filter(zone=zone).count()
    if count > zone.capacity:
        title = Text(
            gettext_noop("%(zone)s over-crowded: %(count)s people, capacity %(capacity)s"),
            zone=names(zone),
            count=count,
            capacity=zone.capacity,
        )
        alert_raise(
            source=MINE_SAFETY_SOURCE,
            dedup_key=f"industry:crowd:{zone.pk}",
            title=title,
            severity="major",
            unit=zone.mine.unit,
            obj=zone,
            details={"code": "overcrowded", "count": count, "capacity": zone.capacity},
        )
    return presence


def presence_leave(*, mine: Mine, card: str) -> None:
    """The card passed the shaft reader outward: no longer underground."""
    Presence.objects.filter(mine=mine, card=card).delete()
