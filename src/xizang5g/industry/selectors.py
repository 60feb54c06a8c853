"""Reads of the industry app, always restricted to what the user may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.industry import dispatch, gb51108, oee, services, shifts, slope, underground
from xizang5g.industry.choices import MachineState, TruckState
from xizang5g.industry.constants import (
    LEARN_CYCLES,
    LEARN_HOURS,
    MIN_LEARNED,
    OVERTIME_HOURS,
    STOP_REASONS,
)
from xizang5g.industry.models import (
    Assignment,
    GasState,
    HandleUser,
    HaulTruck,
    Identifier,
    LineHour,
    LineShift,
    Loader,
    Machine,
    MachineInterval,
    MachineStatus,
    Mine,
    MonitoringPoint,
    PointState,
    Presence,
    ProductionLine,
    ResolutionCount,
    SlopePoint,
    TailingsPond,
    TruckCycle,
    TruckHour,
    TruckStatus,
    Zone,
)
from xizang5g.iot.models import Reading


def mine_list(*, user):
    return Mine.objects.restrict(user).select_related("unit").prefetch_related("ponds")


def mine_get(*, user, pk: int, action: str = access.VIEW) -> Mine:
    return access.get_or_404(Mine.objects.select_related("unit"), user, action, pk=pk)


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


# ------------------------------------------------------------------------------ smart factory
def line_list(*, user):
    return ProductionLine.objects.restrict(user).select_related("unit")


def line_get(*, user, pk: int) -> ProductionLine:
    return access.get_or_404(ProductionLine.objects.select_related("unit"), user, pk=pk)


def line_shift_list(*, line: ProductionLine):
    return LineShift.objects.filter(line=line).order_by("-day", "-shift")


def line_current(*, lines, now=None) -> dict[int, LineShift]:
    """The stored OEE of each line's running shift (lines without one are absent)."""
    now = now or timezone.now()
    out = {}
    for line in lines:
        span = shifts.shift_at(now, line.shift_start)
        row = LineShift.objects.filter(line=line, day=span.day, shift=span.kind).first()
        if row is not None:
            out[line.pk] = row
    return out


def loss_label(cause: str) -> str:
    """A loss's label in the reader's language: the reason codes of STOP_REASONS (after the code
    of the machine that stopped the line, "C1:cap_jam"), the state names and "no data"; another
    reason as sent."""
    if cause == services.factory.NO_DATA:
        return _("no data")
    if cause in MachineState.values:
        return str(MachineState(cause).label)
    machine, _sep, reason = cause.rpartition(":")
    text = str(STOP_REASONS.get(reason, reason))
    return f"{machine} · {text}" if machine else text


def line_board(*, line: ProductionLine, span: shifts.ShiftSpan, now=None) -> dict:
    """One shift of a line: its stored OEE, the hourly trend from the hour buckets, the machines'
    state timeline and current state, and the losses (Pareto)."""
    now = now or timezone.now()
    stored = LineShift.objects.filter(line=line, day=span.day, shift=span.kind).first()
    hours = []
    for h in LineHour.objects.filter(line=line, hour__gte=span.start, hour__lt=span.end).order_by(
        "hour"
    ):
        end = min(h.hour + timedelta(hours=1), now)
        elapsed = max((end - h.hour).total_seconds(), 0.0)
        worked = line.planned(span.kind) or h.run_s > 0
        planned = max(elapsed - h.idle_s, 0.0) if worked else 0.0
        result = oee.oee_from_times(
            planned_s=planned,
            run_s=h.run_s,
            ideal_cycle_s=line.ideal_cycle_s,
            total=h.total,
            good=h.total - h.reject,
        )
        hours.append(
            {
                "hour": h.hour,
                "total": h.total,
                "reject": h.reject,
                "availability": result.availability,
                "performance": result.performance,
                "quality": result.quality,
                "oee": result.oee,
            }
        )
    machines = list(Machine.objects.filter(line=line).select_related("device"))
    statuses = {s.machine_id: s for s in MachineStatus.objects.filter(machine__in=machines)}
    for m in machines:
        m.live = statuses.get(m.pk)
    end = min(span.end, now)
    intervals = (
        MachineInterval.objects.filter(machine__in=machines, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=span.start))
        .order_by("machine__position", "start")
        .values("machine_id", "state", "reason", "start", "end")
    )
    timeline = [
        {
            "machine": i["machine_id"],
            "state": i["state"],
            "reason": i["reason"],
            "start": max(i["start"], span.start),
            "end": min(i["end"] or end, end),
        }
        for i in intervals[:5000]
    ]
    losses = stored.ranked_losses() if stored else []
    lost = sum(seconds for _cause, seconds in losses) or 1.0
    pareto, running = [], 0.0
    for cause, seconds in losses[:10]:
        running += seconds
        pareto.append(
            {
                "cause": loss_label(cause),
                "minutes": seconds / 60,
                "share": seconds / lost,
                "cumulative": running / lost,
            }
        )
    return {
        "span": span,
        "shift": stored,
        "hours": hours,
        "machines": machines,
        "timeline": timeline,
        "pareto": pareto,
        "running": span.start <= now < span.end,
    }


# ------------------------------------------------------------------------------ haulage
def learned_times(*, loaders: list[Loader], now=None) -> dict[int, dict]:
    """Each loader's mean empty travel (from the dump), loading, queue and loaded haul minutes
    over its last LEARN_CYCLES cycles within LEARN_HOURS; with fewer than MIN_LEARNED cycles the
    nominal loading and haul times stand (then `learned` is False)."""
    now = now or timezone.now()
    out = {}
    for loader in loaders:
        recent = list(
            TruckCycle.objects.filter(loader=loader, end__gte=now - timedelta(hours=LEARN_HOURS))
            .order_by("-end")
            .values_list("empty_min", "load_min", "queue_min", "haul_min")[:LEARN_CYCLES]
        )
        if len(recent) >= MIN_LEARNED:
            n = len(recent)
            out[loader.pk] = {
                "travel_min": sum(r[0] for r in recent) / n,
                "load_min": sum(r[1] for r in recent) / n,
                "queue_min": sum(r[2] for r in recent) / n,
                "haul_min": sum(r[3] for r in recent) / n,
                "cycles": n,
                "learned": True,
            }
        else:
            out[loader.pk] = {
                "travel_min": loader.travel_min,
                "load_min": loader.load_min,
                "queue_min": None,
                "haul_min": loader.travel_min,
                "cycles": len(recent),
                "learned": False,
            }
    return out


def dispatch_live(*, mine: Mine, now=None) -> dict:
    """The live board of a mine: trucks and their state, each loader's queue and expected free
    time, and the MTWT recommendation for the trucks leaving the dump (dispatch.recommend on the
    live state, with travel and loading times learned from recent cycles)."""
    now = now or timezone.now()
    loaders = list(Loader.objects.filter(mine=mine))
    trucks = list(HaulTruck.objects.filter(mine=mine))
    statuses = {
        s.truck_id: s
        for s in TruckStatus.objects.filter(truck__in=trucks).select_related("loader", "target")
    }
    learned = learned_times(loaders=loaders, now=now)
    by_pk = {ld.pk: ld for ld in loaders}
    live = [
        dispatch.LiveLoader(str(ld.pk), learned[ld.pk]["load_min"], learned[ld.pk]["travel_min"])
        for ld in loaders
    ]
    committed, leaving = [], []
    queues = {ld.pk: {"queueing": [], "loading": [], "en_route": []} for ld in loaders}
    for truck in trucks:
        status = statuses.get(truck.pk)
        truck.live = status
        if status is None:
            continue
        in_state = (now - status.since).total_seconds() / 60
        if status.state == TruckState.LOADING and status.loader_id in by_pk:
            left = max(learned[status.loader_id]["load_min"] - in_state, 0.0)
            committed.append(dispatch.Committed(str(status.loader_id), 0.0, left))
            queues[status.loader_id]["loading"].append(truck)
        elif status.state == TruckState.QUEUEING and status.loader_id in by_pk:
            committed.append(dispatch.Committed(str(status.loader_id), 0.0))
            queues[status.loader_id]["queueing"].append(truck)
        elif status.state == TruckState.EMPTY and status.target_id in by_pk:
            travelled = (status.phases or {}).get(TruckState.EMPTY, 0.0) / 60
            arrival = max(learned[status.target_id]["travel_min"] - travelled, 0.0)
            committed.append(dispatch.Committed(str(status.target_id), arrival))
            queues[status.target_id]["en_route"].append(truck)
        elif status.state in (TruckState.DUMPING, TruckState.EMPTY):
            leaving.append((status.since, truck))
    leaving.sort(key=lambda x: x[0])
    recommendations = dispatch.recommend(live, committed, [str(t.pk) for _s, t in leaving])
    truck_by_pk = {t.pk: t for t in trucks}
    free = dispatch.free_at(live, committed)
    loader_rows = [
        {
            "loader": ld,
            **queues[ld.pk],
            "free_in_min": free[str(ld.pk)],
            "times": learned[ld.pk],
        }
        for ld in loaders
    ]
    return {
        "loaders": loader_rows,
        "trucks": trucks,
        "recommendations": [
            {
                "truck": truck_by_pk[int(r.truck)],
                "loader": by_pk[int(r.loader)],
                "expected_wait_min": r.expected_wait_min,
                "loader_idle_min": r.loader_idle_min,
                "scores": [(by_pk[int(k)], v) for k, v in r.scores.items()],
            }
            for r in recommendations
        ],
        "assignments": list(
            Assignment.objects.filter(mine=mine)
            .select_related("truck", "loader", "recommended")
            .order_by("-at")[:10]
        ),
        "cycles": list(
            TruckCycle.objects.filter(truck__mine=mine)
            .select_related("truck", "loader")
            .order_by("-end")[:12]
        ),
    }


def recommendation_for(*, mine: Mine, truck: HaulTruck) -> dict | None:
    """What the rule recommends now for `truck` (None when it is not leaving the dump)."""
    board = dispatch_live(mine=mine)
    return next((r for r in board["recommendations"] if r["truck"].pk == truck.pk), None)


def truck_get(*, mine: Mine, code: str) -> HaulTruck | None:
    return HaulTruck.objects.filter(mine=mine, code=code).first()


def loader_get(*, mine: Mine, code: str) -> Loader | None:
    return Loader.objects.filter(mine=mine, code=code).first()


# ------------------------------------------------------------------------------ shift reports
def mine_shift_report(*, mine: Mine, day, kind: str, now=None) -> dict:
    """Haulage over one shift of a mine: trips, tonnes, mean cycle, per loader trips, tonnes,
    queue minutes and utilisation (loading time / shift time gone by), per truck trips and
    availability (time not down / shift time gone by: time without readings counts as not
    available)."""
    now = now or timezone.now()
    span = shifts.span(day, kind, mine.shift_start)
    elapsed_min = span.elapsed_s(now) / 60
    cycles = list(
        TruckCycle.objects.filter(truck__mine=mine, end__gte=span.start, end__lt=span.end)
        .select_related("truck", "loader")
        .order_by("end")
    )
    loaders = list(Loader.objects.filter(mine=mine))
    per_loader = {
        ld.pk: {"loader": ld, "trips": 0, "tonnes": 0.0, "queue_min": 0.0, "load_min": 0.0}
        for ld in loaders
    }
    trucks = list(HaulTruck.objects.filter(mine=mine))
    per_truck = {t.pk: {"truck": t, "trips": 0, "tonnes": 0.0, "down_min": 0.0} for t in trucks}
    for c in cycles:
        if c.loader_id in per_loader:
            row = per_loader[c.loader_id]
            row["trips"] += 1
            row["tonnes"] += c.payload_t
            row["queue_min"] += c.queue_min
            row["load_min"] += c.load_min
        per_truck[c.truck_id]["trips"] += 1
        per_truck[c.truck_id]["tonnes"] += c.payload_t
    accounted = {t.pk: 0.0 for t in trucks}
    for h in TruckHour.objects.filter(truck__in=trucks, hour__gte=span.start, hour__lt=span.end):
        per_truck[h.truck_id]["down_min"] += h.seconds.get(TruckState.DOWN, 0.0) / 60
        accounted[h.truck_id] += sum(h.seconds.values()) / 60
    for row in per_loader.values():
        row["utilisation"] = row["load_min"] / elapsed_min if elapsed_min else 0.0
        row["mean_queue_min"] = row["queue_min"] / row["trips"] if row["trips"] else 0.0
    for pk, row in per_truck.items():
        row["hours"] = accounted[pk] / 60
        row["availability"] = (
            max(accounted[pk] - row["down_min"], 0.0) / elapsed_min if elapsed_min else 0.0
        )
    trips = len(cycles)
    return {
        "mine": mine,
        "span": span,
        "trips": trips,
        "tonnes": sum(c.payload_t for c in cycles),
        "mean_cycle_min": sum(c.cycle_min for c in cycles) / trips if trips else 0.0,
        "queue_min": sum(c.queue_min for c in cycles),
        "loaders": list(per_loader.values()),
        "trucks": list(per_truck.values()),
        "availability": (
            sum(r["availability"] for r in per_truck.values()) / len(per_truck)
            if per_truck
            else 0.0
        ),
    }


def line_shift_report(*, line: ProductionLine, day, kind: str) -> dict:
    stored = LineShift.objects.filter(line=line, day=day, shift=kind).first()
    losses = stored.ranked_losses()[:3] if stored else []
    return {
        "line": line,
        "span": shifts.span(day, kind, line.shift_start),
        "shift": stored,
        "losses": [(loss_label(c), s / 60) for c, s in losses],
    }


def shift_report(*, user, day, kind: str, now=None) -> dict:
    """The shift report of every mine with a haul fleet and every line the user may see."""
    mines = [m for m in mine_list(user=user) if Loader.objects.filter(mine=m).exists()]
    return {
        "day": day,
        "kind": kind,
        "mines": [mine_shift_report(mine=m, day=day, kind=kind, now=now) for m in mines],
        "lines": [line_shift_report(line=ln, day=day, kind=kind) for ln in line_list(user=user)],
    }
