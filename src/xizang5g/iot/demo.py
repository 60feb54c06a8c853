"""The IoT demo set: six products of the plan's pilots, devices on the demo projects, rules, and a few
hours of history so the charts are not empty right after `make demo`. Idempotent."""

import json
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import Pilot, Unit
from xizang5g.iot import services
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.iot.models import Device, Product, Reading, Rule
from xizang5g.iot.simulators import BEHAVIOURS, SimDevice, demo_secret


def _num(identifier, name, kind="float", low=None, high=None, unit="", step=None):
    specs = {
        k: v
        for k, v in (("min", low), ("max", high), ("unit", unit), ("step", step))
        if v not in (None, "")
    }
    return {
        "identifier": identifier,
        "name": name,
        "accessMode": "r",
        "dataType": {"type": kind, "specs": specs},
    }


POSITION = {
    "identifier": "position",
    "name": "位置",
    "accessMode": "r",
    "dataType": {
        "type": "struct",
        "specs": [
            {
                "identifier": "lat",
                "name": "纬度",
                "dataType": {"type": "double", "specs": {"min": -90, "max": 90}},
            },
            {
                "identifier": "lon",
                "name": "经度",
                "dataType": {"type": "double", "specs": {"min": -180, "max": 180}},
            },
        ],
    },
}


def _too_high(key, value):
    return lambda params: {**params, key: value}


DEMO_PRODUCTS = [
    {
        "product_key": "xzScenicGate",
        "name": "景区闸机客流计数器",
        "industry": "culture-tourism",
        "keyword": "布达拉宫",
        "behaviour": "gate",
        "period": 10,
        "prefix": "gate-",
        "count": 4,
        "lat": 29.6578,
        "lon": 91.1169,
        "alt": 3700,
        "location": "布达拉宫北广场",
        "bad_value": _too_high("occupancy", 180.0),
        "description": "景区出入口闸机：实时在园人数、进出人次，用于人流预警。",
        "thing_model": {
            "properties": [
                _num("inside", "在园人数", "int", 0, 20000, "人"),
                _num("entries", "进入人次", "int", 0, 5000, "人次"),
                _num("exits", "离开人次", "int", 0, 5000, "人次"),
                _num("occupancy", "承载率", "float", 0, 150, "%"),
            ],
            "events": [
                {
                    "identifier": "crowd_warning",
                    "name": "人流预警",
                    "type": "alert",
                    "outputData": [_num("occupancy", "承载率", "float", 0, 150, "%")],
                }
            ],
        },
        "rules": [
            {
                "name": "在园人数接近最大承载量",
                "kind": "threshold",
                "property": "occupancy",
                "threshold": 85,
                "hysteresis": 5,
                "severity": "major",
            },
            {"name": "闸机数据中断", "kind": "no_data", "minutes": 5, "severity": "minor"},
        ],
    },
    {
        "product_key": "xzTailings",
        "name": "尾矿库在线监测终端",
        "industry": "mining",
        "keyword": "矿",
        "behaviour": "tailings",
        "period": 10,
        "prefix": "pond-",
        "count": 3,
        "lat": 29.6830,
        "lon": 91.6530,
        "alt": 4600,
        "location": "甲玛矿区尾矿库",
        "bad_value": _too_high("seepage", -5.0),
        "description": "尾矿库库水位、浸润线渗流量、坝体位移、降雨量在线监测（GB 51108 安全监测）。",
        "thing_model": {
            "properties": [
                _num("water_level", "库水位", "float", 0, 60, "m"),
                _num("seepage", "渗流量", "float", 0, 200, "L/s"),
                _num("displacement", "坝体位移", "float", -50, 50, "mm"),
                _num("rainfall", "降雨强度", "float", 0, 200, "mm/h"),
            ],
            "events": [
                {
                    "identifier": "overflow_risk",
                    "name": "漫坝风险",
                    "type": "error",
                    "outputData": [_num("water_level", "库水位", "float", 0, 60, "m")],
                }
            ],
        },
        "rules": [
            {
                "name": "库水位超警戒",
                "kind": "threshold",
                "property": "water_level",
                "threshold": 20.5,
                "hysteresis": 0.5,
                "severity": "critical",
            },
            {
                "name": "库水位陡升",
                "kind": "rate",
                "property": "water_level",
                "rate_per_minute": 0.5,
                "severity": "major",
            },
            {
                "name": "渗流量异常",
                "kind": "range",
                "property": "seepage",
                "low": 0.5,
                "high": 8,
                "hysteresis": 0.5,
                "severity": "major",
            },
            {
                "name": "漫坝风险事件",
                "kind": "event",
                "event_identifier": "overflow_risk",
                "severity": "critical",
            },
        ],
    },
    {
        "product_key": "xzYakCollar",
        "name": "牦牛北斗/GPS项圈",
        "industry": "agriculture",
        "keyword": "牦牛",
        "behaviour": "yak",
        "period": 15,
        "prefix": "yak-",
        "count": 8,
        "lat": 31.52,
        "lon": 92.10,
        "alt": 4510,
        "location": "那曲色尼区草场",
        "bad_value": _too_high("body_temp", 55.0),
        "description": "牦牛定位项圈：位置、速度、活动量、体温、电量。",
        "thing_model": {
            "properties": [
                POSITION,
                _num("altitude", "海拔", "float", 0, 9000, "m"),
                _num("speed", "速度", "float", 0, 60, "km/h"),
                {
                    "identifier": "activity",
                    "name": "活动状态",
                    "accessMode": "r",
                    "dataType": {"type": "enum", "specs": {"0": "休息", "1": "采食"}},
                },
                _num("body_temp", "体温", "float", 30, 45, "°C"),
                _num("battery", "电量", "float", 0, 100, "%"),
            ]
        },
        "rules": [
            {
                "name": "牦牛体温异常",
                "kind": "range",
                "property": "body_temp",
                "low": 37.5,
                "high": 39.8,
                "hysteresis": 0.2,
                "severity": "major",
            },
            {
                "name": "项圈电量低",
                "kind": "threshold",
                "property": "battery",
                "comparison": "below",
                "threshold": 15,
                "hysteresis": 5,
                "severity": "minor",
            },
        ],
    },
    {
        "product_key": "xzBarnEnv",
        "name": "畜舍环境传感器",
        "industry": "agriculture",
        "keyword": "牦牛",
        "behaviour": "barn",
        "period": 15,
        "prefix": "barn-",
        "count": 2,
        "lat": 31.48,
        "lon": 92.05,
        "alt": 4500,
        "location": "色尼区牦牛育肥场",
        "bad_value": _too_high("humidity", 140.0),
        "description": "温湿度、氨气、二氧化碳。",
        "thing_model": {
            "properties": [
                _num("temperature", "温度", "float", -40, 60, "°C"),
                _num("humidity", "相对湿度", "float", 0, 100, "%RH"),
                _num("nh3", "氨气浓度", "float", 0, 100, "ppm"),
                _num("co2", "二氧化碳浓度", "int", 0, 10000, "ppm"),
            ]
        },
        "rules": [
            {
                "name": "畜舍氨气超标",
                "kind": "threshold",
                "property": "nh3",
                "threshold": 25,
                "hysteresis": 5,
                "severity": "major",
            }
        ],
    },
    {
        "product_key": "xzAmbulance",
        "name": "5G救护车生命体征监护仪",
        "industry": "medical",
        "keyword": "急救",
        "behaviour": "ambulance",
        "period": 5,
        "prefix": "amb-",
        "count": 2,
        "lat": 29.65,
        "lon": 91.13,
        "alt": 3650,
        "location": "拉萨市急救中心",
        "bad_value": _too_high("spo2", 130.0),
        "description": "院前急救监护：心率、血氧（海拔3650米，基线低于平原）、血压、位置。",
        "thing_model": {
            "properties": [
                _num("heart_rate", "心率", "int", 0, 300, "bpm"),
                _num("spo2", "血氧饱和度", "float", 0, 100, "%"),
                _num("bp_sys", "收缩压", "int", 0, 300, "mmHg"),
                _num("bp_dia", "舒张压", "int", 0, 200, "mmHg"),
                POSITION,
            ]
        },
        "rules": [
            {
                "name": "血氧过低（高海拔阈值）",
                "kind": "threshold",
                "property": "spo2",
                "comparison": "below",
                "threshold": 85,
                "hysteresis": 2,
                "severity": "critical",
                "description": "拉萨（3650米）健康成人SpO₂约88–95%，阈值按海拔下调。",
            }
        ],
    },
    {
        "product_key": "xzParkMeter",
        "name": "园区智能电表",
        "industry": "park",
        "keyword": "聂当",
        "behaviour": "meter",
        "period": 15,
        "prefix": "meter-",
        "count": 3,
        "lat": 29.58,
        "lon": 90.93,
        "alt": 3600,
        "location": "聂当园区",
        "bad_value": _too_high("voltage", 900.0),
        "description": "有功功率、电能、电压。",
        "thing_model": {
            "properties": [
                _num("power", "有功功率", "float", 0, 5000, "kW"),
                _num("energy", "累计电能", "double", 0, None, "kWh"),
                _num("voltage", "电压", "float", 0, 500, "V"),
            ]
        },
        "rules": [
            {
                "name": "园区负荷过高",
                "kind": "threshold",
                "property": "power",
                "threshold": 600,
                "hysteresis": 50,
                "severity": "minor",
            }
        ],
    },
]


def _pilot_for(spec: dict):
    """The demo pilot a demo product serves (when plan supervision's demo is loaded)."""
    pilots = Pilot.objects.filter(is_demo=True, industry_code=spec["industry"]).order_by("code")
    return pilots.filter(name__contains=spec["keyword"]).first() or pilots.first()


def _industry(code: str):
    """The industry of the plan's catalogue a product belongs to, through the product's own
    relation (the catalogue is plan supervision's)."""
    return Product._meta.get_field("industry").related_model.objects.filter(code=code).first()


def _fallback_unit() -> Unit:
    unit, _ = Unit.objects.get_or_create(
        code="iot-demo-operator",
        defaults={"name": "物联网演示运营单位", "kind": UnitKind.ENTERPRISE},
    )
    return unit


def iot_demo_load(*, history_hours: int = 6, stdout=None) -> dict:

    report = {"products": 0, "devices": 0, "rules": 0, "readings": 0}
    for spec in DEMO_PRODUCTS:
        project = _pilot_for(spec)
        unit = project.lead_unit if project is not None else _fallback_unit()
        with transaction.atomic():
            product = Product.objects.filter(product_key=spec["product_key"]).first()
            if product is None:
                product = services.product_create(
                    name=spec["name"],
                    description=spec["description"],
                    thing_model=spec["thing_model"],
                    unit=unit,
                    industry=_industry(spec["industry"]),
                    product_key=spec["product_key"],
                )
                report["products"] += 1
            for number in range(1, spec["count"] + 1):
                name = f"{spec['prefix']}{number:03d}"
                if Device.objects.filter(product=product, name=name).exists():
                    continue
                rng = random.Random(name)
                services.device_create(
                    product=product,
                    name=name,
                    unit=unit,
                    project=project,
                    label=f"{spec['location']} {number}号",
                    location=spec["location"],
                    lat=round(spec["lat"] + rng.uniform(-0.01, 0.01), 6),
                    lon=round(spec["lon"] + rng.uniform(-0.01, 0.01), 6),
                    altitude_m=spec["alt"],
                    secret=demo_secret(product.product_key, name),
                )
                report["devices"] += 1
            for rule in spec["rules"]:
                if not Rule.objects.filter(product=product, name=rule["name"]).exists():
                    services.rule_create(product=product, **rule)
                    report["rules"] += 1
        if history_hours and not Reading.objects.filter(device__product=product).exists():
            report["readings"] += _history(product, spec, hours=history_hours)
    if report["readings"]:
        services.rollups_refresh()  # the history's charts work before any worker runs
    return report


def _history(product, spec: dict, *, hours: int) -> int:
    """Replay the simulator over the last hours (one point a minute) through the ingest path."""

    now = timezone.now()
    stored = 0
    for device in product.devices.all():
        behaviour = BEHAVIOURS[spec["behaviour"]](
            random.Random(f"{product.product_key}/{device.name}")
        )
        batch = []
        for minute in range(hours * 60, 0, -1):
            at = now - timedelta(minutes=minute)
            params = behaviour.params(at, 60.0)
            stamp = int(at.timestamp() * 1000)
            body = {
                "id": f"hist-{stamp}",
                "time": stamp,
                "params": params,
                "method": "thing.event.property.post",
            }
            batch.append(Inbound(product.product_key, device.name, "property", json.dumps(body)))
        for start in range(0, len(batch), 500):
            outcomes = ingest_batch(batch[start : start + 500], evaluate_rules=False)
            stored += sum(1 for o in outcomes if o.code == 200)
    return stored


def demo_fleet_devices(*, speedup: float = 1.0) -> list[SimDevice]:
    """The demo devices from the database (products created by iot_demo), with their behaviour."""
    kinds = {spec["product_key"]: spec for spec in DEMO_PRODUCTS}
    devices = []
    for device in Device.objects.filter(
        product__product_key__in=kinds, enabled=True
    ).select_related("product"):
        spec = kinds[device.product.product_key]
        rng = random.Random(f"{device.product.product_key}/{device.name}")
        devices.append(
            SimDevice(
                device.product.product_key,
                device.name,
                demo_secret(device.product.product_key, device.name),
                BEHAVIOURS[spec["behaviour"]](rng),
                period=spec["period"] / speedup,
                bad_value=spec.get("bad_value"),
            )
        )
    return devices
