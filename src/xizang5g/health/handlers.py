"""What the health app does with telemetry: the ambulance monitor's vitals (capability
"vital_signs") are scored with NEWS2 on the ingest worker, kept, and a medium or high response
alerts the receiving hospital; the monitor's position moves the ambulance."""

from __future__ import annotations

from collections import defaultdict

from xizang5g.health import services
from xizang5g.health.models import Ambulance
from xizang5g.iot.hooks import Delivery


def on_vitals(deliveries: list[Delivery]) -> None:
    by_device: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_device[delivery.device_id].append(delivery)
    ambulances = list(Ambulance.objects.filter(device_id__in=by_device))
    services.vitals_record_batch(
        {a: [(d.msg_id, d.time, d.values) for d in by_device[a.device_id]] for a in ambulances}
    )
    for ambulance in ambulances:
        located = [
            d
            for d in by_device[ambulance.device_id]
            if d.values.get("lon") is not None and d.values.get("lat") is not None
        ]
        if located:
            last = max(located, key=lambda d: d.time)
            services.ambulance_move(
                ambulance=ambulance,
                lon=float(last.values["lon"]),
                lat=float(last.values["lat"]),
                at=last.time,
            )
