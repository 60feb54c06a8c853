import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xizang5g.health.demo import simulated_monitors
from xizang5g.iot.simulators import Fleet


class Command(BaseCommand):
    help = "Simulated ambulance monitors posting vitals over MQTT every second (demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default=None, help="broker URL (default MQTT_URL, else the embedded port)"
        )
        parser.add_argument(
            "--period", type=float, default=1.0, help="seconds between a monitor's posts"
        )
        parser.add_argument(
            "--seconds", type=float, default=0, help="stop after this long (0: until signalled)"
        )

    def handle(self, *args, url, period, seconds, **options):
        url = url or settings.MQTT_URL or f"mqtt://127.0.0.1:{settings.XZ5G_EMBEDDED_MQTT_PORT}"
        devices = simulated_monitors(period=period)
        if not devices:
            raise CommandError("no demo monitors: run `xizang5g health_demo` first")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        fleet = Fleet(
            url, devices, mqtt5=bool(settings.MQTT_URL), auth=not settings.MQTT_URL
        ).start()
        self.stdout.write(f"simulating {len(devices)} ambulance monitors on {url}")
        stop.wait(seconds or None)
        fleet.stop()
        self.stdout.write(f"published {fleet.published} messages")
