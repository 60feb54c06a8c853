"""The security demo set (all systems flagged is_demo and named 【演示】): protected systems, log
sources, the shipped rules, a day of synthetic traffic with an attack and a personal-information leak,
incidents at different stages, inspections and crypto assessments. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from xizang5g.core.audit import acting_as
from xizang5g.core.choices import Role, UnitKind
from xizang5g.core.constants import DEMO_PASSWORD
from xizang5g.core.models import Alert, Pilot, Unit, User
from xizang5g.core.services import user_create
from xizang5g.security import services, simulate
from xizang5g.security.models import (
    CryptoAssessment,
    Incident,
    InformationSystem,
    Inspection,
    LogSource,
    SecurityEvent,
)

UNITS = [
    (
        "cac",
        "中共西藏自治区委员会网络安全和信息化委员会办公室",
        "区党委网信办",
        UnitKind.PARTY_COMMITTEE_OFFICE,
    ),
    ("health", "西藏自治区卫生健康委员会", "区卫生健康委", UnitKind.DEPARTMENT),
    ("tourism-dept", "西藏自治区旅游发展厅", "区旅游发展厅", UnitKind.DEPARTMENT),
    ("econ-it", "西藏自治区经济和信息化厅", "区经济和信息化厅", UnitKind.DEPARTMENT),
    ("lhasa-gov", "拉萨市人民政府", "拉萨市人民政府", UnitKind.PREFECTURE_GOVERNMENT),
]
# code, name, unit, level, filing, three-sync flags, personal, important, hosts, industry
SYSTEMS = [
    (
        "demo-his",
        "【演示】远程诊疗与电子病历平台",
        "health",
        3,
        "assessed",
        (1, 1, 1),
        True,
        True,
        ["ls-hospital-app01"],
        "healthcare",
    ),
    (
        "demo-edu",
        "【演示】智慧教育公共服务平台",
        "econ-it",
        2,
        "filed",
        (1, 1, 0),
        True,
        False,
        ["ls-edu-web01"],
        "education",
    ),
    (
        "demo-mine",
        "【演示】矿区安全监控系统",
        "econ-it",
        3,
        "filed",
        (1, 0, 0),
        False,
        True,
        ["nq-mine-gw01"],
        "mining",
    ),
    (
        "demo-park",
        "【演示】智慧园区数据中心",
        "lhasa-gov",
        3,
        "graded",
        (1, 1, 1),
        True,
        True,
        ["sn-park-db01"],
        "park",
    ),
    (
        "demo-tour",
        "【演示】智慧文旅票务与人流预警平台",
        "tourism-dept",
        2,
        "not_graded",
        (0, 0, 0),
        True,
        False,
        ["rkz-tour-web01"],
        "culture-tourism",
    ),
    (
        "demo-fw",
        "【演示】自治区电子政务外网边界防护",
        "cac",
        4,
        "assessed",
        (1, 1, 1),
        False,
        True,
        ["fw-lhasa-01"],
        "",
    ),
]


@dataclass
class DemoReport:
    systems: int = 0
    events: int = 0
    detections: int = 0
    incidents: int = 0


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    spec = next(u for u in UNITS if u[0] == code)
    unit = Unit.objects.filter(name=spec[1]).first()
    return unit or Unit.objects.create(code=spec[0], name=spec[1], short_name=spec[2], kind=spec[3])


def _operator() -> User:
    user = User.objects.filter(role=Role.SECURITY_OPERATOR, is_active=True).order_by("pk").first()
    if user is not None:
        return user

    return user_create(
        username="secops",
        password=DEMO_PASSWORD,
        role=Role.SECURITY_OPERATOR,
        unit=_unit("cac"),
        full_name="安全值班 央金",
    )


def demo_load(*, now: datetime | None = None) -> DemoReport:
    now = now or datetime.now(UTC)
    report = DemoReport()
    with acting_as(None):
        operator = _operator()
    services.sigma_rules_sync()

    services.events_partitions_ensure()
    with acting_as(operator), transaction.atomic():
        systems = {}
        for (
            code,
            name,
            unit_code,
            level,
            filing,
            sync,
            personal,
            important,
            hosts,
            industry,
        ) in SYSTEMS:
            system = InformationSystem.objects.filter(code=code).first()
            if system is None:
                system = services.system_create(
                    code=code,
                    name=name,
                    owner_unit=_unit(unit_code),
                    user=operator,
                    mlps_level=level,
                    filing_status=filing,
                    filing_number=f"54010099{report.systems:03d}-2026"
                    if filing in ("filed", "assessed")
                    else "",
                    security_planned=bool(sync[0]),
                    security_built=bool(sync[1]),
                    security_operated=bool(sync[2]),
                    holds_personal_data=personal,
                    holds_important_data=important,
                    is_demo=True,
                    description="演示数据：用于展示安全态势感知功能。",
                )
                report.systems += 1
                _link_pilots(system, industry)
            systems[code] = system
            if not LogSource.objects.filter(code=f"{code}-syslog").exists():
                category = (
                    "network"
                    if code == "demo-fw"
                    else ("web" if code in ("demo-edu", "demo-tour") else "linux")
                )
                services.log_source_create(
                    code=f"{code}-syslog",
                    name=f"{name} syslog",
                    kind="syslog",
                    category=category,
                    system=system,
                    hosts=hosts,
                    user=operator,
                )
        if not LogSource.objects.filter(code="demo-his-api").exists():
            services.log_source_create(
                code="demo-his-api",
                name="【演示】诊疗平台应用日志 (HTTP)",
                kind="http",
                category="application",
                system=systems["demo-his"],
                user=operator,
                scan_personal_info=True,
            )
        _inspections(systems, operator, now)
    if (
        not SecurityEvent.objects.filter(system__code__startswith="demo-").exists()
        and not SecurityEvent.objects.filter(host__in=simulate.HOSTS).exists()
    ):
        for hour in range(24, 0, -1):
            # Five minutes inside each hour, so the first hour is still in a dashboard's last-24-h
            # window for a while after loading.
            start = now - timedelta(hours=hour) + timedelta(minutes=5)
            lines = simulate.benign_lines(120, start=start, seed=hour)
            result = services.syslog_ingest(lines=lines, peer="10.0.0.5:514")
            report.events += result.stored
        lines = simulate.attack_lines(start=now - timedelta(hours=2, minutes=10))
        for i in range(0, len(lines), 10):
            result = services.syslog_ingest(lines=lines[i : i + 10], peer="10.0.0.5:514")
            report.events += result.stored
            report.detections += len(result.detections)
        source = LogSource.objects.get(code="demo-his-api")
        items, _valid = simulate.leak_items(valid_count=12, start=now - timedelta(minutes=50))
        result = services.http_batch_ingest(source=source, items=items)
        report.events += result.stored
        report.detections += len(result.detections)
        services.syslog_ingest(
            lines=[b"this is not syslog", b"<13>\xff\xfe broken encoding", b"<200>bad priority"],
            peer="10.0.0.77:40000",
        )
    report.incidents = _incidents(operator, now)
    return report


def _link_pilots(system: InformationSystem, industry: str) -> None:
    """The demo system serves up to two demo pilots of its industry (if plan's demo is loaded)."""
    if industry:
        system.pilots.set(Pilot.objects.filter(is_demo=True, industry_code=industry)[:2])


def _inspections(systems: dict, operator, now: datetime) -> None:
    today = timezone.localdate()
    if not Inspection.objects.filter(system__code__startswith="demo-").exists():
        done = services.inspection_create(
            system=systems["demo-his"],
            title="2026年第三季度等保安全检查",
            scheduled_for=today - timedelta(days=60),
            user=operator,
            inspector_unit=_unit("cac"),
        )
        services.inspection_complete(
            inspection=done,
            user=operator,
            done_on=today - timedelta(days=58),
            summary="发现弱口令与日志留存不足两项问题。",
        )
        weak = services.finding_create(
            inspection=done,
            title="运维账号使用弱口令",
            severity="high",
            rectification_due=today - timedelta(days=30),
            user=operator,
        )
        services.finding_rectify(
            finding=weak, user=operator, rectified_on=today - timedelta(days=35)
        )
        services.finding_create(
            inspection=done,
            title="安全日志留存不足六个月（《网络安全法》第二十一条）",
            severity="medium",
            rectification_due=today - timedelta(days=5),
            user=operator,
        )
        services.inspection_create(
            system=systems["demo-tour"],
            title="旅游旺季前专项检查",
            scheduled_for=today + timedelta(days=14),
            user=operator,
            inspector_unit=_unit("cac"),
        )
        services.inspection_create(
            system=systems["demo-mine"],
            title="矿区工控安全检查",
            scheduled_for=today + timedelta(days=30),
            user=operator,
        )
    if not CryptoAssessment.objects.filter(system__code__startswith="demo-").exists():
        services.crypto_assessment_create(
            system=systems["demo-his"],
            user=operator,
            assessed_on=today - timedelta(days=200),
            agency="【演示】西藏商用密码应用安全性评估机构",
            report_number="MP-2026-0012",
            result="basically",
            score=78.5,
            next_due=today + timedelta(days=165),
        )
        services.crypto_assessment_create(
            system=systems["demo-fw"],
            user=operator,
            assessed_on=today - timedelta(days=90),
            agency="【演示】西藏商用密码应用安全性评估机构",
            report_number="MP-2026-0031",
            result="conforms",
            score=91,
            next_due=today + timedelta(days=275),
        )


def _incidents(operator, now: datetime) -> int:
    if Incident.objects.filter(is_demo=True).exists():
        return 0
    created = 0
    brute = (
        Alert.objects.filter(rule="correlation:brute-force-then-success")
        .exclude(state="resolved")
        .first()
    )
    if brute is not None:
        incident = services.incident_create_from_alert(alert=brute, user=operator, level="III")
        incident.is_demo = True
        incident.save()
        services.incident_transition(
            incident=incident,
            to_state="triage",
            user=operator,
            note="确认攻击源 203.0.113.66 暴力破解后成功登录 deploy 账号。",
        )
        services.incident_transition(
            incident=incident,
            to_state="containment",
            user=operator,
            note="已封禁来源地址，冻结 deploy 账号，隔离 sn-park-db01。",
        )
        created += 1
    leak = Alert.objects.filter(rule="pi_leak:pi-leak").exclude(state="resolved").first()
    if leak is not None:
        incident = services.incident_create_from_alert(alert=leak, user=operator, level="II")
        incident.is_demo = True
        incident.save()
        created += 1
    scan = (
        Alert.objects.filter(rule__startswith="sigma:")
        .exclude(state="resolved")
        .order_by("pk")
        .first()
    )
    if scan is not None:
        incident = services.incident_create_from_alert(alert=scan, user=operator, level="IV")
        incident.is_demo = True
        incident.save()
        services.incident_transition(
            incident=incident,
            to_state="closed",
            user=operator,
            closing_reason="false_positive",
            note="授权的渗透测试（演示）。",
        )
        created += 1
    manual = services.incident_create(
        title="【演示】园区机房市电中断导致业务中断",
        category="equipment",
        level="IV",
        responsible_unit=_unit("lhasa-gov"),
        user=operator,
        is_demo=True,
        description="UPS 切换正常，柴油发电机启动延迟 12 分钟。",
    )
    services.incident_transition(incident=manual, to_state="triage", user=operator)
    return created + 1
