"""Demo data of the industry app (【演示数据】): the Jiama copper mine with its tailings pond,
underground zones, haul fleet (today's and yesterday's shifts of cycles), the enterprise's
identifier credential and a few identifiers; a water-bottling line near Lhasa with the same two
days of machine states and counters."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import Unit
from xizang5g.industry import handles, services
from xizang5g.industry.demo import (
    POINTS,
    build_bottling_line,
    build_jiama,
    fleet_history,
    line_history,
    slope_history,
)
from xizang5g.industry.models import HandleUser, LineHour, MonitoringPoint, TruckCycle, Zone

DEMO_PREFIX = "88.118.8"
DEMO_HANDLE_PASSWORD = "Jiama-Demo-Handle-2026"
LABEL = "【演示数据】"


class Command(BaseCommand):
    help = "Load the industry app's demo data (idempotent)."

    def handle(self, *args, **options):
        unit, _created = Unit.objects.get_or_create(
            code="jiama-copper",
            defaults={"name": f"{LABEL}西藏华泰龙矿业开发有限公司", "kind": UnitKind.ENTERPRISE},
        )
        mine = build_jiama(unit, label=LABEL)
        normal = {code: value for code, _item, value in POINTS}
        now = timezone.now()
        services.observations_record(
            [
                (point, normal[point.code], now)
                for point in MonitoringPoint.objects.filter(pond__mine=mine).select_related("pond")
            ]
        )
        slope_history(mine, now=now)
        zones = list(Zone.objects.filter(mine=mine, restricted=False))
        names = ["扎西", "次仁", "达瓦", "尼玛", "格桑", "旺堆", "平措", "央金", "拉巴", "普布"]
        for n, name in enumerate(names * 2):
            services.presence_seen(
                zone=zones[n % len(zones)], card=f"K{n:04d}", person=f"{name}{n // len(names) + 1}"
            )
        if not HandleUser.objects.filter(prefix=DEMO_PREFIX).exists():
            handles.handle_user_create(
                unit=unit, prefix=DEMO_PREFIX, name="ADMIN", password=DEMO_HANDLE_PASSWORD
            )
        rows = [
            {
                "suffix": "ORE-2026-1203-01",
                "kind": "ore_batch",
                "url": "https://jiama.example/ore/01",
                "metadata": {"cu_pct": 0.62, "tonnes": 5200},
            },
            {
                "suffix": "CONC-2026-1203-01",
                "kind": "ore_batch",
                "url": "https://jiama.example/conc/01",
                "parent": f"{DEMO_PREFIX}/ORE-2026-1203-01",
                "metadata": {"cu_pct": 24.1},
            },
            {
                "suffix": "CEMENT-42.5-0098",
                "kind": "cement_lot",
                "url": "https://cement.example/0098",
            },
            {"suffix": "WATER-5100-7781", "kind": "water_lot", "url": "https://water.example/7781"},
        ]
        handles.identifiers_register(unit=unit, prefix=DEMO_PREFIX, rows=rows, user=None)
        if not TruckCycle.objects.filter(truck__mine=mine).exists():
            fleet_history(mine, now=now)
        water, _created = Unit.objects.get_or_create(
            code="lhasa-water",
            defaults={"name": f"{LABEL}拉萨高原饮用水有限公司", "kind": UnitKind.ENTERPRISE},
        )
        line = build_bottling_line(water, label=LABEL)
        if not LineHour.objects.filter(line=line).exists():
            line_history(line, now=now)
        self.stdout.write(
            f"industry demo: {mine.name}, {line.name}; Handle writer 300:{DEMO_PREFIX}/ADMIN "
            f"password {DEMO_HANDLE_PASSWORD}"
        )
