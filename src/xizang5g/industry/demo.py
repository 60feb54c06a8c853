"""The Jiama copper mine of the demo (and of the tests): an enterprise, its open-pit and
underground mine at 4,600 m, a tailings pond with its design values and monitoring points bound
to IoT devices, underground zones with air sensors, a haul fleet (loaders and trucks on the IoT
hub) and an identifier credential; and a water-bottling line near Lhasa. The `*_history`
functions replay the simulators (`industry.simulation`) over today's and yesterday's shifts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from xizang5g.core.models import Unit
from xizang5g.industry import services, shifts, simulation
from xizang5g.industry.choices import DamType, MachineKind, MineKind, MonitoringItem, Shift
from xizang5g.industry.models import (
    HaulTruck,
    Loader,
    Machine,
    Mine,
    ProductionLine,
    SlopePoint,
)
from xizang5g.industry.services.factory import MachineReading
from xizang5g.industry.services.haulage import TruckReading
from xizang5g.iot import services as iot_services
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.iot.models import Product

TAILINGS_MODEL = {
    "capabilities": ["tailings_monitor"],
    "properties": [
        {"identifier": item, "name": item, "dataType": {"type": "float", "specs": {}}}
        for item in MonitoringItem.values
    ],
}
AIR_MODEL = {
    "capabilities": ["mine_gas"],
    "properties": [
        {"identifier": key, "name": key, "dataType": {"type": "float", "specs": {}}}
        for key in ("o2", "co", "no2", "airflow", "temperature")
    ],
}
# (code, item, normal value) for the points of the pond
POINTS = [
    ("JZ-01", MonitoringItem.PHREATIC, 9.2),
    ("JZ-02", MonitoringItem.PHREATIC, 8.8),
    ("JZ-03", MonitoringItem.PHREATIC, 9.5),
    ("JZ-04", MonitoringItem.PHREATIC, 8.9),
    ("WY-01", MonitoringItem.SURFACE_DISPLACEMENT, 12.0),
    ("WY-02", MonitoringItem.SURFACE_DISPLACEMENT, 18.0),
    ("WY-03", MonitoringItem.SURFACE_DISPLACEMENT, 9.0),
    ("NB-01", MonitoringItem.INTERNAL_DISPLACEMENT, 6.0),
    ("GT-01", MonitoringItem.BEACH_LENGTH, 140.0),
    ("SW-01", MonitoringItem.WATER_LEVEL, 4618.5),
    ("YL-01", MonitoringItem.RAINFALL, 4.0),
]
SLOPE_MODEL = {
    "capabilities": ["slope_radar"],
    "properties": [
        {"identifier": "displacement", "name": "位移", "dataType": {"type": "float", "specs": {}}}
    ],
}
SLOPE_POINTS = ("SP-01", "SP-02", "SP-03")
ZONES = [
    ("1号竖井井底车场", 30, False),
    ("4520 中段采场", 12, False),
    ("4480 中段采场", 12, False),
    ("炸药库", 3, True),
]
FLEET = {
    "trucks": 12,
    "loaders": [
        {"name": "EX-1 北采场", "load_min": 4.0, "travel_min": 8.0},
        {"name": "EX-2 南采场", "load_min": 5.0, "travel_min": 15.0},
        {"name": "EX-3 东扩帮", "load_min": 3.5, "travel_min": 10.0},
    ],
}
# the live fleet: the same loaders placed in the pit, the dump (primary crusher) by the mill
LOADER_PLACES = {"EX-1": (29.7420, 91.6930), "EX-2": (29.7260, 91.6890), "EX-3": (29.7350, 91.7080)}
DUMP = (29.7330, 91.7190)
TRUCK_CAPACITY_T = 90.0
TRUCK_MODEL = {
    "capabilities": ["haul_truck"],
    "properties": [
        {
            "identifier": "state",
            "name": "状态",
            "dataType": {"type": "text", "specs": {"length": 16}},
        },
        {"identifier": "lat", "name": "纬度", "dataType": {"type": "double", "specs": {}}},
        {"identifier": "lon", "name": "经度", "dataType": {"type": "double", "specs": {}}},
        {"identifier": "payload", "name": "载重", "dataType": {"type": "float", "specs": {}}},
        {
            "identifier": "loader",
            "name": "装载机",
            "dataType": {"type": "text", "specs": {"length": 32}},
        },
        {
            "identifier": "target",
            "name": "去向",
            "dataType": {"type": "text", "specs": {"length": 32}},
        },
    ],
}
MACHINE_MODEL = {
    "capabilities": ["machine_state", "line_counter"],
    "properties": [
        {
            "identifier": "state",
            "name": "状态",
            "dataType": {"type": "text", "specs": {"length": 8}},
        },
        {
            "identifier": "reason",
            "name": "原因",
            "dataType": {"type": "text", "specs": {"length": 100}},
        },
        {"identifier": "total", "name": "累计产量", "dataType": {"type": "int", "specs": {}}},
        {"identifier": "good", "name": "合格数", "dataType": {"type": "int", "specs": {}}},
        {"identifier": "reject", "name": "剔除数", "dataType": {"type": "int", "specs": {}}},
    ],
}
LINE_CODE = "lhasa-water-l1"
FLEET_SEED, LINE_SEED = 11, 7  # the demo's replays, which the live simulator continues
# 24,000 bottles (550 ml) an hour at the filler's rated speed
BOTTLING_IDEAL_CYCLE_S = 0.15


def build_jiama(unit: Unit, *, label: str = "") -> Mine:
    """Create the mine (idempotent on its name)."""
    name = f"{label}甲玛铜多金属矿"
    found = Mine.objects.filter(name=name).first()
    if found:
        if not Loader.objects.filter(mine=found).exists():  # a mine of an earlier demo
            found.dump_latitude, found.dump_longitude = DUMP
            found.save()
            build_fleet(found, unit)
        return found
    mine = services.mine_create(
        unit=unit,
        name=name,
        kind=MineKind.COMBINED,
        mineral="铜、钼、金",
        elevation_m=4600,
        latitude=29.73,
        longitude=91.70,
        fleet=FLEET,
        user=None,
    )
    pond = services.pond_create(
        mine=mine,
        name=f"{label}甲玛尾矿库（角木沟）",
        grade=2,
        dam_type=DamType.UPSTREAM,
        min_phreatic_depth_m=6.0,
        min_beach_length_m=100.0,
        production_level_m=4620.0,
        flood_control_level_m=4623.0,
        max_flood_level_m=4625.0,
        displacement_limit_mm=100.0,
        user=None,
    )
    # product names are unique across the platform: one per enterprise
    tailings_name, air_name = f"尾矿库在线监测终端 {unit.code}", f"井下环境监测分站 {unit.code}"
    tailings = Product.objects.filter(name=tailings_name).first()
    tailings = tailings or iot_services.product_create(
        name=tailings_name, thing_model=TAILINGS_MODEL, unit=unit
    )
    air = Product.objects.filter(name=air_name).first()
    air = air or iot_services.product_create(name=air_name, thing_model=AIR_MODEL, unit=unit)
    for code, item, _normal in POINTS:
        device, _secret = iot_services.device_create(
            product=tailings, name=f"jiama-{code.lower()}-{mine.pk}", unit=unit, label=code
        )
        services.point_create(pond=pond, code=code, item=item, device=device, user=None)
    radar_name = f"边坡雷达 {unit.code}"
    radar = Product.objects.filter(name=radar_name).first()
    radar = radar or iot_services.product_create(
        name=radar_name, thing_model=SLOPE_MODEL, unit=unit
    )
    for code in SLOPE_POINTS:
        device, _secret = iot_services.device_create(
            product=radar, name=f"jiama-{code.lower()}-{mine.pk}", unit=unit, label=code
        )
        services.slope_point_create(mine=mine, code=code, device=device, user=None)
    for zone_name, capacity, restricted in ZONES:
        zone = services.zone_create(
            mine=mine, name=zone_name, capacity=capacity, restricted=restricted, user=None
        )
        if not restricted:
            device, _secret = iot_services.device_create(
                product=air, name=f"jiama-air-{zone.pk}", unit=unit, label=zone_name
            )
            services.gas_sensor_bind(zone=zone, device=device, user=None)
    mine.dump_latitude, mine.dump_longitude = DUMP
    mine.save()
    build_fleet(mine, unit)
    return mine


def build_fleet(mine: Mine, unit: Unit) -> None:
    """The loaders of FLEET placed in the pit, and FLEET["trucks"] haul trucks with terminals."""
    product_name = f"矿卡5G终端 {unit.code}"
    product = Product.objects.filter(name=product_name).first()
    product = product or iot_services.product_create(
        name=product_name, thing_model=TRUCK_MODEL, unit=unit
    )
    for entry in FLEET["loaders"]:
        code, name = entry["name"].split(" ", 1)
        lat, lon = LOADER_PLACES[code]
        services.loader_create(
            mine=mine,
            code=code,
            name=name,
            load_min=entry["load_min"],
            travel_min=entry["travel_min"],
            latitude=lat,
            longitude=lon,
            user=None,
        )
    for n in range(1, FLEET["trucks"] + 1):
        code = f"T{n:02d}"
        device, _secret = iot_services.device_create(
            product=product, name=f"jiama-truck-{code.lower()}-{mine.pk}", unit=unit, label=code
        )
        services.truck_create(
            mine=mine, code=code, capacity_t=TRUCK_CAPACITY_T, device=device, user=None
        )


def build_bottling_line(unit: Unit, *, label: str = "", code: str = LINE_CODE) -> ProductionLine:
    """A water-bottling line in the Lhasa economic and technological development zone (idempotent
    on its code): filler (the constraint), capper and labeller, each on the IoT hub."""
    found = ProductionLine.objects.filter(code=code).first()
    if found:
        return found
    line = services.line_create(
        unit=unit,
        code=code,
        name=f"{label}拉萨经开区饮用水厂 1号灌装线",
        name_bo=f"{label}ལྷ་སའི་ཆུ་བཟོ་གྲྭ། ཐིག་ ༡",
        name_en=f"{label}Lhasa bottled-water plant, line 1",
        product="550 ml 饮用天然水",
        ideal_cycle_s=BOTTLING_IDEAL_CYCLE_S,
        planned_shifts=[Shift.DAY, Shift.NIGHT],
        latitude=29.612,
        longitude=91.004,
        user=None,
    )
    product_name = f"产线设备采集网关 {unit.code}"
    product = Product.objects.filter(name=product_name).first()
    product = product or iot_services.product_create(
        name=product_name, thing_model=MACHINE_MODEL, unit=unit
    )
    kinds = {"filler": MachineKind.FILLER, "capper": MachineKind.CAPPER}
    for position, (mcode, kind, name, *_rest) in enumerate(simulation.LINE_MACHINES, start=1):
        device, _secret = iot_services.device_create(
            product=product, name=f"{code}-{mcode.lower()}", unit=unit, label=f"{mcode} {name}"
        )
        services.machine_create(
            line=line,
            code=mcode,
            name=name,
            kind=kinds.get(kind, MachineKind.LABELLER),
            position=position,
            constraint=mcode == "F1",
            device=device,
            user=None,
        )
    return line


def history_start(now: datetime, shift_start) -> datetime:
    """The start of yesterday's day shift (so today's and yesterday's shifts have data)."""
    current = shifts.shift_at(now, shift_start)
    day = current.day - timedelta(days=1)
    return shifts.span(day, Shift.DAY, shift_start).start


def line_history(line: ProductionLine, *, now: datetime, seed: int = LINE_SEED) -> int:
    """Replay the bottling line from the start of yesterday's day shift to `now` through the
    factory services (a reading every 5 min and at each state change); returns the readings."""
    machines = {m.code: m for m in Machine.objects.filter(line=line).select_related("line__unit")}
    start = history_start(now, line.shift_start)
    sim = simulation.LineSim(start=start, ideal_cycle_s=line.ideal_cycle_s, seed=seed)
    count = 0
    cursor = start
    while cursor < now:
        step = min(cursor + timedelta(hours=2), now)
        rows = sim.run(step, every_s=300)
        readings = [
            MachineReading(
                machine=machines[r["machine"]],
                at=r["at"],
                state=r["state"],
                reason=r["reason"],
                total=r["total"],
                reject=r["reject"],
            )
            for r in rows
            if r["machine"] in machines
        ]
        services.machine_readings_record(readings, now=step)
        count += len(readings)
        cursor = step
    return count


def fleet_sim(mine: Mine, *, start: datetime, seed: int = FLEET_SEED) -> simulation.FleetSim:
    loaders = [
        simulation.SimLoader(ld.code, ld.latitude, ld.longitude, ld.load_min, ld.travel_min)
        for ld in Loader.objects.filter(mine=mine, latitude__isnull=False, longitude__isnull=False)
    ]
    trucks = list(HaulTruck.objects.filter(mine=mine).values_list("code", flat=True))
    dump = (mine.dump_latitude or DUMP[0], mine.dump_longitude or DUMP[1])
    return simulation.FleetSim(
        loaders=loaders,
        trucks=trucks,
        dump=dump,
        start=start,
        shift_start=mine.shift_start,
        capacity_t=TRUCK_CAPACITY_T,
        seed=seed,
    )


def fleet_history(mine: Mine, *, now: datetime, seed: int = FLEET_SEED) -> int:
    """Replay the haul fleet from the start of yesterday's day shift to `now` through the
    haulage services (a reading every 2 min and at each state change); returns the readings."""
    trucks = {t.code: t for t in HaulTruck.objects.filter(mine=mine).select_related("mine")}
    start = history_start(now, mine.shift_start)
    sim = fleet_sim(mine, start=start, seed=seed)
    count = 0
    cursor = start
    while cursor < now:
        step = min(cursor + timedelta(hours=2), now)
        readings = [truck_reading(trucks[r["truck"]], r) for r in sim.run(step, every_s=120)]
        services.truck_readings_record(readings)
        count += len(readings)
        cursor = step
    return count


def truck_reading(truck: HaulTruck, r: dict) -> TruckReading:
    return TruckReading(
        truck=truck,
        at=r["at"],
        state=r["state"],
        latitude=r["lat"],
        longitude=r["lon"],
        payload_t=r["payload"],
        loader=r.get("loader", ""),
        target=r.get("target", ""),
    )


def slope_history(mine: Mine, *, now: datetime, failure_in_h: float = 20.0) -> None:
    """48 h of radar displacement every 2 h through the IoT ingest: SP-01 in accelerating creep
    towards failure `failure_in_h` hours from `now` (Fukuzono α = 2: 1/v = 0.01 (t_f − t)),
    the others creeping steadily."""
    messages = []
    for point in SlopePoint.objects.filter(mine=mine).select_related("device__product"):
        for step in range(25):
            t = -48.0 + 2 * step  # hours from now
            if point.code == "SP-01":
                value = -100.0 * math.log(failure_in_h - t) + 100.0 * math.log(failure_in_h + 48)
            else:
                value = 0.05 * (t + 48)
            at = now + timedelta(hours=t)
            body = {
                "id": f"slope-{point.pk}-{step}",
                "version": "1.0",
                "time": int(at.timestamp() * 1000),
                "params": {point.property: round(value, 3)},
                "method": "thing.event.property.post",
            }
            messages.append(
                Inbound(point.device.product.product_key, point.device.name, "property", body)
            )
    ingest_batch(messages)
