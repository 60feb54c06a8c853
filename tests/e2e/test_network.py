"""Browser test of the 5G supervision system: a coordination case walks its whole workflow
(申请 → 计算 → 协调中 → 措施实施 → 复核 → 结案), a study runs from the form, and the station map
renders; screenshots go to docs/screenshots/network-*.png."""

import pytest
from django.test import override_settings

from xizang5g.core.choices import Role, UnitKind

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _setup(make_unit, make_user):
    from tests.network.factories import build_region, build_terrain
    from xizang5g.core.services import divisions_load
    from xizang5g.network.demo import demo_load

    divisions_load()
    operators = {
        code: make_unit(code, name, UnitKind.OPERATOR)
        for code, name in (
            ("ct-xz", "中国电信股份有限公司西藏分公司"),
            ("cm-xz", "中国移动通信集团西藏有限公司"),
            ("cu-xz", "中国联合网络通信有限公司西藏自治区分公司"),
        )
    }
    regulator = make_user(
        "regulator1", Role.REGULATOR, make_unit("comms-admin", "西藏自治区通信管理局")
    )
    ct = make_user("ct-editor", Role.UNIT_EDITOR, operators["ct-xz"])
    build_terrain(regulator)
    region = build_region(
        regulator=regulator,
        operators=operators,
        broadcaster=make_unit("radio-tv", "西藏自治区广播电视局", UnitKind.DEPARTMENT),
    )
    # A small synthetic region-wide registry so the maps have something to show.
    demo_load(n_cells=240, n_earth_stations=12)
    return regulator, ct, region


def _logout(page):
    page.context.clear_cookies()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=IMMEDIATE)
def test_coordination_case_workflow_study_and_map(page, login, screenshot, make_unit, make_user):
    from xizang5g.network.models import CoordinationCase

    _regulator, _ct, region = _setup(make_unit, make_user)
    offender = next(c for c in region["cells"] if c.code == "S0-2")
    es = region["stations"][0]

    # 申请: the operator applies for its new sector near the earth station.
    login("ct-editor")
    page.goto("/network/cases/new/")
    page.select_option("#id_earth_station", str(es.pk))
    page.select_option("#id_cells", [str(offender.pk)])
    page.fill("#id_title", "拉萨城关新建3.5GHz扇区与广电地球站协调")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#case-steps")
    case = CoordinationCase.objects.get(title="拉萨城关新建3.5GHz扇区与广电地球站协调")
    assert page.inner_text("#case-state").startswith("申请") or case.state == "applied"
    _logout(page)

    # 计算 → 协调中 → what-if (LNB filter) → accept → 措施实施, by the regulator.
    login("regulator1")
    page.goto(f"/network/cases/{case.pk}/")
    page.click("#advance-button")
    page.wait_for_selector("#case-calculation")
    assert (
        "不通过" in page.inner_text("#case-calculation")
        or page.locator("#case-calculation .xz-margin-bad").count() > 0
    )
    page.click("#advance-button")
    page.wait_for_selector("#mitigation-form")
    page.select_option("#mitigation-form select[name=kind]", "lnb_filter")
    page.fill("#mitigation-form input[name=rejection_db]", "30")
    page.click("#whatif-button")
    page.wait_for_selector("#case-whatif")
    page.click("#accept-button")
    page.wait_for_selector("#case-whatif .text-bg-success")
    page.click("#advance-button")
    case.refresh_from_db()
    assert case.state == "implementing"
    _logout(page)

    # 复核: the operator reports the measure done.
    login("ct-editor")
    page.goto(f"/network/cases/{case.pk}/")
    page.fill("#advance-form input[name=note]", "已加装3.7–4.2GHz带通滤波器")
    page.click("#advance-button")
    case.refresh_from_db()
    assert case.state == "reviewing"
    _logout(page)

    # 结案 by the regulator.
    login("regulator1")
    page.goto(f"/network/cases/{case.pk}/")
    page.click("#advance-button")
    page.wait_for_selector(".xz-step.done")
    case.refresh_from_db()
    assert case.state == "closed"
    assert page.locator("#case-timeline li").count() >= 7
    screenshot("network-case")

    # A study from the form (the job runs immediately in tests), with its map and tables.
    page.goto("/network/studies/new/")
    page.fill("#id_name", "全区C频段地球站排查（合成地形）")
    page.fill("#id_coordination_km", "30")
    page.click("#study-form button[type=submit]")
    page.wait_for_selector("#station-results")
    page.wait_for_selector("#study-map canvas")
    page.wait_for_timeout(800)
    assert (
        page.locator(".progress-bar").first.get_attribute("style").strip().startswith("width: 100")
    )
    screenshot("network-study")

    # The station map on the shipped boundaries, by operator and band.
    page.goto("/network/")
    page.wait_for_selector("#station-map canvas")
    page.wait_for_timeout(800)
    assert page.locator("#synthetic-banner").is_visible()
    screenshot("network-map")
