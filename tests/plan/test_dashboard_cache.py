"""The dashboard's figures are computed once and shared, yet never shown stale after a write."""

import re

import pytest
from django.urls import reverse

from xizang5g.plan import progress


def _pilot_count(client) -> int:
    page = client.get(reverse("plan:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    found = re.search(r'Pilot projects</div><div class="xz-kpi-value">(\d+)<', page)
    assert found, "the dashboard shows its pilot count"
    return int(found.group(1))


@pytest.mark.django_db
def test_figures_are_reused_until_the_next_write(client, plan_admin, make_project, monkeypatch):
    make_project(name="试点一")
    client.force_login(plan_admin)
    calls = []
    load = progress.load_projects
    monkeypatch.setattr(progress, "load_projects", lambda *a, **k: calls.append(1) or load(*a, **k))
    assert _pilot_count(client) == 1
    assert _pilot_count(client) == 1
    assert len(calls) == 1, "the second visit reuses the figures"
    make_project(name="试点二")  # a write: change-logged, so every worker computes afresh
    assert _pilot_count(client) == 2
    assert len(calls) == 2


@pytest.mark.django_db
def test_each_scope_and_language_has_its_own_figures(
    client, plan_admin, health_editor, make_project
):
    make_project(name="卫健委试点")
    client.force_login(plan_admin)
    english = client.get(reverse("plan:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("plan:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Unit scorecards" in english and "Unit scorecards" not in chinese
