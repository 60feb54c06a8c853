"""The alert centre in a real browser: filter, acknowledge in bulk and on the alert's page."""

import pytest

from tests.browser import expect
from xizang5g.core.choices import AlertSource, Role, UnitKind
from xizang5g.core.models import Alert
from xizang5g.core.services import alert_raise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALERTS = [
    (
        AlertSource.DEVICE_RULE,
        "critical",
        "甲玛矿区尾矿库 1号: 库水位超警戒",
        "water_level = 21.3 (above 20.5)",
    ),
    (
        AlertSource.DEVICE_RULE,
        "major",
        "那曲色尼区草场 3号: 牦牛体温异常",
        "body_temp = 40.2 outside [37.5, 39.8]",
    ),
    (AlertSource.PLAN, "major", "拉萨市两个试点项目月度报告逾期", "逾期 12 天"),
    (AlertSource.SECURITY, "critical", "政务外网出现暴力破解登录", "同一来源 10 分钟内失败 57 次"),
    (AlertSource.INTERFERENCE, "minor", "拉萨C波段地球站干扰余量不足", "I/N = -8.5 dB"),
    (AlertSource.DEVICE_RULE, "minor", "聂当园区 2号: 园区负荷过高", "power = 612 kW"),
]


@pytest.fixture
def alerts(make_user, make_unit):
    unit = make_unit("julong-copper", "西藏巨龙铜业有限公司", UnitKind.ENTERPRISE)
    admin = make_user(
        "duty-officer", Role.PLAN_ADMIN, make_unit("econ-it", "西藏自治区经济和信息化厅")
    )
    made = [
        alert_raise(source=s, dedup_key=f"e2e:{i}", severity=sev, title=t, message=m, unit=unit)[0]
        for i, (s, sev, t, m) in enumerate(ALERTS)
    ]
    alert_raise(
        source=ALERTS[0][0], dedup_key="e2e:0", severity="critical", title=ALERTS[0][2]
    )  # a repeat
    return admin, made


def test_filter_and_bulk_acknowledge(page, login, screenshot, alerts):
    _admin, made = alerts
    login("duty-officer")
    page.goto("/core/alerts/")
    assert page.locator("#alerts tbody tr").count() == 6
    screenshot("alert-centre")
    page.select_option("#f-sev", "critical")
    expect(page.locator("#alerts tbody tr")).to_have_count(2)
    page.check(f"tr[data-alert='{made[0].pk}'] input[name=ids]")
    page.check(f"tr[data-alert='{made[3].pk}'] input[name=ids]")
    page.fill("input[name=note]", "值班已确认，通知现场")
    page.click("#bulk-ack")
    page.wait_for_load_state("networkidle")
    assert "2" in page.inner_text(".xz-messages")
    assert Alert.objects.get(pk=made[0].pk).state == "acknowledged"
    assert Alert.objects.get(pk=made[3].pk).state == "acknowledged"
    assert Alert.objects.get(pk=made[1].pk).state == "open"


def test_acknowledge_then_resolve_on_the_alert_page(page, login, alerts):
    _admin, made = alerts
    login("duty-officer")
    page.goto(f"/core/alerts/{made[1].pk}/")
    page.fill("input[name=note]", "兽医已前往")
    page.click("#ack-button")
    page.wait_for_load_state("networkidle")
    assert "已确认" in page.inner_text("#alert-state") or "Acknowledged" in page.inner_text(
        "#alert-state"
    )
    assert "兽医已前往" in page.inner_text("#alert-history")
    page.click("button[value=resolve]")
    page.wait_for_load_state("networkidle")
    assert Alert.objects.get(pk=made[1].pk).state == "resolved"
