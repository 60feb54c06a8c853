"""What frost watch does with telemetry: store temperatures, and warn of frost."""

import threading

from tests.testapp.apps import FROST_SOURCE
from tests.testapp.models import Observation
from xizang5g.core.models import Unit
from xizang5g.core.services import alert_raise, alert_resolve
from xizang5g.iot.hooks import Delivery, RuleFiring

# Tests switch the subscriber into failing to see how the hub isolates it.
failing = threading.Event()


def on_temperatures(deliveries: list[Delivery]) -> None:
    if failing.is_set():
        raise RuntimeError("frost watch is down")
    Observation.objects.bulk_create(
        [
            Observation(
                device_id=d.device_id,
                msg_id=d.msg_id,
                time=d.time,
                temperature=d.values["temperature"],
            )
            for d in deliveries
            if "temperature" in d.values
        ],
        ignore_conflicts=True,  # at least once: a redelivery is stored once
    )


def on_frost(firing: RuleFiring) -> None:
    key = f"frost:{firing.device_id}"
    if firing.firing:
        alert_raise(
            source=FROST_SOURCE,
            dedup_key=key,
            title=f"{firing.device_name}: frost",
            message=firing.message,
            unit=Unit(pk=firing.unit_id),
        )
    else:
        from xizang5g.core.models import Alert

        for alert in Alert.objects.filter(dedup_key=key).exclude(state="resolved"):
            alert_resolve(alert=alert, note=firing.message)
