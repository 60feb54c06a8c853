"""A small platform with two of everything: one object of each kind belonging to a unit that has a
demo user, one belonging to a unit that has none, and the platform-wide ones. The authorization
tests ask every role for every object."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.authz.extensions import populate
from tests.network.factories import build_region, build_terrain
from xizang5g.core.choices import AlertSeverity, AlertSource, Role
from xizang5g.core.models import AdminDivision, ImportJob, NotificationChannel, Unit, User
from xizang5g.core.services import alert_raise, divisions_load, user_create
from xizang5g.iot import services as iot
from xizang5g.network import services as network
from xizang5g.network.choices import StudyScope
from xizang5g.network.models import OperatorMonthlyReport
from xizang5g.plan import services as plan
from xizang5g.plan.loader import plan_load
from xizang5g.plan.models import Industry, Scenario
from xizang5g.security import services as security

PASSWORD = "Xz5g-Authz-Passw0rd!"
PLAN_FILE = Path(__file__).resolve().parents[2] / "src/xizang5g/plan/data/xizang-5g-2020.yaml"

# The demo roles (see plan/management/commands/demo_setup.py) and a unit editor whose account
# lost its unit.
ROLES = (
    "anonymous",
    "admin",
    "planoffice",
    "health",
    "cmcc",
    "leader",
    "regulator",
    "secops",
    "nounit",
)

THING_MODEL = {
    "properties": [
        {
            "identifier": "level",
            "name": "水位",
            "accessMode": "r",
            "dataType": {"type": "float", "specs": {"min": "0", "max": "100", "unit": "m"}},
        }
    ]
}


@dataclass
class World:
    users: dict[str, User | None] = field(default_factory=dict)
    objects: dict[str, list] = field(default_factory=dict)
    deleted: list = field(default_factory=list)  # (model, pk) of objects deleted after logging

    def add(self, name: str, *objects) -> None:
        self.objects.setdefault(name, []).extend(objects)


def _users(world: World, units: dict[str, Unit]) -> None:
    accounts = {
        "admin": (Role.PLAN_ADMIN, units["econ-it"]),
        "planoffice": (Role.PLAN_ADMIN, units["econ-it"]),
        "health": (Role.UNIT_EDITOR, units["health"]),
        "cmcc": (Role.UNIT_EDITOR, units["cm-xz"]),
        "leader": (Role.VIEWER, units["econ-it"]),
        "regulator": (Role.REGULATOR, units["comms-admin"]),
        "secops": (Role.SECURITY_OPERATOR, units["cac"]),
    }
    world.users["anonymous"] = None
    for username, (role, unit) in accounts.items():
        world.users[username] = user_create(
            username=username, password=PASSWORD, role=role, unit=unit
        )
    world.users["admin"].is_superuser = world.users["admin"].is_staff = True
    world.users["admin"].save()
    # A unit editor whose unit was removed: it must see nothing that belongs to a unit.
    nounit = User(username="nounit", role=Role.UNIT_EDITOR)
    nounit.set_password(PASSWORD)
    nounit.save()
    world.users["nounit"] = nounit


def _projects(world: World, units: dict[str, Unit], the_plan) -> None:
    office = world.users["planoffice"]
    lhasa = AdminDivision.objects.get(adcode=540100)
    medical = Industry.objects.get(code="medical")
    ours = plan.project_create(
        user=office,
        name="卫健委远程会诊项目",
        plan=the_plan,
        industry=medical,
        lead_unit=units["health"],
        operator=units["cm-xz"],
        prefecture=lhasa,
        lon=91.1,
        lat=29.6,
        declared_on=date(2020, 3, 1),
        m2m={"scenarios": list(Scenario.objects.filter(code="remote-diagnosis"))},
    )
    theirs = plan.project_create(
        user=office,
        name="拉萨市机密试点甲",
        plan=the_plan,
        industry=medical,
        lead_unit=units["lhasa-gov"],
        prefecture=lhasa,
        lon=91.2,
        lat=29.7,
        declared_on=date(2020, 3, 1),
    )
    world.add("project", ours, theirs)
    for project in (ours, theirs):
        world.add(
            "milestone",
            plan.milestone_create(
                project=project, user=office, title="专网开通", due_date=date(2020, 6, 30)
            ),
        )
        report = plan.report_save(
            project=project, user=office, period=date(2020, 5, 1), summary="进展"
        )
        world.add("report", report)
        world.add(
            "attachment",
            plan.attachment_add(
                report=report,
                user=office,
                upload=SimpleUploadedFile("evidence.pdf", b"%PDF-1.4 evidence"),
            ),
        )
        world.add("kpi", plan.kpi_save(project=project, user=office, name="会诊量", target=100))
    # A KPI of the other unit's project, deleted: its history must stay as private as it was.
    gone = plan.kpi_save(project=theirs, user=office, name="已删除指标", target=1)
    world.deleted.append((type(gone), gone.pk))
    gone.delete()


def _network(world: World, units: dict[str, Unit]) -> None:
    regulator = world.users["regulator"]
    build_terrain(regulator)
    operators = {code: units[code] for code in ("ct-xz", "cm-xz", "cu-xz")}
    region = build_region(regulator=regulator, operators=operators, broadcaster=units["radio-tv"])
    cells = region["cells"]
    sites = sorted({cell.site for cell in cells}, key=lambda s: s.code)
    world.add("site", *sites)
    world.add("cell", *cells)
    world.add("earth_station", *region["stations"])
    study = network.study_create(
        user=regulator,
        name="区域干扰计算",
        scope=StudyScope.STATIONS,
        earth_stations=region["stations"][:1],
        enqueue=False,
    )
    world.add("study", network.study_execute(study_id=study.pk))
    for operator in ("cm-xz", "ct-xz"):
        own_cells = [c for c in cells if c.operator_id == units[operator].pk][:1]
        case = network.case_open(
            user=regulator,
            earth_station=region["stations"][0],
            cells=own_cells,
            title=f"{operator} 干扰协调",
        )
        world.add("case", case)
        world.add(
            "case_document",
            network.case_add_document(
                user=regulator,
                case=case,
                title=f"{operator} 协调函",
                upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter"),
            ),
        )
    for site in sites:
        network.emf_assess_site(site=site, user=regulator, raise_alerts=False)
    for operator in ("cm-xz", "ct-xz"):
        report = OperatorMonthlyReport(
            operator=units[operator],
            prefecture=AdminDivision.objects.get(adcode=540100),
            month=date(2020, 5, 1),
            base_stations_5g=10,
            users_5g=100,
            terminal_users_5g=90,
            traffic_share_pct=5,
        )
        report.save()
        world.add("monthly_report", report)


def _iot(world: World, units: dict[str, Unit]) -> None:
    office = world.users["planoffice"]
    products = [
        iot.product_create(name=f"{code} 水位计", unit=units[code], thing_model=THING_MODEL)
        for code in ("health", "lhasa-gov")
    ]
    products.append(iot.product_create(name="平台通用水位计", thing_model=THING_MODEL))
    world.add("product", *products)
    for product in products[:2]:
        device, _secret = iot.device_create(
            product=product, name=f"dev-{product.unit.code}", unit=product.unit
        )
        world.add("device", device)
        world.add(
            "rule",
            iot.rule_create(
                product=product, name="水位过高", kind="threshold", property="level", threshold=80
            ),
        )
    world.add(
        "rule",
        iot.rule_create(
            product=products[2],
            name="平台水位规则",
            kind="threshold",
            property="level",
            threshold=90,
        ),
    )
    for code in ("health", "lhasa-gov"):
        channel = NotificationChannel(
            name=f"{code} 通知", kind="email", target=f"duty@{code}.example", unit=units[code]
        )
        channel.save()
        world.add("channel", channel)
    del office


def _security(world: World, units: dict[str, Unit]) -> None:
    secops = world.users["secops"]
    for code in ("health", "lhasa-gov"):
        system = security.system_create(
            code=f"sys-{code}",
            name=f"{code} 信息系统",
            owner_unit=units[code],
            user=secops,
            mlps_level=3,
            filing_status="filed",
        )
        world.add("system", system)
        alert, _ = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"authz:sec:{code}",
            title=f"{code} 暴力破解",
            severity=AlertSeverity.MAJOR,
            unit=units[code],
        )
        world.add("security_alert", alert)
        incident = security.incident_create(
            title=f"{code} 事件",
            category="attack",
            level="IV",
            responsible_unit=units[code],
            user=secops,
            systems=[system],
        )
        world.add("incident", incident)
        inspection = security.inspection_create(
            system=system, title=f"{code} 检查", scheduled_for=date(2020, 6, 1), user=secops
        )
        world.add(
            "finding",
            security.finding_create(
                inspection=inspection,
                title="弱口令",
                severity="high",
                rectification_due=timezone.localdate() - timedelta(days=1),
                user=secops,
            ),
        )
    world.add(
        "sigma_rule",
        security.sigma_rule_create(
            text=json.dumps(
                {
                    "title": "Authz test rule",
                    "id": "0f0e0d0c-0b0a-4909-8807-060504030201",
                    "status": "test",
                    "logsource": {"product": "linux", "service": "auth"},
                    "detection": {"sel": {"message|contains": "authz"}, "condition": "sel"},
                    "level": "low",
                }
            ),
            user=secops,
        ),
    )
    for code in ("health", "lhasa-gov"):
        alert, _ = alert_raise(
            source=AlertSource.DEVICE_RULE,
            dedup_key=f"authz:dev:{code}",
            title=f"{code} 设备告警",
            unit=units[code],
        )
        world.add("alert", alert)
    region_alert, _ = alert_raise(
        source=AlertSource.INTERFERENCE, dedup_key="authz:interference", title="全区干扰告警"
    )
    world.add("alert", region_alert)


def build_world() -> World:
    """Everything above, as the plan office, the regulator and the security operator made it."""
    divisions_load()
    the_plan = plan_load(path=PLAN_FILE).plan
    units = {unit.code: unit for unit in Unit.objects.all()}
    world = World()
    _users(world, units)
    _projects(world, units, the_plan)
    _network(world, units)
    _iot(world, units)
    _security(world, units)
    populate(world, units)  # each app's tests/<app>/authz.py
    for username in ("health", "cmcc"):
        job = ImportJob(
            importer="xizang5g.network.imports.stations",
            title="基站导入",
            user=world.users[username],
            filename=f"{username}-stations.xlsx",
            rows=1200,
        )
        job.save()
        world.add("import_job", job)
    world.plan = the_plan
    return world
