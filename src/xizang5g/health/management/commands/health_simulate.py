from django.core.management.base import BaseCommand, CommandError

from xizang5g.health.demo import simulated_monitors
from xizang5g.iot.simulators import run_fleet


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
        devices = simulated_monitors(period=period)
        if not devices:
            raise CommandError("no demo monitors: run `xizang5g health_demo` first")
        run_fleet(
            devices, url=url, seconds=seconds, what="ambulance monitors", write=self.stdout.write
        )
