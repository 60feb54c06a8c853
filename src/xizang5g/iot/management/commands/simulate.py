from django.core.management.base import BaseCommand, CommandError

from xizang5g.iot.demo import demo_fleet_devices
from xizang5g.iot.simulators import run_fleet


class Command(BaseCommand):
    help = "Run the demo device fleets over MQTT (gate counters, tailings ponds, yak collars, barns, …)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default=None, help="broker URL (default MQTT_URL, else the embedded port)"
        )
        parser.add_argument(
            "--speedup", type=float, default=1.0, help="publish this many times faster"
        )
        parser.add_argument(
            "--seconds", type=float, default=0, help="stop after this long (0: until signalled)"
        )

    def handle(self, *args, url, speedup, seconds, **options):
        devices = demo_fleet_devices(speedup=speedup)
        if not devices:
            raise CommandError("no demo devices: run `xizang5g iot_demo` first")
        run_fleet(devices, url=url, seconds=seconds, what="devices", write=self.stdout.write)
