"""One long-running process for the IoT hub: broker (embedded), ingest worker, simulators."""

import gc
import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xizang5g.iot import services
from xizang5g.iot.auth import worker_password
from xizang5g.iot.constants import SHARED_GROUP, WORKER_USERNAME
from xizang5g.iot.demo import demo_fleet_devices
from xizang5g.iot.simulators import Fleet
from xizang5g.iot.worker import IngestWorker

logger = logging.getLogger(__name__)

MAINTENANCE_SECONDS = 3600


class Command(BaseCommand):
    help = (
        "Run the IoT hub: the embedded MQTT broker when MQTT_URL is not set (or with --embedded-broker), "
        "the ingest worker, and with --simulate the demo fleets. Stops cleanly on SIGTERM/SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--embedded-broker",
            action="store_true",
            help="run the embedded amqtt broker even when MQTT_URL is set",
        )
        parser.add_argument(
            "--simulate", action="store_true", help="also run the demo device fleets"
        )
        parser.add_argument(
            "--port", type=int, default=None, help="embedded broker port (XZ5G_EMBEDDED_MQTT_PORT)"
        )
        parser.add_argument(
            "--client-id", default=None, help="the worker's MQTT client id (persistent session)"
        )
        parser.add_argument(
            "--group", default=SHARED_GROUP, help="shared-subscription group on a real broker"
        )
        parser.add_argument(
            "--leave",
            action="store_true",
            help="on exit leave the shared group for good (scale-down) instead of keeping the session",
        )

    def handle(self, *args, embedded_broker, simulate, port, client_id, group, leave, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        broker = fleet = None
        embedded = embedded_broker or not settings.MQTT_URL
        if embedded:
            # amqtt loads only when this process runs the embedded broker.
            from xizang5g.iot.broker import EmbeddedBroker

            broker = EmbeddedBroker("127.0.0.1", port or settings.XZ5G_EMBEDDED_MQTT_PORT).start()
            url = broker.url
            worker = IngestWorker(
                url,
                mqtt5=False,
                shared=False,
                client_id=client_id or "xz5g-ingest-embedded",
                username=WORKER_USERNAME,
                password=worker_password(),
            )
            self.stdout.write(
                f"embedded MQTT broker (amqtt, MQTT 3.1.1) on {url}; plain subscription"
            )
        else:
            url = settings.MQTT_URL
            worker = IngestWorker(url, mqtt5=True, shared=True, client_id=client_id, group=group)
            self.stdout.write(f"ingest worker on {url} (MQTT 5, $share/{group}/…)")
        try:
            services.readings_partitions_ensure()
            services.devices_mark_offline()  # devices that went quiet while no worker ran
            worker.start()
            if simulate:
                devices = demo_fleet_devices()
                if devices:
                    fleet = Fleet(url, devices, mqtt5=not embedded, auth=embedded).start()
                    self.stdout.write(f"simulating {len(devices)} demo devices")
                else:
                    self.stdout.write("no demo devices to simulate (run `xizang5g iot_demo`)")
            # What the process has loaded by now (Django, models, the worker) lives to the end:
            # spare the cyclic garbage collector from walking it after every few thousand
            # allocations of message handling (about a fifth of ingest CPU otherwise).
            gc.freeze()
            self.stdout.write(self.style.SUCCESS("IoT hub running; Ctrl-C or SIGTERM to stop"))
            next_maintenance = time.monotonic() + MAINTENANCE_SECONDS
            while not stop.wait(1.0):
                if not worker.alive:  # exit non-zero so that the supervisor restarts it
                    raise CommandError(f"the ingest worker stopped: {worker.error}")
                if time.monotonic() >= next_maintenance:
                    next_maintenance = time.monotonic() + MAINTENANCE_SECONDS
                    try:
                        services.readings_partitions_ensure()
                        services.readings_retention_apply()
                    except Exception:
                        logger.exception("IoT maintenance failed")
        finally:
            self.stdout.write("stopping the IoT hub…")
            if fleet is not None:
                fleet.stop()
                time.sleep(1.5)  # let the worker store the devices' offline status
            worker.stop(leave=leave)
            if broker is not None:
                broker.stop()
            self.stdout.write(f"stopped ({worker.processed} messages ingested)")
