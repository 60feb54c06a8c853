"""What the ecosystem gives the portal and the plan dashboard: the public section (figures and
upcoming events, rendered from its template), the public pages without login, the tile."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from xizang5g.core import registry
from xizang5g.ecosystem import services
from xizang5g.ecosystem.public import ecosystem_section
from xizang5g.ecosystem.tiles import ecosystem_tile


def test_public_section_and_pages(approved, publish, office, sign_up):
    _org, member = approved("移动西藏", "cm1", "operator")
    publish("solution", member, "公开的矿山方案", "尾矿库", industries=["mining"], is_public=True)
    publish("solution", member, "不公开的方案", "井下", industries=["mining"])
    services.event_save(
        user=office,
        values={
            "title": "绽放杯区域赛",
            "kind": "competition",
            "starts_at": timezone.now() + timedelta(days=20),
            "place": "拉萨",
            "capacity": 100,
        },
    )
    services.event_save(
        user=office,
        values={
            "title": "已结束的路演",
            "kind": "roadshow",
            "starts_at": timezone.now() - timedelta(days=2),
            "place": "拉萨",
            "capacity": 100,
        },
    )
    request = RequestFactory().get("/")
    section = ecosystem_section(request)
    assert section in registry.public_sections_for(request)
    html = render_to_string(section.template, section.context, request=request)
    assert "绽放杯区域赛" in html and "已结束的路演" not in html
    assert section.context["stats"]["solutions"] == 2
    anonymous = Client()
    page = anonymous.get("/ecosystem/public/solutions/").content.decode()
    assert "公开的矿山方案" in page and "不公开的方案" not in page
    assert "绽放杯区域赛" in anonymous.get("/ecosystem/public/events/").content.decode()
    assert anonymous.get("/ecosystem/join/").status_code == 200
    assert anonymous.get("/ecosystem/demands/").status_code == 302  # the rest needs a login
    assert any(e["url"] == "ecosystem:signup" for e in registry.public_navigation())


def test_dashboard_tile(approved, sign_up, office):
    approved("甲公司", "a1")
    request = RequestFactory().get("/")
    request.user = office
    assert ecosystem_tile(request).value == "1"
    sign_up("待审公司", "wait")
    tile = ecosystem_tile(request)
    assert tile.tone == "warn" and "1 awaiting review" in str(tile.detail)


def test_pending_member_sees_only_the_application(sign_up, office):
    org = sign_up("待审公司", "wait")
    client = Client()
    client.force_login(org.applicant)
    home = client.get("/ecosystem/").content.decode()
    assert 'id="application"' in home
    assert client.get("/ecosystem/solutions/")["Location"] == "/ecosystem/"
    assert client.get("/ecosystem/demands/new/").status_code == 403
    services.organisation_reject(organisation=org, user=office, reason="证照不符")
    assert "证照不符" in client.get("/ecosystem/").content.decode()
