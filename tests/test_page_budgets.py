"""Pages that people keep open (dashboards, long lists) answer in a bounded number of queries.

Each page has a budget of database queries for a role that sees the region and for a unit editor.
The world then grows (more projects, milestones, sites, devices, alerts) and the count must stay the
same: a page whose queries grow with its rows (an N+1) fails here before it is slow in a county.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authz.world import THING_MODEL, build_world
from xizang5g.core.choices import AlertSource
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.core.services import alert_raise
from xizang5g.iot import services as iot
from xizang5g.network import services as network
from xizang5g.plan import services as plan
from xizang5g.plan.models import Industry

# URL name → most queries it may take (session, user, page). Raise a budget only with a reason.
BUDGETS = {
    "plan:dashboard": 40,
    "plan:project_list": 15,
    "plan:scorecards": 25,
    "network:overview": 25,
    "network:site_list": 18,
    "iot:home": 16,
    "iot:device_list": 16,
    "security:dashboard": 30,
    "core:alert_list": 14,
}
ROLES = ("planoffice", "health")


def _queries(client: Client, name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return len(captured.captured_queries)


def _counts(world) -> dict[tuple[str, str], int]:
    out = {}
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        for name in BUDGETS:
            _queries(client, name)  # caches warm (sessions, content types, the plan)
            out[role, name] = _queries(client, name)
    return out


def _grow(world, n: int = 6) -> None:
    """More of every kind of row the pages list, for the unit with a demo user and the region."""
    office = world.users["planoffice"]
    health = Unit.objects.get(code="health")
    operator = Unit.objects.get(code="cm-xz")
    lhasa = AdminDivision.objects.get(adcode=540100)
    medical = Industry.objects.get(code="medical")
    product = iot.product_create(name="增长 水位计", unit=health, thing_model=THING_MODEL)
    for i in range(n):
        project = plan.project_create(
            user=office,
            name=f"增长项目{i}",
            plan=world.plan,
            industry=medical,
            lead_unit=health,
            operator=operator,
            prefecture=lhasa,
            lon=91.1,
            lat=29.6,
            declared_on=date(2020, 3, 1),
        )
        plan.milestone_create(project=project, user=office, title="开通", due_date=date(2020, 6, 1))
        plan.report_save(project=project, user=office, period=date(2020, 5, 1), summary="进展")
        network.site_create(
            user=office, operator=operator, code=f"GROW-{i}", name=f"增长站{i}", lon=91.1, lat=29.6
        )
        iot.device_create(product=product, name=f"grow-{i}", unit=health)
        alert_raise(source=AlertSource.INTERFERENCE, dedup_key=f"grow:{i}", title=f"增长告警{i}")


@pytest.mark.django_db
def test_pages_stay_within_their_query_budget_as_the_region_grows(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    before = _counts(world)
    over = {key: n for key, n in before.items() if n > BUDGETS[key[1]]}
    assert not over, f"pages over their query budget: {over} (budgets: {BUDGETS})"
    _grow(world)
    after = _counts(world)
    grew = {key: (before[key], after[key]) for key in before if after[key] > before[key]}
    assert not grew, f"queries grow with the rows listed (N+1): {grew}"
