"""Gate counters on the IoT hub: products whose thing model declares `gate_counter` report the
cumulative `entries` and `exits` since the day's opening; each batch updates the spots once."""

from __future__ import annotations

from xizang5g.iot.hooks import Delivery
from xizang5g.tourism import services
from xizang5g.tourism.choices import CountSource
from xizang5g.tourism.models import Gate


def on_gate_counts(deliveries: list[Delivery]) -> None:
    wanted = [d for d in deliveries if "entries" in d.values and "exits" in d.values]
    if not wanted:
        return
    gates = {
        g.device_id: g
        for g in Gate.objects.select_related("zone__spot").filter(
            device_id__in={d.device_id for d in wanted}
        )
    }
    counts = [
        services.Count(
            zone=gates[d.device_id].zone,
            at=d.time,
            entries=int(d.values["entries"]),
            exits=int(d.values["exits"]),
            source=f"gate:{d.device_id}",
            kind=CountSource.GATE,
            msg_id=d.msg_id,
        )
        for d in wanted
        if d.device_id in gates and d.values["entries"] >= 0 and d.values["exits"] >= 0
    ]
    if counts:  # a redelivery is stored once (unique by zone, source and time)
        services.counts_record(counts)
