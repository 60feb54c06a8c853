"""The 5G supervision overview's body is computed once per access scope and change of the data
(core.summaries.section): shared by users of the same role and unit, never across units or
languages, and computed afresh after a change-logged write."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from xizang5g.core import summaries
from xizang5g.core.choices import Role
from xizang5g.network import services

pytestmark = pytest.mark.django_db


def _sites_kpi(response) -> int:
    assert response.status_code == 200
    found = re.search(r'id="kpi-sites">(\d+)<', response.content.decode())
    assert found, "the overview shows the number of sites"
    return int(found.group(1))


def _get(client, user, path="/network/"):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    return response, len(queries)


def test_a_colleague_of_the_same_scope_reads_the_computed_body(
    client, region, regulator, make_user
):
    colleague = make_user("regulator2", Role.REGULATOR, regulator.unit)
    first, cold = _get(client, regulator)
    second, warm = _get(client, colleague)
    assert _sites_kpi(first) == _sites_kpi(second) == 3
    assert warm < cold - 5, (cold, warm)


def test_a_change_logged_write_shows_on_the_next_request(client, region, regulator, operators):
    assert _sites_kpi(_get(client, regulator)[0]) == 3
    services.site_create(
        user=regulator, operator=operators["cu-xz"], code="S9", name="站址9", lon=91.3, lat=29.7
    )
    assert _sites_kpi(_get(client, regulator)[0]) == 4


def test_units_never_share_a_body(client, region, ct_editor, cm_editor):
    # S0 and S2 are China Telecom's, S1 China Mobile's: each editor sees its own.
    assert _sites_kpi(_get(client, ct_editor)[0]) == 2
    assert _sites_kpi(_get(client, cm_editor)[0]) == 1
    assert _sites_kpi(_get(client, ct_editor)[0]) == 2


def test_each_language_has_its_own_body(client, region, regulator):
    client.force_login(regulator)
    zh = client.get("/network/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get("/network/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open coordination cases" in en and "Open coordination cases" not in zh


def test_a_body_holding_a_csrf_token_is_refused(regulator):
    request = RequestFactory().get("/")
    request.user = regulator
    with pytest.raises(ImproperlyConfigured, match="CSRF"):
        summaries.section(request, "network/_upload.html", dict)
