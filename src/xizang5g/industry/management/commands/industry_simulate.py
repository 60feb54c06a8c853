"""Simulators of the demo, publishing through the IoT hub's ingest every --every seconds: the
Jiama tailings pond's monitoring points and underground air sensors (a slow rise of the pond
after rain crosses the GB 51108 blue and yellow levels, then recedes), the haul trucks (state,
position, payload; a dispatcher's assignment is followed) and the machines of the bottling line
(state with reason, counters). See industry.simulation for the truck and line models."""

import math
import random
import time
import uuid

from django.core.management.base import BaseCommand
from django.utils import timezone

from xizang5g.industry.demo import FLEET_SEED, LINE_SEED, POINTS, fleet_sim, history_start
from xizang5g.industry.models import (
    Assignment,
    GasState,
    HaulTruck,
    Machine,
    MachineStatus,
    Mine,
    MonitoringPoint,
    ProductionLine,
)
from xizang5g.industry.simulation import LineSim
from xizang5g.iot.ingest import Inbound, ingest_batch


class Command(BaseCommand):
    help = "Publish simulated tailings, underground, haul-truck and machine telemetry."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=10.0)
        parser.add_argument("--rounds", type=int, default=0, help="0: run until stopped")

    def handle(self, *args, every, rounds, **options):
        normal = {code: value for code, _item, value in POINTS}
        rng = random.Random(5)
        fleets = self._fleets()
        lines = self._lines()
        n = 0
        while rounds == 0 or n < rounds:
            now = timezone.now()
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
            for mine, sim, devices, since in fleets:
                for a in Assignment.objects.filter(mine=mine, created_at__gt=since[0]):
                    sim.targets[a.truck.code] = a.loader.code  # the driver follows the dispatcher
                since[0] = now
                for r in sim.run(now, every_s=every):
                    if r["truck"] in devices:
                        values = {k: v for k, v in r.items() if k not in ("truck", "at")}
                        batch.append(self._message(devices[r["truck"]], values, at=r["at"]))
            for sim, devices in lines:
                for r in sim.run(now, every_s=every):
                    if r["machine"] in devices:
                        values = {k: r[k] for k in ("state", "reason", "total", "reject")}
                        batch.append(self._message(devices[r["machine"]], values, at=r["at"]))
            if batch:
                ingest_batch(batch)
            n += 1
            if rounds == 0 or n < rounds:
                time.sleep(every)

    @staticmethod
    def _fleets():
        out = []
        start = timezone.now()
        for mine in Mine.objects.filter(loaders__isnull=False).distinct():
            trucks = HaulTruck.objects.filter(mine=mine, device__isnull=False)
            devices = {t.code: t.device for t in trucks.select_related("device__product")}
            if devices:
                # replay from where the demo's history began, so the trucks go on from the
                # states the demo left them in (the readings of the replay are not sent)
                sim = fleet_sim(mine, start=history_start(start, mine.shift_start), seed=FLEET_SEED)
                sim.run(start, every_s=3600)
                out.append((mine, sim, devices, [start]))
        return out

    @staticmethod
    def _lines():
        out = []
        start = timezone.now()
        for line in ProductionLine.objects.all():
            machines = Machine.objects.filter(line=line, device__isnull=False)
            devices = {m.code: m.device for m in machines.select_related("device__product")}
            counters = {
                s.machine.code: (s.total or 0, s.reject or 0)
                for s in MachineStatus.objects.filter(machine__line=line).select_related("machine")
            }
            if devices:
                sim = LineSim(
                    start=history_start(start, line.shift_start),
                    ideal_cycle_s=line.ideal_cycle_s,
                    seed=LINE_SEED,
                )
                sim.run(start, every_s=3600)  # as for the fleet; the counters go on from the hub's
                for code, (total, reject) in counters.items():
                    sim.total[code], sim.reject[code] = float(total), float(reject)
                out.append((sim, devices))
        return out

    @staticmethod
    def _message(device, values, at=None):
        body = {
            "id": uuid.uuid4().hex[:12],
            "version": "1.0",
            "params": values,
            "method": "thing.event.property.post",
        }
        if at is not None:
            body["time"] = int(at.timestamp() * 1000)
        return Inbound(device.product.product_key, device.name, "property", body)
