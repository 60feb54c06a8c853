"""Haulage: loaders and haul trucks of an open pit, truck telemetry into live state, hour buckets
and completed cycles, and the dispatcher's assignments.

A cycle starts when the truck leaves the dump (dumping ends) and ends when it has dumped again:
empty travel → queueing → loading → loaded travel → dumping. Each reading's time since the
previous one goes to the previous state (a gap over MAX_READING_GAP_S is not counted); the loader
of a queueing or loading truck is the one the terminal names, else the nearest within
LOADER_GEOFENCE_M of its position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from xizang5g.core import access
from xizang5g.core.services import save_validated
from xizang5g.industry import shifts
from xizang5g.industry.choices import TruckState
from xizang5g.industry.constants import LOADER_GEOFENCE_M, MAX_READING_GAP_S
from xizang5g.industry.models import (
    Assignment,
    HaulTruck,
    Loader,
    Mine,
    TruckCycle,
    TruckHour,
    TruckStatus,
)

EARTH_RADIUS_M = 6_371_000.0
PHASE_FIELDS = {
    TruckState.EMPTY: "empty_min",
    TruckState.QUEUEING: "queue_min",
    TruckState.LOADING: "load_min",
    TruckState.LOADED: "haul_min",
    TruckState.DUMPING: "dump_min",
}


def loader_create(
    *,
    mine: Mine,
    code: str,
    name: str,
    load_min: float,
    travel_min: float,
    latitude: float | None = None,
    longitude: float | None = None,
    device=None,
    user,
) -> Loader:
    if user is not None:
        access.require(user, access.CHANGE, mine)
    loader = Loader(
        mine=mine,
        code=code,
        name=name,
        load_min=load_min,
        travel_min=travel_min,
        latitude=latitude,
        longitude=longitude,
        device=device,
    )
    save_validated(loader, user=user)
    return loader


def truck_create(*, mine: Mine, code: str, capacity_t: float, device=None, user) -> HaulTruck:
    if user is not None:
        access.require(user, access.CHANGE, mine)
    truck = HaulTruck(mine=mine, code=code, capacity_t=capacity_t, device=device)
    save_validated(truck, user=user)
    return truck


@dataclass(frozen=True)
class TruckReading:
    """What a truck's terminal reported at `at`."""

    truck: HaulTruck
    at: datetime
    state: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    payload_t: float | None = None
    loader: str = ""  # the loader's code, when the terminal knows it (queueing, loading)
    target: str = ""  # the loader the truck is sent to (empty travel)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest_loader(loaders: list[Loader], lat: float | None, lon: float | None) -> Loader | None:
    if lat is None or lon is None:
        return None
    placed = [
        (distance_m(lat, lon, ld.latitude, ld.longitude), ld)
        for ld in loaders
        if ld.latitude is not None and ld.longitude is not None
    ]
    placed = [(d, ld) for d, ld in placed if d <= LOADER_GEOFENCE_M]
    return min(placed, key=lambda x: x[0])[1] if placed else None


def _add_hours(hours: dict, truck_id: int, start: datetime, end: datetime, state: str) -> None:
    for hour, _offset, seconds in shifts.hours_of(start, end):
        row = hours.setdefault((truck_id, hour), {})
        row[state] = row.get(state, 0.0) + seconds


def truck_readings_record(readings: list[TruckReading]) -> list[TruckCycle]:
    """Account a batch of truck readings (in order per truck; one not newer than the last is a
    redelivery and ignored); returns the cycles completed."""
    by_truck: dict[int, list[TruckReading]] = {}
    for r in readings:
        by_truck.setdefault(r.truck.pk, []).append(r)
    mines = {r.truck.mine_id for r in readings}
    loaders: dict[int, list[Loader]] = {}
    for loader in Loader.objects.filter(mine_id__in=mines):
        loaders.setdefault(loader.mine_id, []).append(loader)
    hours: dict = {}
    done: list[TruckCycle] = []
    with transaction.atomic():
        statuses = {
            s.truck_id: s
            for s in TruckStatus.objects.select_for_update().filter(truck_id__in=by_truck)
        }
        for truck_id, items in by_truck.items():
            truck = items[0].truck
            status = statuses.get(truck_id)
            for r in sorted(items, key=lambda x: x.at):
                if status is not None and r.at <= status.time:
                    continue
                if status is None:
                    status = TruckStatus(
                        truck=truck,
                        state=r.state or TruckState.IDLE,
                        since=r.at,
                        time=r.at,
                        # a truck first seen leaving the dump starts a whole cycle
                        cycle_start=r.at if r.state == TruckState.EMPTY else None,
                        phases={},
                    )
                else:
                    gap = (r.at - status.time).total_seconds()
                    if gap <= MAX_READING_GAP_S:
                        phases = dict(status.phases)
                        phases[status.state] = phases.get(status.state, 0.0) + gap
                        status.phases = phases
                        _add_hours(hours, truck_id, status.time, r.at, status.state)
                    if r.state and r.state != status.state:
                        if status.state == TruckState.DUMPING:
                            cycle = _cycle_close(status, r.at)
                            if cycle is not None:
                                done.append(cycle)
                        elif r.state == TruckState.EMPTY:
                            # leaving the dump after standing there (idle, down), or a cycle
                            # broken off (empty again without dumping): a cycle starts afresh
                            _cycle_reset(status, r.at)
                        status.state, status.since = r.state, r.at
                _apply(status, r, loaders.get(truck.mine_id, []))
                status.time = r.at
            if status is not None:
                status.save()
        for (truck_id, hour), seconds in hours.items():
            row, _created = TruckHour.objects.select_for_update().get_or_create(
                truck_id=truck_id, hour=hour
            )
            merged = dict(row.seconds)
            for state, value in seconds.items():
                merged[state] = merged.get(state, 0.0) + value
            row.seconds = merged
            row.save()
    return done


def _apply(status: TruckStatus, r: TruckReading, loaders: list[Loader]) -> None:
    """Position, payload, loader and destination of a reading onto the truck's status."""
    if r.latitude is not None and r.longitude is not None:
        status.latitude, status.longitude = r.latitude, r.longitude
    if r.payload_t is not None and r.payload_t >= 0:
        status.payload_t = r.payload_t
        if status.state in (TruckState.LOADED, TruckState.DUMPING, TruckState.LOADING):
            status.cycle_payload_t = max(status.cycle_payload_t, r.payload_t)
    by_code = {ld.code: ld for ld in loaders}
    if r.target in by_code and status.state in (TruckState.EMPTY, TruckState.DUMPING):
        status.target = by_code[r.target]
    if status.state == TruckState.LOADING:
        status.target = None  # arrived: the destination is spent
    if status.state in (TruckState.QUEUEING, TruckState.LOADING) and (
        status.loader_id is None or status.state == TruckState.QUEUEING
    ):
        found = by_code.get(r.loader) or nearest_loader(loaders, status.latitude, status.longitude)
        if found is not None:
            status.loader = found


def _cycle_close(status: TruckStatus, end: datetime) -> TruckCycle | None:
    """The truck finished dumping at `end`: store its cycle when it was seen whole (from leaving
    the dump, with a loading), and start the next."""
    phases = status.phases or {}
    cycle = None
    if status.cycle_start is not None and phases.get(TruckState.LOADING, 0) > 0:
        minutes = {field: phases.get(state, 0.0) / 60 for state, field in PHASE_FIELDS.items()}
        other = (phases.get(TruckState.IDLE, 0.0) + phases.get(TruckState.DOWN, 0.0)) / 60
        cycle, _created = TruckCycle.objects.get_or_create(
            truck=status.truck,
            end=end,
            defaults={
                "loader": status.loader,
                "start": status.cycle_start,
                "other_min": other,
                "payload_t": status.cycle_payload_t,
                **minutes,
            },
        )
    _cycle_reset(status, end)
    return cycle


def _cycle_reset(status: TruckStatus, start: datetime) -> None:
    # the destination stays: a dispatcher may have sent the truck on while it was dumping
    status.cycle_start, status.phases = start, {}
    status.loader, status.cycle_payload_t = None, 0.0


def assignment_record(
    *,
    truck: HaulTruck,
    loader: Loader,
    user,
    recommended: Loader | None = None,
    expected_wait_min: float | None = None,
    at: datetime | None = None,
) -> Assignment:
    """The dispatcher sends `truck` to `loader` (change-logged, with what the rule recommended);
    the truck then counts as bound to that loader for the live rule."""
    if user is not None:
        access.require(user, access.CHANGE, truck.mine)
    assignment = Assignment(
        mine=truck.mine,
        truck=truck,
        loader=loader,
        recommended=recommended,
        expected_wait_min=expected_wait_min,
        at=at or timezone.now(),
    )
    save_validated(assignment, user=user)
    TruckStatus.objects.filter(truck=truck).update(target=loader)
    return assignment
