"""Simulators of the demo: the Jiama tailings pond's monitoring points and underground air
sensors report every 10 s through the IoT hub's ingest; a slow rise of the pond after rain
crosses the GB 51108 blue and yellow levels, then recedes."""

import math
import random
import time
import uuid

from django.core.management.base import BaseCommand

from xizang5g.industry.demo import POINTS
from xizang5g.industry.models import GasState, MonitoringPoint
from xizang5g.iot.ingest import Inbound, ingest_batch


class Command(BaseCommand):
    help = "Publish simulated tailings and underground telemetry every --every seconds."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=10.0)
        parser.add_argument("--rounds", type=int, default=0, help="0: run until stopped")

    def handle(self, *args, every, rounds, **options):
        normal = {code: value for code, _item, value in POINTS}
        rng = random.Random(5)
        n = 0
        while rounds == 0 or n < rounds:
            phase = math.sin(n / 60 * math.pi)  # a 2-hour rise and fall at 10 s
            batch = []
            for point in MonitoringPoint.objects.select_related("device__product"):
                if point.device is None or point.code not in normal:
                    continue
                value = normal[point.code]
                if point.item == "water_level":
                    value += 2.6 * max(phase, 0.0)
                elif point.item == "rainfall":
                    value += 40 * max(phase, 0.0)
                value += rng.gauss(0, 0.02 * max(abs(value) % 100, 1))
                batch.append(self._message(point.device, {point.item: round(value, 3)}))
            for state in GasState.objects.select_related("device__product"):
                values = {
                    "o2": round(20.7 + rng.gauss(0, 0.05), 2),
                    "co": round(abs(rng.gauss(6, 2)), 1),
                    "no2": round(abs(rng.gauss(0.4, 0.1)), 2),
                    "airflow": round(1.1 + rng.gauss(0, 0.1), 2),
                    "temperature": round(17 + rng.gauss(0, 0.5), 1),
                }
                batch.append(self._message(state.device, values))
            if batch:
                ingest_batch(batch)
            n += 1
            if rounds == 0 or n < rounds:
                time.sleep(every)

    @staticmethod
    def _message(device, values):
        body = {
            "id": uuid.uuid4().hex[:12],
            "version": "1.0",
            "params": values,
            "method": "thing.event.property.post",
        }
        return Inbound(device.product.product_key, device.name, "property", body)
