"""Progress backed by data: with "live evidence required" in the plan file, a pilot counts toward
its goal only while the systems record activity for it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.plan.test_progress import _to_building
from xizang5g.core.models import Pilot
from xizang5g.iot import services as iot
from xizang5g.iot.ingest import Inbound, ingest_batch
from xizang5g.iot.models import MessageReceipt
from xizang5g.plan import progress, services
from xizang5g.plan.models import Goal

GAUGE = {
    "properties": [
        {"identifier": "level", "name": "水位", "dataType": {"type": "float", "specs": {}}}
    ]
}


@pytest.fixture
def running_pilot(plan, make_project, health_unit):
    """A medical pilot in trial operation for a month, with one device serving it."""
    today = timezone.localdate()
    project = make_project(declared_on=today - timedelta(days=120))
    _to_building(project, today - timedelta(days=100))
    services.report_save(
        project=project,
        user=None,
        period=(today - timedelta(days=90)).replace(day=1),
        summary="建设中",
        submit=True,
    )
    services.project_transition(
        project=project, to_state="trial", user=None, effective_on=today - timedelta(days=30)
    )
    product = iot.product_create(name="监护仪", thing_model=GAUGE, unit=health_unit)
    device, _secret = iot.device_create(
        product=product, name="ecg-1", unit=health_unit, project=Pilot.objects.get(pk=project.pk)
    )
    return project, device


def _report(device):
    ingest_batch(
        [
            Inbound(
                device.product.product_key,
                device.name,
                "property",
                {"id": timezone.now().isoformat(), "params": {"level": 1.0}},
            )
        ]
    )


def _goal(plan) -> Goal:
    goal = Goal.objects.get(plan=plan, year=2021)  # industries with a running application
    goal.industries.clear()
    return goal


def test_a_silent_pilot_stops_counting_and_counts_again_when_it_reports(plan, running_pilot):
    project, device = running_pilot
    goal, today = _goal(plan), timezone.localdate()
    assert progress.goal_attainment(goal, today).value == 1  # evidence not required (yet)
    plan.live_evidence_days = 7
    plan.save()
    goal = _goal(plan)
    result = progress.goal_attainment(goal, today)
    assert result.value == 0 and result.silent == [project]  # its device never reported
    _report(device)
    assert progress.goal_attainment(goal, today).value == 1
    # ten days of silence: the last message is older than the plan's seven days
    MessageReceipt.objects.update(received_at=timezone.now() - timedelta(days=10))
    assert progress.goal_attainment(goal, today).value == 0
    _report(device)
    assert progress.goal_attainment(goal, today).value == 1


def test_the_project_page_shows_the_systems_evidence(client, plan, running_pilot, plan_admin):
    project, device = running_pilot
    plan.live_evidence_days = 7
    plan.save()
    client.force_login(plan_admin)
    page = client.get(reverse("plan:project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "0 of 1 devices reported in the last 24 hours" in page.text
    assert "silent" in page.text
    _report(device)
    page = client.get(reverse("plan:project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "1 of 1 devices reported in the last 24 hours" in page.text
    chart = page.context["evidence_chart"]
    assert chart["series"][0]["values"][-1] == 1 and len(chart["days"]) == 30
    overview = client.get(reverse("plan:plan_detail"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "no live evidence" not in overview


def test_the_plan_file_sets_the_window(divisions):
    from pathlib import Path

    from xizang5g.plan.loader import plan_load

    source = Path("src/xizang5g/plan/data/xizang-5g-2020.yaml").read_text(encoding="utf-8")
    text = source.replace("  goals_text: |", "  live_evidence_days: 14\n  goals_text: |", 1)
    assert plan_load(text=text).plan.live_evidence_days == 14
