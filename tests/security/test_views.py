"""Pages and API: rendering, scoping, permissions and the ingest endpoint."""

import json

import pytest
from django.urls import reverse

from xizang5g.core.choices import Role
from xizang5g.core.services import api_token_create
from xizang5g.security.demo import demo_load
from xizang5g.security.models import BadLine, Detection, Incident, SecurityEvent
from xizang5g.security.services import log_source_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return demo_load()


PAGES = [
    "dashboard",
    "system_list",
    "event_list",
    "bad_line_list",
    "alert_list",
    "incident_list",
    "rule_list",
    "inspection_list",
]


def test_pages_render_for_a_viewer(client, viewer, demo):
    client.force_login(viewer)
    for name in PAGES:
        response = client.get(reverse(f"security:{name}"))
        assert response.status_code == 200, name
        assert b"xz-subnav" in response.content
    system = demo_systems_first()
    assert client.get(reverse("security:system_detail", args=[system.pk])).status_code == 200
    incident = Incident.objects.first()
    response = client.get(reverse("security:incident_detail", args=[incident.pk]))
    assert response.status_code == 200 and incident.code.encode() in response.content


def demo_systems_first():
    from xizang5g.security.models import InformationSystem

    return InformationSystem.objects.get(code="demo-his")


def test_pages_render_empty_states(client, viewer):
    client.force_login(viewer)
    for name in PAGES:
        assert client.get(reverse(f"security:{name}")).status_code == 200


def test_dashboard_figures(client, viewer, demo):
    client.force_login(viewer)
    response = client.get(reverse("security:dashboard"))
    data = response.context["data"]
    assert (
        data["kpi"]["events"]
        == SecurityEvent.objects.filter(time__gte=data["since"]).count()
        > 2900
    )
    assert data["kpi"]["incidents_open"] == Incident.objects.exclude(state="closed").count() == 3
    assert data["kpi"]["bad_lines"] == 3
    assert {r["category"] for r in data["by_category"]} >= {
        "linux",
        "web",
        "network",
        "application",
    }
    assert data["top_rules"][0]["rule_title"] in {
        "Web vulnerability scanner user agent",
        "Suspicious User-Agents Related To Recon Tools",
    }
    assert Detection.objects.filter(rule_title__startswith="SSH brute force").exists()
    assert response.context["charts"]["timeline"]["events"][-1] >= 0


def test_unit_editor_sees_only_its_unit(client, make_user, demo):
    from xizang5g.core.models import Unit

    editor = make_user("healthed", Role.UNIT_EDITOR, Unit.objects.get(code="health"))
    client.force_login(editor)
    systems = client.get(reverse("security:system_list")).context["page"].object_list
    assert {s.code for s in systems} == {"demo-his"}
    incidents = (
        client.get(reverse("security:incident_list") + "?state=all").context["page"].object_list
    )
    assert {i.responsible_unit.code for i in incidents} <= {"health"}
    other = Incident.objects.exclude(responsible_unit__code="health").first()
    assert client.get(reverse("security:incident_detail", args=[other.pk])).status_code == 404


def test_viewer_cannot_write_and_denial_is_recorded(client, viewer, demo):
    client.force_login(viewer)
    assert client.get(reverse("security:rule_add")).status_code == 403
    assert client.get(reverse("security:incident_create")).status_code == 403
    denials = SecurityEvent.objects.filter(action="permission_denied", category="platform")
    assert denials.count() == 2
    denial = denials.get(message__contains="/security/rules/new/")
    assert denial.user == viewer.username and denial.outcome == "blocked"


def test_failed_logins_become_platform_events_and_brute_force_alert(client, rules, viewer):
    for _ in range(10):
        client.post(
            reverse("login"),
            {"username": "leader", "password": "wrong-password"},
            REMOTE_ADDR="192.0.2.50",
        )
    failures = SecurityEvent.objects.filter(category="platform", action="login", outcome="failure")
    assert failures.count() == 10 and set(failures.values_list("src_ip", flat=True)) == {
        "192.0.2.50"
    }
    from xizang5g.core.models import Alert

    assert Alert.objects.filter(rule="sigma:" + "platform").count() == 0
    assert SecurityEvent.objects.filter(action="account_locked").exists()  # axes locked the account
    assert Alert.objects.filter(rule="correlation:platform-login-brute-force").exists()


def test_ingest_api_with_source_token(client, rules, make_user):
    operator = make_user("ops2", Role.SECURITY_OPERATOR)
    _source, token = log_source_create(
        code="edge", name="Edge", kind="http", category="web", user=operator
    )
    items = [
        {
            "time": "2026-11-23T10:00:00+08:00",
            "program": "nginx",
            "message": '198.51.100.1 - - [23/Nov/2026:10:00:00 +0800] "GET /.env HTTP/1.1" 404 1 "-" "curl"',
        },
        {"time": "bad"},
    ]
    url = "/api/v1/security/ingest"
    assert client.post(url, json.dumps(items), content_type="application/json").status_code == 401
    response = client.post(
        url,
        json.dumps(items),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] == 1 and body["bad"] == 1 and body["detections"] == 1
    response = client.post(
        url, b"{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 422
    assert BadLine.objects.filter(reason__startswith="body is not JSON").exists()


def test_api_incident_flow_and_rule_add(client, demo, make_user, make_unit):
    operator = make_user("ops3", Role.SECURITY_OPERATOR, make_unit("cac"))
    token = api_token_create(user=operator, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    from xizang5g.core.models import Alert

    alert = (
        Alert.objects.filter(source="security", security_incidents=None)
        .exclude(state="resolved")
        .first()
    )
    response = client.post(
        "/api/v1/security/incidents/from-alert",
        json.dumps({"alert_id": alert.pk, "level": "III"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    incident_id = response.json()["id"]
    bad = client.post(
        f"/api/v1/security/incidents/{incident_id}/transition",
        json.dumps({"to_state": "review"}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/security/incidents/{incident_id}/transition",
        json.dumps({"to_state": "closed", "closing_reason": "duplicate"}),
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 200 and ok.json()["state"] == "closed"
    alert.refresh_from_db()
    assert alert.state == "resolved"
    rule = client.post(
        "/api/v1/security/rules",
        json.dumps({"yaml": "title: x\nlogsource: {product: windows}\n"}),
        content_type="application/json",
        **auth,
    )
    assert rule.status_code == 422
