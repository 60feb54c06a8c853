"""The Jiama copper mine of the demo (and of the tests): an enterprise, its open-pit and
underground mine at 4,600 m, a tailings pond with its design values and monitoring points bound
to IoT devices, underground zones with air sensors, a haul fleet and an identifier credential."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from xizang5g.core.models import Unit
from xizang5g.industry import services
from xizang5g.industry.choices import DamType, MineKind, MonitoringItem
from xizang5g.industry.models import Mine, SlopePoint
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


def build_jiama(unit: Unit, *, label: str = "") -> Mine:
    """Create the mine (idempotent on its name)."""
    name = f"{label}甲玛铜多金属矿"
    found = Mine.objects.filter(name=name).first()
    if found:
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
    return mine


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
