"""Writes of the tourism app: spots and zones with their capacity, counts and headcounts, the live
occupancy and crowd level of each spot with its alerts, car parks, content and daily data."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xizang5g.core import access
from xizang5g.core.choices import AlertSeverity, AlertState
from xizang5g.core.models import Alert, Unit
from xizang5g.core.services import alert_raise, alert_resolve, save_validated
from xizang5g.core.texts import Text, names
from xizang5g.tourism import capacity
from xizang5g.tourism import constants as C
from xizang5g.tourism.choices import CountSource, CrowdLevel
from xizang5g.tourism.models import (
    CarPark,
    ContentItem,
    CountSample,
    DailyStat,
    Gate,
    Headcount,
    OccupancyPoint,
    ScenicSpot,
    SpotState,
    Zone,
    ZoneCounter,
)

LOCAL = zoneinfo.ZoneInfo(C.LOCAL_TZ)
TOURISM_DEPARTMENT_CODES = ("tourism-dept", "culture-tourism-dept")


def local_day(at: datetime) -> date:
    return timezone.localtime(at, LOCAL).date()


def tourism_department() -> Unit | None:
    """The regional tourism department (区旅游发展厅 / 文化和旅游厅), which supervises every spot."""
    return Unit.objects.filter(code__in=TOURISM_DEPARTMENT_CODES).order_by("code").first()


# ==== spots and zones ==============================================================================
@dataclass(frozen=True)
class ZoneInput:
    code: str
    name: str
    area_m2: float
    per_visitor_m2: float


def _check_zones(zones: list[ZoneInput]) -> None:
    if not zones:
        raise ValidationError({"zones": _("A spot needs at least one zone.")})
    codes = [z.code for z in zones]
    if len(set(codes)) != len(codes):
        raise ValidationError({"zones": _("Zone codes must be unique within a spot.")})
    for z in zones:
        if not (z.area_m2 and z.area_m2 > 0) or not (z.per_visitor_m2 and z.per_visitor_m2 > 0):
            raise ValidationError(
                {
                    "zones": _("Zone %(c)s: area and space per visitor must be positive.")
                    % {"c": z.code}
                }
            )


def spot_save(
    *,
    user,
    code: str,
    name: str,
    zones: list[ZoneInput],
    open_hours: float,
    average_stay_hours: float,
    cap_daily: int | None = None,
    managing_unit: Unit | None = None,
    **fields,
) -> tuple[ScenicSpot, bool]:
    """Register a spot with its zones, or replace the zones and inputs of one the user may
    change; C1 and C2 are computed from the inputs (LB/T 034-2014). Returns (spot, created).
    `user` None is the system (the demo), which names the managing unit itself."""
    _check_zones(zones)
    existing = ScenicSpot.objects.filter(code=code).first()
    with transaction.atomic():
        if existing is not None:
            if user is not None:
                access.require(user, access.CHANGE, existing)
            spot = existing
        else:
            unit = managing_unit or getattr(user, "unit", None)
            if (
                unit is None
                and user is not None
                and not access.sees_all(user, ScenicSpot, access.CHANGE)
            ):
                raise PermissionDenied(_("You may only register spots of your own unit."))
            if unit is None:
                raise ValidationError({"unit": _("Name the spot's managing unit.")})
            if user is not None:
                access.require_create(user, ScenicSpot, managing_unit=unit)
            spot = ScenicSpot(code=code, managing_unit=unit, supervising_unit=tourism_department())
        spot.name = name
        spot.open_hours = open_hours
        spot.average_stay_hours = average_stay_hours
        spot.cap_daily = cap_daily
        for key, value in fields.items():
            setattr(spot, key, value)
        spot.capacity_instant = capacity.instant_capacity(
            (z.area_m2, z.per_visitor_m2) for z in zones
        )
        spot.capacity_daily = capacity.daily_capacity(
            spot.capacity_instant, open_hours, average_stay_hours, cap_daily
        )
        save_validated(spot, user=user)
        keep = set()
        for z in zones:
            zone = Zone.objects.filter(spot=spot, code=z.code).first() or Zone(
                spot=spot, code=z.code
            )
            zone.name, zone.area_m2, zone.per_visitor_m2 = z.name, z.area_m2, z.per_visitor_m2
            zone.capacity_instant = capacity.zone_capacity(z.area_m2, z.per_visitor_m2)
            save_validated(zone, user=user)
            keep.add(zone.pk)
        for zone in Zone.objects.filter(spot=spot).exclude(pk__in=keep):
            zone.delete()
        SpotState.objects.get_or_create(spot=spot)
    return spot, existing is None


def gate_attach(*, user, zone: Zone, device) -> Gate:
    if user is not None:
        access.require(user, access.CHANGE, zone.spot)
    gate = Gate.objects.filter(device=device).first() or Gate(device=device)
    gate.zone = zone
    return save_validated(gate, user=user)


# ==== counts and occupancy =========================================================================
@dataclass(frozen=True)
class Count:
    zone: Zone
    at: datetime
    entries: int
    exits: int
    source: str = "api"
    kind: str = CountSource.API
    msg_id: str = ""


def counts_record(counts: Iterable[Count], *, now: datetime | None = None) -> dict:
    """Store cumulative counts (idempotent by zone, source and time) and update the occupancy and
    level of the spots they touch. Returns {"stored", "spots": {spot id: level}}; for a batch,
    "stored" counts the counts offered (repeats are skipped by the constraints)."""
    counts = list(counts)
    for c in counts:
        if c.entries < 0 or c.exits < 0:
            raise ValidationError({"entries": _("Counts cannot be negative.")})
    rows = [
        CountSample(
            zone=c.zone,
            source=c.source,
            kind=c.kind,
            at=c.at,
            day=local_day(c.at),
            entries=c.entries,
            exits=c.exits,
            msg_id=c.msg_id[:64],
        )
        for c in counts
    ]
    stored = 0
    if len(rows) == 1:
        try:
            with transaction.atomic():
                rows[0].save()
            stored = 1
        except IntegrityError:
            stored = 0
    else:  # a batch from the ingest worker: repeats are skipped by the unique constraints
        CountSample.objects.bulk_create(rows, ignore_conflicts=True)
        stored = len(rows)
    _counters_advance(counts)
    touched: dict[int, tuple[ScenicSpot, date]] = {}
    for c in counts:
        day = local_day(c.at)
        spot = c.zone.spot
        if spot.pk not in touched or touched[spot.pk][1] < day:
            touched[spot.pk] = (spot, day)
    return {"stored": stored, "spots": spots_refresh(touched, now=now)}


def headcount_record(*, zone: Zone, at: datetime, count: int, source: str = "", user=None) -> str:
    """A headcount (operators' signalling data) of a zone: it corrects the drift of entries −
    exits from its time on. Returns the spot's level."""
    if user is not None:
        access.require(user, access.CHANGE, zone.spot)
    if count < 0:
        raise ValidationError({"count": _("A headcount cannot be negative.")})
    headcount, _created = Headcount.objects.update_or_create(
        zone=zone, at=at, defaults={"count": count, "source": source[:80], "day": local_day(at)}
    )
    latest = Headcount.objects.filter(zone=zone, day=headcount.day).order_by("-at").first()
    if latest.pk == headcount.pk:
        _counters_rebase(zone, headcount)
    return spot_refresh(spot=zone.spot, day=local_day(at))


def _counters_advance(counts: list[Count]) -> None:
    """Move each source's counter forward to its latest count (a count older than the counter's,
    or of an earlier day, leaves it as it is). A new day starts with no headcount base. Two
    queries and one write per batch, whatever its size."""
    existing = {
        (c.zone_id, c.source): c
        for c in ZoneCounter.objects.filter(
            zone_id__in={c.zone.pk for c in counts}, source__in={c.source for c in counts}
        )
    }
    new, changed = {}, {}
    for c in sorted(counts, key=lambda c: c.at):
        key, day = (c.zone.pk, c.source), local_day(c.at)
        counter = existing.get(key) or new.get(key)
        if counter is None:
            new[key] = ZoneCounter(
                zone=c.zone,
                source=c.source,
                kind=c.kind,
                day=day,
                at=c.at,
                entries=c.entries,
                exits=c.exits,
            )
            continue
        if (counter.day, counter.at) > (day, c.at):
            continue
        if counter.day != day:
            counter.base_entries = counter.base_exits = 0
        counter.day, counter.at, counter.kind = day, c.at, c.kind
        counter.entries, counter.exits = c.entries, c.exits
        if counter.pk:
            changed[key] = counter
    if new:
        ZoneCounter.objects.bulk_create(new.values())
    if changed:
        _update_many(
            ZoneCounter,
            changed.values(),
            ["day", "at", "kind", "entries", "exits", "base_entries", "base_exits"],
        )


def _update_many(model, objects, fields: list[str]) -> None:
    """UPDATE … WHERE id = … for each object in one executemany: Django's bulk_update builds a
    CASE per field and object, which costs more than the database work for these small rows."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        connection.ops.quote_name(meta.db_table),
        ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns),
        connection.ops.quote_name(meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _counters_rebase(zone: Zone, headcount: Headcount) -> None:
    """After a headcount: each source's base is its latest count at or before the headcount."""
    for counter in ZoneCounter.objects.filter(zone=zone, day=headcount.day):
        base = (
            CountSample.objects.filter(
                zone=zone, source=counter.source, day=headcount.day, at__lte=headcount.at
            )
            .order_by("-at", "-id")
            .first()
        )
        counter.base_entries, counter.base_exits = (base.entries, base.exits) if base else (0, 0)
        counter.save(update_fields=["base_entries", "base_exits"])


def occupancy_of(counters: list[ZoneCounter], headcount: Headcount | None) -> tuple[int, int]:
    """(occupancy, entries) of a zone from its sources' counters.

    Occupancy is entries − exits summed over the zone's gate and vendor sources; ticket
    validations stand in only where a zone has neither. The latest headcount of the day replaces
    everything before it: occupancy = headcount + the net flow of each source since."""
    counted = [c for c in counters if c.kind != CountSource.TICKET] or counters
    occupancy = headcount.count if headcount else 0
    entries = 0
    for c in counted:
        entries += c.entries
        occupancy += c.entries - c.exits
        if headcount is not None:
            occupancy -= c.base_entries - c.base_exits
    return max(0, occupancy), entries


def zone_occupancy(zone: Zone, day: date) -> tuple[int, int]:
    counters = list(ZoneCounter.objects.filter(zone=zone, day=day))
    headcount = Headcount.objects.filter(zone=zone, day=day).order_by("-at").first()
    return occupancy_of(counters, headcount)


def spot_refresh(*, spot: ScenicSpot, day: date, now: datetime | None = None) -> str:
    """Recompute the spot's occupancy and level for `day` from its zones; raise or resolve its
    crowd alert on a change of level. Returns the level."""
    return spots_refresh({spot.pk: (spot, day)}, now=now)[spot.pk]


def spots_refresh(
    touched: dict[int, tuple[ScenicSpot, date]], *, now: datetime | None = None
) -> dict[int, str]:
    """`spot_refresh` for many spots at once, in a fixed number of queries (the ingest worker's
    batches touch many spots)."""
    now = now or timezone.now()
    ids = sorted(touched)
    levels: dict[int, str] = {}
    changes = []
    with transaction.atomic():
        have = set(SpotState.objects.filter(spot_id__in=ids).values_list("spot_id", flat=True))
        for spot_id in set(ids) - have:  # states exist from registration; others get one here
            SpotState.objects.get_or_create(spot_id=spot_id)
        states = {
            s.spot_id: s
            for s in SpotState.objects.select_for_update()
            .filter(spot_id__in=ids)
            .order_by("spot_id")
        }
        days = {day for _spot, day in touched.values()}
        counters: dict[int, list[ZoneCounter]] = {}
        for counter in ZoneCounter.objects.filter(zone__spot_id__in=ids, day__in=days):
            counters.setdefault(counter.zone_id, []).append(counter)
        headcounts: dict[tuple[int, date], Headcount] = {}
        for h in Headcount.objects.filter(zone__spot_id__in=ids, day__in=days).order_by("at"):
            headcounts[(h.zone_id, h.day)] = h  # the latest wins
        zones: dict[int, list[Zone]] = {}
        for zone in Zone.objects.filter(spot_id__in=ids).order_by("code"):
            zones.setdefault(zone.spot_id, []).append(zone)
        points, dirty = [], []
        for spot_id in ids:
            spot, day = touched[spot_id]
            state = states[spot_id]
            if state.day is not None and day < state.day:
                levels[spot_id] = state.level  # late counts of an earlier day change nothing
                continue
            per_zone, occupancy, entries = {}, 0, 0
            for zone in zones.get(spot_id, []):
                mine = [c for c in counters.get(zone.pk, []) if c.day == day]
                occ, ent = occupancy_of(mine, headcounts.get((zone.pk, day)))
                per_zone[zone.code] = occ
                occupancy += occ
                entries += ent
            previous = state.level  # the live level, which alerts follow
            level = capacity.level_for(
                occupancy,
                spot.capacity_instant,
                # a new day's counts start afresh: no hysteresis carried over the night
                current=previous if state.day == day else CrowdLevel.COMFORTABLE,
                busy_pct=spot.busy_pct,
                warning_pct=spot.warning_pct,
                saturated_pct=spot.saturated_pct,
                hysteresis_pct=spot.hysteresis_pct,
            )
            state.day, state.occupancy, state.entries_today = day, occupancy, entries
            state.zones, state.updated_at = per_zone, now
            if level != previous:
                state.level_since = now
                changes.append((spot, previous, level, occupancy))
            state.level = level
            dirty.append(state)
            points.append(
                OccupancyPoint(spot_id=spot_id, at=now, occupancy=occupancy, entries=entries)
            )
            levels[spot_id] = level
        _update_many(
            SpotState,
            dirty,
            ["day", "occupancy", "entries_today", "zones", "updated_at", "level_since", "level"],
        )
        OccupancyPoint.objects.bulk_create(points)
        for spot, previous, level, occupancy in changes:
            _crowd_alert(spot, previous, level, occupancy, now)
    return levels


ALERT_LEVELS = (CrowdLevel.WARNING, CrowdLevel.SATURATED)


def crowd_dedup_key(spot: ScenicSpot) -> str:
    return f"tourism:crowd:{spot.pk}"


def _crowd_alert(spot, previous: str, level: str, occupancy: int, now: datetime) -> None:
    key = crowd_dedup_key(spot)
    pct = round(100.0 * occupancy / spot.capacity_instant, 1) if spot.capacity_instant else None
    details = {
        "code": f"crowd_{level}",
        "spot": spot.code,
        "level": level,
        "occupancy": occupancy,
        "capacity_instant": spot.capacity_instant,
        "percent": pct,
    }
    if level in ALERT_LEVELS:
        params = {"spot": names(spot), "n": occupancy, "p": pct}
        if level == CrowdLevel.SATURATED:
            title = Text(
                gettext_noop("%(spot)s saturated: %(n)d visitors, %(p)s %% of capacity C1"),
                **params,
            )
            actions = Text(
                gettext_noop(
                    "LB/T 034-2014: stop admissions and ticket sales, publish the notice, divert "
                    "visitors and start the emergency plan for crowds."
                )
            )
        else:
            title = Text(
                gettext_noop("%(spot)s crowd warning: %(n)d visitors, %(p)s %% of capacity C1"),
                **params,
            )
            actions = Text(
                gettext_noop(
                    "LB/T 034-2014: publish the crowd notice, stop ticket sales and divert visitors."
                )
            )
        alert_raise(
            source=C.CROWD_SOURCE,
            dedup_key=key,
            title=title,
            message=actions,
            severity=AlertSeverity.CRITICAL
            if level == CrowdLevel.SATURATED
            else AlertSeverity.MAJOR,
            rule=f"tourism.crowd.{level}",
            unit=spot.managing_unit,
            obj=spot,
            details=details,
            at=now,
        )
    elif previous in ALERT_LEVELS:
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Occupancy back to %(n)d (%(p)s %% of C1): level %(l)s.") % {
                "n": occupancy,
                "p": pct,
                "l": CrowdLevel(level).label,
            }
        for alert in Alert.objects.filter(dedup_key=key).exclude(state=AlertState.RESOLVED):
            alert_resolve(alert=alert, note=note)


# ==== car parks, content, daily data ===============================================================
def car_park_save(*, user, spot: ScenicSpot, code: str, **fields) -> CarPark:
    park = CarPark.objects.filter(code=code).first() or CarPark(code=code, spot=spot)
    if user is not None:
        access.require(user, access.CHANGE, spot)
        if park.pk:
            access.require(user, access.CHANGE, park)
    park.spot = spot
    for key, value in fields.items():
        setattr(park, key, value)
    return save_validated(park, user=user)


def car_park_count(*, park: CarPark, occupied: int, at: datetime | None = None) -> CarPark:
    """Sensor or barrier count of occupied spaces (runtime state, not change-logged)."""
    if occupied < 0:
        raise ValidationError({"occupied": _("Occupied spaces cannot be negative.")})
    park.occupied = min(occupied, park.spaces)
    park.occupied_at = at or timezone.now()
    park.save(update_fields=["occupied", "occupied_at"])
    return park


def content_save(*, user, spot: ScenicSpot, title: str, **fields) -> ContentItem:
    if user is not None:
        access.require(user, access.CHANGE, spot)
    item = ContentItem.objects.filter(spot=spot, title=title).first() or ContentItem(
        spot=spot, title=title
    )
    for key, value in fields.items():
        setattr(item, key, value)
    return save_validated(item, user=user)


def daily_stats_store(rows: Iterable[DailyStat]) -> int:
    """Store daily tourism data (idempotent by spot and date: a later row replaces)."""
    rows = list(rows)
    with transaction.atomic():
        for row in rows:
            DailyStat.objects.update_or_create(
                spot=row.spot,
                date=row.date,
                defaults={
                    "visitors": row.visitors,
                    "revenue_yuan": row.revenue_yuan,
                    "stay_hours": row.stay_hours,
                    "origins": row.origins,
                },
            )
    return len(rows)


def daily_rollup(*, day: date) -> int:
    """Each spot's visitors of a finished local day from its counts (entries since opening at
    the day's end), with the ticket revenue at the spot's price; origins and stay, which come
    from the operators' data, are kept. Returns the number of spots written."""
    written = 0
    for spot in ScenicSpot.objects.all():
        entries = sum(zone_occupancy(zone, day)[1] for zone in Zone.objects.filter(spot=spot))
        if not entries and not CountSample.objects.filter(zone__spot=spot, day=day).exists():
            continue
        DailyStat.objects.update_or_create(
            spot=spot,
            date=day,
            defaults={"visitors": entries, "revenue_yuan": spot.ticket_price_yuan * entries},
        )
        written += 1
    return written
