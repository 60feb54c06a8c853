"""Live evidence on a project page, in a real browser: the devices serving a pilot report, the page
charts their messages per day, and the plan's overview shows a silent pilot as not counted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import SCREENSHOTS, expect
from xizang5g.core.choices import Role
from xizang5g.core.models import AdminDivision, Pilot, Unit
from xizang5g.iot import services as iot
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.iot.models import MessageReceipt
from xizang5g.plan import services as plan
from xizang5g.plan.loader import plan_load
from xizang5g.plan.models import Industry, Scenario

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONITOR = {
    "properties": [
        {"identifier": "spo2", "name": "血氧", "dataType": {"type": "int", "specs": {"unit": "%"}}}
    ]
}


def _running_project(office, name: str, unit: Unit):
    today = timezone.localdate()
    project = plan.project_create(
        user=office,
        name=name,
        plan=plan_load(path="src/xizang5g/plan/data/xizang-5g-2020.yaml").plan,
        industry=Industry.objects.get(code="medical"),
        lead_unit=unit,
        prefecture=AdminDivision.objects.get(adcode=540100),
        declared_on=today - timedelta(days=200),
        start_date=today - timedelta(days=190),
        m2m={"scenarios": list(Scenario.objects.filter(code="remote-diagnosis"))},
    )
    plan.project_transition(
        project=project, to_state="approved", user=office, effective_on=today - timedelta(180)
    )
    plan.milestone_create(
        project=project, user=office, title="设备接入", due_date=today + timedelta(days=30)
    )
    plan.project_transition(
        project=project, to_state="building", user=office, effective_on=today - timedelta(170)
    )
    for months_back in range(6, 0, -1):
        plan.report_save(
            project=project,
            user=office,
            period=(today - timedelta(days=30 * months_back)).replace(day=1),
            summary="按计划推进",
            submit=True,
        )
    plan.project_transition(
        project=project, to_state="trial", user=office, effective_on=today - timedelta(days=40)
    )
    return project


def _reports(device, per_day: list[int]) -> None:
    """Messages on each of the last days (oldest first), as the ingest worker stores them."""
    now = timezone.now()
    for days_ago, count in zip(range(len(per_day) - 1, -1, -1), per_day, strict=True):
        ids = [f"d{days_ago}-{n}" for n in range(count)]
        ingest_batch(
            [
                Inbound(
                    device.product.product_key,
                    device.name,
                    "property",
                    {"id": msg_id, "params": {"spo2": 95}},
                )
                for msg_id in ids
            ]
        )
        MessageReceipt.objects.filter(msg_id__in=ids).update(
            received_at=now - timedelta(days=days_ago)
        )


def test_project_page_charts_the_systems_evidence(page, login, divisions, make_user):
    office = make_user("planoffice", Role.PLAN_ADMIN)
    hospital = Unit.objects.filter(code="tar-peoples-hospital").first() or Unit.objects.create(
        code="tar-peoples-hospital", name="西藏自治区人民医院", kind="institution"
    )
    project = _running_project(office, "区人民医院5G院前急救", hospital)
    silent = _running_project(office, "县医院远程会诊（设备未上线）", hospital)
    the_plan = project.plan
    the_plan.live_evidence_days = 7
    the_plan.save()
    product = iot.product_create(name="车载监护仪", thing_model=MONITOR, unit=hospital)
    pilot = Pilot.objects.get(pk=project.pk)
    for number in (1, 2):
        iot.device_create(product=product, name=f"ecg-{number}", unit=hospital, project=pilot)
    first = product.devices.get(name="ecg-1")
    _reports(first, [5, 8, 3, 0, 6, 9, 12, 7, 4, 10, 11, 6, 8, 9])
    quiet = Pilot.objects.get(pk=silent.pk)
    iot.device_create(product=product, name="ecg-silent", unit=hospital, project=quiet)

    login("planoffice")
    page.goto(f"/plan/projects/{project.pk}/")
    card = page.locator("#live-evidence")
    expect(card).to_contain_text("2 台设备中有 1 台上报数据")
    expect(card.locator(".badge")).to_contain_text("有数据")
    page.wait_for_selector("#evidence-chart canvas")
    page.wait_for_timeout(500)
    card.screenshot(path=str(SCREENSHOTS / "plan-project-evidence.png"))

    page.goto("/plan/overview/")
    silent_row = page.locator("[id^=silent-]").first
    expect(silent_row).to_contain_text("县医院远程会诊（设备未上线）")
