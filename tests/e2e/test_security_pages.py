"""Security in a real browser: the situation dashboard, an incident from alert to closure, adding a
Sigma rule that then fires on new events."""

import pytest

from xizang5g.core.choices import AlertSource, Role
from xizang5g.core.models import Alert, Unit
from xizang5g.security.demo import demo_load
from xizang5g.security.models import Detection, Incident, SigmaRule
from xizang5g.security.services import syslog_ingest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RULE = """title: Telnet session opened on a device
id: 3f0d9c3a-7a43-4b55-9d6b-2d1f1b0e5a11
status: experimental
description: Clear-text telnet logins are forbidden on government networks.
logsource:
  product: linux
detection:
  selection:
    program: telnetd
    message|contains: 'login from'
  condition: selection
level: high
"""


@pytest.fixture
def secops(db, make_user):
    demo_load()
    return make_user("secops-e2e", Role.SECURITY_OPERATOR, Unit.objects.get(code="cac"))


def test_dashboard(page, login, screenshot, secops):
    login("secops-e2e")
    page.goto("/security/")
    page.wait_for_selector("#chart-timeline canvas")
    page.wait_for_selector("#chart-category canvas")
    page.wait_for_selector("#chart-mlps canvas")
    assert page.locator("#security-kpis .xz-kpi").count() == 5
    top = page.locator("#top-rules").inner_text()
    assert "Port scan" in top and "关联分析" in top  # correlations rank beside Sigma rules
    page.wait_for_timeout(700)
    screenshot("security-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.locator("#chart-timeline canvas").is_visible()


def test_incident_from_alert_to_closure(page, login, screenshot, secops):
    alert = (
        Alert.objects.filter(source=AlertSource.SECURITY, security_incidents__isnull=True)
        .order_by("pk")
        .first()
    )
    assert alert is not None, "the demo raises security alerts no incident covers yet"
    login("secops-e2e")
    page.goto("/security/alerts/")
    row = page.locator(f"tr[data-alert='{alert.pk}']")
    row.locator("select[name=level]").select_option("III")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#incident-timeline")
    incident = Incident.objects.get(alerts=alert)
    assert incident.level == "III" and incident.state == "new"
    for state, note in [
        ("triage", "确认为真实攻击"),
        ("containment", "已封禁 203.0.113.66"),
        ("recovery", "重置口令并加固 sshd"),
        ("review", "复盘完成"),
    ]:
        page.select_option("#transition-form select[name=to_state]", state)
        page.fill("#transition-form textarea[name=note]", note)
        page.click("#transition-form button[type=submit]")
        page.wait_for_selector(f"#incident-timeline >> text={note}")
    page.fill("textarea[name=note][placeholder]", "已通报区党委网信办")
    page.click("form[action$='/note/'] button")
    page.wait_for_selector("#incident-timeline >> text=已通报区党委网信办")
    page.select_option("#transition-form select[name=to_state]", "closed")
    page.select_option("#transition-form select[name=closing_reason]", "true_positive")
    page.click("#transition-form button[type=submit]")
    page.wait_for_selector("#incident-closed")
    incident.refresh_from_db()
    alert.refresh_from_db()
    assert incident.state == "closed" and incident.closing_reason == "true_positive"
    assert alert.state == "resolved"
    assert incident.timeline.count() == 7  # created, 5 transitions, 1 note
    screenshot("security-incident")


def test_add_a_sigma_rule(page, login, secops):
    login("secops-e2e")
    page.goto("/security/rules/")
    page.click("#add-rule")
    page.fill(
        "textarea[name=yaml]", "title: broken\nlogsource: {product: windows}\ndetection: {}\n"
    )
    page.click("#rule-form button[type=submit]")
    problems = page.locator("#rule-problems").inner_text()
    assert "windows" in problems or "id" in problems
    page.fill("textarea[name=yaml]", RULE)
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector("#sigma-rules >> text=Telnet session opened on a device")
    rule = SigmaRule.objects.get(rule_id="3f0d9c3a-7a43-4b55-9d6b-2d1f1b0e5a11")
    assert rule.origin == "custom" and rule.enabled
    syslog_ingest(
        lines=[b"<38>Nov 23 10:00:00 nq-mine-gw01 telnetd[77]: login from 192.0.2.44 as root"]
    )
    assert Detection.objects.filter(rule_code=rule.rule_id).count() == 1
    page.goto("/security/alerts/")
    assert "Telnet session opened on a device" in page.locator("#alert-table").inner_text()
