"""Reads of the industry app, always restricted to what the user may see."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xizang5g.core import access
from xizang5g.industry import dispatch, gb51108, services, slope, underground
from xizang5g.industry.constants import OVERTIME_HOURS
from xizang5g.industry.models import (
    GasState,
    HandleUser,
    Identifier,
    Mine,
    MonitoringPoint,
    PointState,
    Presence,
    ResolutionCount,
    SlopePoint,
    TailingsPond,
    Zone,
)
from xizang5g.iot.models import Reading


def mine_list(*, user):
    return Mine.objects.restrict(user).select_related("unit").prefetch_related("ponds")


def mine_get(*, user, pk: int) -> Mine:
    return access.get_or_404(Mine.objects.select_related("unit"), user, pk=pk)


def pond_get(*, user, pk: int) -> TailingsPond:
    return access.get_or_404(TailingsPond.objects.select_related("mine__unit"), user, pk=pk)


def pond_levels(*, ponds) -> dict[int, int]:
    rows = PointState.objects.filter(point__pond__in=ponds).values_list(
        "point__pond_id", "point__item", "level"
    )
    grouped: dict[int, list] = {}
    for pond_id, item, level in rows:
        grouped.setdefault(pond_id, []).append((item, level))
    return {pond_id: gb51108.pond_levels(pairs)[1] for pond_id, pairs in grouped.items()}


def pond_dashboard(*, pond: TailingsPond) -> dict:
    points = list(
        MonitoringPoint.objects.filter(pond=pond).select_related("device").order_by("item", "code")
    )
    states = {s.point_id: s for s in PointState.objects.filter(point__in=points)}
    rows = []
    for point in points:
        state = states.get(point.pk)
        limits = services.point_thresholds(point)
        rows.append(
            {
                "point": point,
                "value": state.value if state else None,
                "level": state.level if state else 0,
                "time": state.time if state else None,
                "limits": [round(limits[lv], 2) for lv in gb51108.LEVELS],
            }
        )
    items, level = gb51108.pond_levels((r["point"].item, r["level"]) for r in rows if r["time"])
    return {"rows": rows, "items": items, "level": level}


def underground_view(*, mine: Mine) -> dict:
    now = timezone.now()
    zones = list(Zone.objects.filter(mine=mine))
    people = list(
        Presence.objects.filter(mine=mine).select_related("zone").order_by("zone", "person")
    )
    overtime = timedelta(hours=OVERTIME_HOURS)
    counts: dict[int, int] = {}
    for p in people:
        counts[p.zone_id] = counts.get(p.zone_id, 0) + 1
        p.hours = (now - p.entered_at).total_seconds() / 3600
        p.overtime = now - p.entered_at > overtime
    zone_rows = [
        {
            "zone": z,
            "count": counts.get(z.pk, 0),
            "crowded": counts.get(z.pk, 0) > z.capacity,
            "restricted_in": z.restricted and counts.get(z.pk, 0) > 0,
        }
        for z in zones
    ]
    gas = list(GasState.objects.filter(zone__mine=mine).select_related("zone", "device"))
    for g in gas:
        o2 = g.values.get("o2")
        g.po2 = underground.o2_partial_pressure_kpa(o2, mine.elevation_m) if o2 else None
        g.alarm_labels = [(a, underground.ALARM_LABELS.get(a, a)) for a in g.alarms]
    return {"zones": zone_rows, "people": people, "gas": gas}


def dispatch_board(*, mine: Mine, seeds: int = 5) -> dict | None:
    fleet = mine.fleet or {}
    loaders = [
        dispatch.Loader(str(x["name"]), float(x["load_min"]), float(x["travel_min"]))
        for x in fleet.get("loaders", [])
    ]
    trucks = int(fleet.get("trucks", 0))
    if not loaders or trucks <= 0:
        return None
    out = {}
    for policy in ("fixed", "dispatch"):
        runs = [dispatch.simulate(loaders, trucks, policy=policy, seed=s) for s in range(seeds)]
        out[policy] = {
            "trips": sum(r.trips for r in runs) / seeds,
            "tonnes": sum(r.tonnes for r in runs) / seeds,
            "queue_min": sum(r.queue_min for r in runs) / seeds,
            "mean_wait_min": sum(r.mean_wait_min for r in runs) / seeds,
            "per_loader": {
                name: sum(r.per_loader_trips[name] for r in runs) / seeds
                for name in runs[0].per_loader_trips
            },
        }
    fixed, dyn = out["fixed"]["queue_min"], out["dispatch"]["queue_min"]
    out["queue_saving"] = (1 - dyn / fixed) if fixed else 0.0
    out["loaders"], out["trucks"] = loaders, trucks
    return out


def identifier_list(*, user):
    return Identifier.objects.restrict(user).select_related("unit")


def handle_user_list(*, user):
    return HandleUser.objects.restrict(user).select_related("unit")


def resolution_stats(*, user, days: int = 14):
    since = timezone.localdate() - timedelta(days=days - 1)
    return ResolutionCount.objects.restrict(user).filter(day__gte=since).order_by("day", "prefix")


SLOPE_DAYS = 7
SLOPE_WINDOW = 12  # the last 12 rates: the accelerating stretch of a radar record


def slope_view(*, mine: Mine) -> list[dict]:
    """Each slope point's displacement record, rates and inverse-velocity forecast."""
    now = timezone.now()
    out = []
    for point in SlopePoint.objects.filter(mine=mine).select_related("device"):
        rows = list(
            Reading.objects.filter(
                device_id=point.device_id,
                property=point.property,
                time__gte=now - timedelta(days=SLOPE_DAYS),
                value__isnull=False,
            )
            .order_by("time")
            .values_list("time", "value")[:2000]
        )
        entry = {"point": point, "readings": len(rows), "forecast": None, "series": []}
        if len(rows) >= 3:
            hours = [(t - now).total_seconds() / 3600 for t, _v in rows]
            try:
                mid, rates = slope.velocities(hours, [v for _t, v in rows])
            except ValueError:
                out.append(entry)
                continue
            forecast = slope.inverse_velocity_forecast(mid, rates, window=SLOPE_WINDOW)
            entry.update(
                displacement=rows[-1][1],
                velocity=float(rates[-1]),
                fit=forecast,
                series=[
                    [round(h, 2), round(1 / r, 4)] for h, r in zip(mid, rates, strict=True) if r > 0
                ],
            )
            if forecast.failure_time is not None:
                entry["forecast"] = now + timedelta(hours=forecast.failure_time)
                entry["hours_left"] = forecast.failure_time
        out.append(entry)
    return out
