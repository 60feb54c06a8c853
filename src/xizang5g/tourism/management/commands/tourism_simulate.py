"""Gate counters and car-park sensors of the demo spots: cumulative entries and exits published over
MQTT as the demo gate devices (to the embedded broker of the demo, or MQTT_URL), with the day's
arrivals following weekly, yearly, holiday and festival curves; car parks counted directly."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from xizang5g.iot.simulators import Behaviour, Fleet, SimDevice, demo_secret
from xizang5g.tourism import demo, services, simulation
from xizang5g.tourism.models import CarPark, Gate, SpotState


class GateBehaviour(Behaviour):
    """A zone's gate: the zone's share of the spot's arrivals today, cumulative since opening."""

    def params(self, now, dt):
        spot = demo.BY_CODE[self.state["spot"]]
        local = timezone.localtime(now)
        arrivals = demo.today_arrivals(spot, local.date())
        entries, exits = demo.counts_at(
            spot, self.state["share"], arrivals, simulation.local_hour(local)
        )
        return {"entries": entries, "exits": exits}


def fleet_devices(period: float) -> list[SimDevice]:
    devices = []
    for gate in Gate.objects.select_related("zone__spot", "device__product").filter(
        device__product__product_key=demo.GATE_PRODUCT_KEY, zone__spot__code__in=demo.BY_CODE
    ):
        shares = demo.zone_shares(gate.zone.spot)
        behaviour = GateBehaviour(
            rng=None, state={"spot": gate.zone.spot.code, "share": shares[gate.zone.code]}
        )
        devices.append(
            SimDevice(
                demo.GATE_PRODUCT_KEY,
                gate.device.name,
                demo_secret(demo.GATE_PRODUCT_KEY, gate.device.name),
                behaviour,
                period,
                bad_ratio=0,
            )
        )
    return devices


def car_parks_count() -> None:
    """Occupied spaces follow the spot's occupancy (sensor or barrier counts in production)."""
    states = {s.spot_id: s for s in SpotState.objects.select_related("spot")}
    for park in CarPark.objects.filter(spot__code__in=demo.BY_CODE):
        state = states.get(park.spot_id)
        load = (
            state.occupancy / state.spot.capacity_instant
            if state and state.spot.capacity_instant
            else 0
        )
        services.car_park_count(
            park=park, occupied=round(park.spaces * min(1.0, 0.15 + 1.6 * load))
        )


class Command(BaseCommand):
    help = "Simulate the demo spots' gate counters (MQTT) and car parks until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=float, default=10.0, help="seconds between counts")
        parser.add_argument(
            "--url", default=None, help="broker URL (default: MQTT_URL or the embedded broker)"
        )

    def handle(self, *args, period, url, **options):
        embedded = not settings.MQTT_URL
        url = url or settings.MQTT_URL or f"mqtt://127.0.0.1:{settings.XZ5G_EMBEDDED_MQTT_PORT}"
        devices = fleet_devices(period)
        if not devices:
            self.stderr.write("no demo gates: run `xizang5g tourism_demo` first")
            return
        fleet = Fleet(url, devices, mqtt5=not embedded, auth=embedded).start()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_a: stop.set())
        self.stdout.write(f"tourism simulator: {len(devices)} gates → {url}, every {period:g} s")
        while not stop.wait(30):
            car_parks_count()
        fleet.stop()
