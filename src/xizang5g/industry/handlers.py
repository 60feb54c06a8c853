"""IoT subscriptions: tailings monitoring points, underground air sensors, production machines
(state and counters) and haul trucks (position, payload, state)."""

from __future__ import annotations

import math

from xizang5g.industry import services
from xizang5g.industry.choices import MachineState, TruckState
from xizang5g.industry.models import GasState, HaulTruck, Machine, MonitoringPoint
from xizang5g.industry.services.factory import MachineReading
from xizang5g.industry.services.haulage import TruckReading
from xizang5g.iot.hooks import Delivery


def _bound(queryset, deliveries: list[Delivery]) -> dict:
    """The objects of `queryset` bound to the delivering devices, by device id."""
    return {
        o.device_id: o for o in queryset.filter(device_id__in={d.device_id for d in deliveries})
    }


def on_tailings(deliveries: list[Delivery]) -> None:
    points = _bound(MonitoringPoint.objects.select_related("pond__mine__unit"), deliveries)
    observations = []
    for d in deliveries:
        point = points.get(d.device_id)
        if point is None:
            continue
        value = d.values.get(point.item, d.values.get("value"))
        if isinstance(value, int | float) and not isinstance(value, bool):
            observations.append((point, float(value), d.time))
    if observations:
        services.observations_record(observations)


AIR_KEYS = ("o2", "co", "no2", "airflow", "temperature")


def on_underground(deliveries: list[Delivery]) -> None:
    states = _bound(GasState.objects.select_related("zone__mine__unit"), deliveries)
    for d in deliveries:
        state = states.get(d.device_id)
        if state is None:
            continue
        values = {
            k: float(d.values[k])
            for k in AIR_KEYS
            if isinstance(d.values.get(k), int | float) and not isinstance(d.values.get(k), bool)
        }
        if values:
            services.air_record(state=state, values=values, at=d.time)


def _number(value) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _counter(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None


def on_machines(deliveries: list[Delivery]) -> None:
    """`machine_state`/`line_counter`: `state` (run, stop, idle, fault) with its `reason`, and
    the cumulative counters `total` and `reject` (or `good`, the reject being total − good)."""
    machines = _bound(Machine.objects.select_related("line__unit"), deliveries)
    readings = []
    for d in deliveries:
        machine = machines.get(d.device_id)
        if machine is None:
            continue
        state = d.values.get("state")
        state = state if state in MachineState.values else None
        total, reject = _counter(d.values.get("total")), _counter(d.values.get("reject"))
        good = _counter(d.values.get("good"))
        if reject is None and good is not None and total is not None and good <= total:
            reject = total - good
        if state is None and total is None and reject is None:
            continue
        reason = d.values.get("reason")
        readings.append(
            MachineReading(
                machine=machine,
                at=d.time,
                state=state,
                reason=reason if isinstance(reason, str) else "",
                total=total,
                reject=reject,
            )
        )
    if readings:
        services.machine_readings_record(readings)


def on_trucks(deliveries: list[Delivery]) -> None:
    """`haul_truck`: `state` (empty, queueing, loading, loaded, dumping, idle, down), `lat`,
    `lon` (WGS84), `payload` (t), and optionally `loader` (where it queues or loads) and
    `target` (the loader it is sent to), as loader codes."""
    trucks = _bound(HaulTruck.objects.select_related("mine"), deliveries)
    readings = []
    for d in deliveries:
        truck = trucks.get(d.device_id)
        if truck is None:
            continue
        state = d.values.get("state")
        lat, lon = _number(d.values.get("lat")), _number(d.values.get("lon"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        loader, target = d.values.get("loader"), d.values.get("target")
        readings.append(
            TruckReading(
                truck=truck,
                at=d.time,
                state=state if state in TruckState.values else None,
                latitude=lat,
                longitude=lon,
                payload_t=_number(d.values.get("payload")),
                loader=loader if isinstance(loader, str) else "",
                target=target if isinstance(target, str) else "",
            )
        )
    if readings:
        services.truck_readings_record(readings)
