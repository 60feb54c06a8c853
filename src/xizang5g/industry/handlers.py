"""IoT subscriptions: tailings monitoring points and underground air sensors."""

from __future__ import annotations

from xizang5g.industry import services
from xizang5g.industry.models import GasState, MonitoringPoint
from xizang5g.iot.hooks import Delivery


def on_tailings(deliveries: list[Delivery]) -> None:
    points = {
        p.device_id: p
        for p in MonitoringPoint.objects.select_related("pond__mine__unit").filter(
            device_id__in={d.device_id for d in deliveries}
        )
    }
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
    states = {
        s.device_id: s
        for s in GasState.objects.select_related("zone__mine__unit").filter(
            device_id__in={d.device_id for d in deliveries}
        )
    }
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
