"""The tourism demo (【演示数据】): seven scenic spots of the issue with their zones and managing
units, gate counters on the IoT hub, car parks, VR scenes and live streams, two years of daily
tourism data, today's counts so far, and the forecasts. Idempotent."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.iot import services as iot
from xizang5g.iot.models import Device, Product
from xizang5g.iot.simulators import demo_secret
from xizang5g.tourism import forecast, services, simulation
from xizang5g.tourism.choices import ContentKind, CountSource
from xizang5g.tourism.models import DailyStat, Gate, ScenicSpot, Zone

GATE_PRODUCT_KEY = "xzTourismGate"
GATE_THING_MODEL = {
    "capabilities": ["gate_counter"],
    "properties": [
        {
            "identifier": "entries",
            "name": "累计进入人次",
            "accessMode": "r",
            "dataType": {"type": "int", "specs": {"min": 0, "max": 10000000, "unit": "人次"}},
        },
        {
            "identifier": "exits",
            "name": "累计离开人次",
            "accessMode": "r",
            "dataType": {"type": "int", "specs": {"min": 0, "max": 10000000, "unit": "人次"}},
        },
    ],
}

# Visitors' origin (operator signalling data): shares by province, for the demo.
ORIGINS = {
    "西藏": 0.22,
    "四川": 0.14,
    "广东": 0.09,
    "北京": 0.07,
    "上海": 0.06,
    "浙江": 0.06,
    "江苏": 0.05,
    "重庆": 0.05,
    "陕西": 0.04,
    "河南": 0.04,
    "湖北": 0.04,
    "青海": 0.03,
    "其他": 0.11,
}


@dataclass(frozen=True)
class DemoSpot:
    code: str
    name: str
    name_bo: str
    name_en: str
    a_level: int
    county: int
    lon: float
    lat: float
    altitude_m: float
    unit: tuple[str, str]  # code, name
    zones: list[tuple[str, str, float, float]]
    open_hours: float
    stay: float
    opens: float
    demand: simulation.Demand
    price: int
    cap_daily: int | None = None
    parks: list[tuple[str, float, float, int]] = field(default_factory=list)
    content: list[tuple[str, str, str]] = field(default_factory=list)


SPOTS = [
    DemoSpot(
        "potala",
        "布达拉宫",
        "པོ་ཏ་ལ་ཕོ་བྲང་།",
        "Potala Palace",
        5,
        540102,
        91.1175,
        29.6578,
        3700,
        ("potala-admin", "布达拉宫管理处"),
        [("interior", "宫殿内部", 6000, 4), ("square", "宫前广场与参观通道", 3000, 2)],
        8,
        2,
        9.5,
        simulation.Demand(4800, shoton=1.5, cap=5000),
        200,
        cap_daily=5000,
        parks=[
            ("北京中路停车场", 91.1130, 29.6560, 420),
            ("布达拉宫广场地下停车场", 91.1190, 29.6540, 600),
        ],
        content=[
            (ContentKind.VR, "布达拉宫VR全景导览", "全天"),
            (ContentKind.LIVE, "布达拉宫广场直播", "每日 09:00–18:00"),
        ],
    ),
    DemoSpot(
        "jokhang",
        "大昭寺",
        "ཇོ་ཁང་།",
        "Jokhang Temple",
        5,
        540102,
        91.1320,
        29.6530,
        3650,
        ("jokhang-admin", "大昭寺管理委员会"),
        [("hall", "主殿", 2500, 1.5), ("kora", "转经道", 100, 3)],
        9.5,
        2.5,
        9.0,
        simulation.Demand(3600, losar=1.6, shoton=1.3),
        85,
        parks=[("八廓街北停车场", 91.1300, 29.6560, 180)],
        content=[(ContentKind.LIVE, "大昭寺广场直播", "每日 10:00–17:00")],
    ),
    DemoSpot(
        "norbulingka",
        "罗布林卡",
        "ནོར་བུ་གླིང་ཁ།",
        "Norbulingka",
        4,
        540102,
        91.0950,
        29.6500,
        3650,
        ("norbulingka-admin", "罗布林卡管理处"),
        [("garden", "园林", 120000, 10), ("palace", "宫殿", 3000, 3)],
        9,
        3,
        9.5,
        simulation.Demand(3000, shoton=3.0),
        60,
        parks=[("罗布林卡停车场", 91.0970, 29.6480, 300)],
        content=[(ContentKind.VR, "雪顿节藏戏VR", "雪顿节期间")],
    ),
    DemoSpot(
        "namtso",
        "纳木错",
        "གནམ་མཚོ།",
        "Namtso",
        4,
        540122,
        90.6,
        30.72,
        4718,
        ("namtso-admin", "纳木错景区管理局"),
        [("lakeshore", "扎西半岛湖岸", 500000, 20)],
        10,
        3,
        9.0,
        simulation.Demand(2500, winter=0.08),
        120,
        parks=[("扎西半岛停车场", 90.6100, 30.7150, 500)],
        content=[
            (ContentKind.VR, "纳木错星空VR", "全天"),
            (ContentKind.LIVE, "纳木错湖畔直播", "每日 08:00–20:00"),
        ],
    ),
    DemoSpot(
        "yamdrok",
        "羊卓雍措",
        "ཡར་འབྲོག་གཡུ་མཚོ།",
        "Yamdrok Lake",
        4,
        540531,
        90.7,
        28.95,
        4441,
        ("yamdrok-admin", "羊卓雍措景区管理局"),
        [("viewpoint", "岗巴拉山口观景台", 20000, 5)],
        10,
        1.5,
        9.0,
        simulation.Demand(3000, winter=0.15),
        60,
        parks=[("岗巴拉观景台停车场", 90.6900, 28.9600, 350)],
        content=[(ContentKind.VR, "羊湖全景VR", "全天")],
    ),
    DemoSpot(
        "basongcuo",
        "巴松措",
        "འབྲག་གསུམ་མཚོ།",
        "Basum Tso",
        5,
        540421,
        93.9,
        30.0,
        3480,
        ("basumtso-admin", "巴松措景区管理局"),
        [("lake", "湖区与扎西岛", 200000, 15)],
        9,
        4,
        9.0,
        simulation.Demand(2000),
        120,
        parks=[("巴松措游客中心停车场", 93.9100, 29.9900, 400)],
        content=[(ContentKind.VR, "巴松措VR导览", "全天")],
    ),
    DemoSpot(
        "everest-base-camp",
        "珠峰大本营",
        "ཇོ་མོ་གླང་མའི་རྟེན་གཞི་སྒར།",
        "Everest Base Camp",
        4,
        540223,
        86.85,
        28.14,
        5200,
        ("qomolangma-admin", "珠穆朗玛峰景区管理局"),
        [("camp", "大本营", 30000, 10)],
        12,
        2,
        8.0,
        simulation.Demand(1200, winter=0.05),
        180,
        cap_daily=3000,
        parks=[("大本营停车场", 86.8500, 28.1450, 150)],
        content=[
            (ContentKind.LIVE, "珠峰5G直播", "每日 07:00–20:00"),
            (ContentKind.VR, "珠峰登山VR", "全天"),
        ],
    ),
]
BY_CODE = {s.code: s for s in SPOTS}
HISTORY_DAYS = 730


def _unit(code: str, name: str, parent: Unit | None) -> Unit:
    unit, _created = Unit.objects.get_or_create(
        code=code,
        defaults={"name": name, "short_name": name, "kind": UnitKind.INSTITUTION, "parent": parent},
    )
    return unit


def tourism_department() -> Unit:
    unit = services.tourism_department()
    if unit is None:
        unit, _created = Unit.objects.get_or_create(
            code="tourism-dept",
            defaults={
                "name": "西藏自治区旅游发展厅",
                "short_name": "区旅游发展厅",
                "kind": UnitKind.DEPARTMENT,
            },
        )
    return unit


def zone_shares(spot: ScenicSpot) -> dict[str, float]:
    zones = list(Zone.objects.filter(spot=spot))
    total = sum(z.capacity_instant for z in zones) or 1
    return {z.code: z.capacity_instant / total for z in zones}


def gate_name(spot_code: str, zone_code: str) -> str:
    return f"{spot_code}-{zone_code}"[:64]


def today_arrivals(demo: DemoSpot, day) -> int:
    return simulation.daily_arrivals(
        demo.demand, day, 1, seed=hash((demo.code, day.toordinal())) & 0xFFFF
    )[0]


def counts_at(demo: DemoSpot, share: float, arrivals: int, hour: float) -> tuple[int, int]:
    close = demo.opens + demo.open_hours
    return simulation.cumulative_counts(
        round(arrivals * share), hour, stay_hours=demo.stay, opens=demo.opens, closes=close
    )


@transaction.atomic
def load(*, history_days: int = HISTORY_DAYS, with_forecast: bool = True) -> dict:
    dept = tourism_department()
    product = Product.objects.filter(product_key=GATE_PRODUCT_KEY).first()
    if product is None:
        product = iot.product_create(
            name="景区闸机累计客流计数器【演示】",
            thing_model=GATE_THING_MODEL,
            unit=None,  # a platform product: every spot's managing unit registers its gates
            product_key=GATE_PRODUCT_KEY,
        )
    today = timezone.localdate()
    spots = []
    for demo in SPOTS:
        unit = _unit(*demo.unit, dept)
        spot, _created = services.spot_save(
            user=None,
            code=demo.code,
            name=demo.name,
            zones=[services.ZoneInput(*z) for z in demo.zones],
            open_hours=demo.open_hours,
            average_stay_hours=demo.stay,
            cap_daily=demo.cap_daily,
            managing_unit=unit,
            name_bo=demo.name_bo,
            name_en=demo.name_en,
            a_level=demo.a_level,
            county=AdminDivision.objects.filter(adcode=demo.county).first(),
            lon=demo.lon,
            lat=demo.lat,
            altitude_m=demo.altitude_m,
            ticket_price_yuan=Decimal(demo.price),
            opening_hours=[
                {
                    "season": "旺季 5–10月",
                    "open": f"{int(demo.opens):02d}:{int(demo.opens % 1 * 60):02d}",
                    "close": f"{int(demo.opens + demo.open_hours) % 24:02d}:00",
                },
            ],
            is_demo=True,
        )
        spots.append(spot)
        for zone in Zone.objects.filter(spot=spot):
            name = gate_name(spot.code, zone.code)
            device = Device.objects.filter(product=product, name=name).first()
            if device is None:
                device, _secret = iot.device_create(
                    product=product,
                    name=name,
                    unit=unit,
                    label=f"{spot.name}·{zone.name} 闸机",
                    secret=demo_secret(GATE_PRODUCT_KEY, name),
                )
            if not Gate.objects.filter(device=device).exists():
                services.gate_attach(user=None, zone=zone, device=device)
        for n, (name, lon, lat, spaces) in enumerate(demo.parks):
            services.car_park_save(
                user=None,
                spot=spot,
                code=f"{spot.code}-p{n + 1}",
                name=name,
                lon=lon,
                lat=lat,
                spaces=spaces,
            )
        for kind, title, schedule in demo.content:
            services.content_save(
                user=None,
                spot=spot,
                title=title,
                kind=kind,
                schedule=schedule,
                url=f"https://vr.xizang-demo.cn/{spot.code}/{kind}",
                available=True,
            )
        _history(demo, spot, today, history_days)
        _recent_days(demo, spot)
    forecasts = forecast.forecasts_refresh() if with_forecast else {}
    return {"spots": len(spots), **forecasts}


def _history(demo: DemoSpot, spot: ScenicSpot, today, days: int) -> None:
    start = today - timedelta(days=days)
    have = set(DailyStat.objects.filter(spot=spot, date__gte=start).values_list("date", flat=True))
    arrivals = simulation.daily_arrivals(demo.demand, start, days, seed=sum(map(ord, demo.code)))
    rng = random.Random(demo.code)
    rows = []
    for n, visitors in enumerate(arrivals):
        day = start + timedelta(days=n)
        if day in have:
            continue
        origins = {p: round(visitors * share) for p, share in ORIGINS.items()}
        rows.append(
            DailyStat(
                spot=spot,
                date=day,
                visitors=visitors,
                revenue_yuan=Decimal(visitors * demo.price) * Decimal("0.92"),  # concessions
                stay_hours=round(demo.stay * rng.uniform(0.85, 1.2), 2),
                origins=origins,
            )
        )
    DailyStat.objects.bulk_create(rows, ignore_conflicts=True)


def _recent_days(demo: DemoSpot, spot: ScenicSpot) -> None:
    """Yesterday's gate counts and today's so far, every 10 minutes, so the live chart starts
    filled at any hour (before today's opening it shows yesterday)."""
    now = timezone.localtime()
    for day in (now.date() - timedelta(days=1), now.date()):
        _gate_counts(demo, spot, day, until=now)


def _gate_counts(demo: DemoSpot, spot: ScenicSpot, day, *, until: datetime) -> None:
    arrivals = today_arrivals(demo, day)
    shares = zone_shares(spot)
    zones = {z.code: z for z in Zone.objects.filter(spot=spot)}
    gates = {g.zone_id: g.device_id for g in Gate.objects.filter(zone__spot=spot)}
    at = datetime.combine(day, time(int(demo.opens)), tzinfo=until.tzinfo)
    end = min(until, at + timedelta(hours=demo.open_hours))
    while at <= end:
        counts = []
        for code, zone in zones.items():
            entries, exits = counts_at(demo, shares[code], arrivals, simulation.local_hour(at))
            counts.append(
                services.Count(
                    zone=zone,
                    at=at,
                    entries=entries,
                    exits=exits,
                    source=f"gate:{gates[zone.pk]}",
                    kind=CountSource.GATE,
                )
            )
        services.counts_record(counts, now=at)
        at += timedelta(minutes=10)
