"""The portal's pages and API operations for the authorization matrix, and its objects in the
matrix world: two news items (one published, one draft) and a measurement request.

The public pages and operations answer everyone alike; the request queue is the radio
regulator's (and the plan office's, as every rule's); news management is the plan office's."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.authz.api_routes import Operation
from tests.authz.routes import Route, may
from xizang5g.core.access import CHANGE
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import Project
from xizang5g.portal import services
from xizang5g.portal.models import MeasurementRequest, NewsAttachment, NewsItem


def _published(world):
    return world.objects["portal_public_news"][0]


def pk(obj) -> dict:
    return {"pk": obj.pk}


PAGES = {
    "portal:home": Route(public=True),
    "portal:cases": Route(public=True),
    "portal:case": Route(public=True, kind="portal_case", kwargs=pk),
    "portal:progress": Route(public=True),
    "portal:coverage": Route(public=True),
    "portal:emf": Route(public=True),
    "portal:emf_request": Route(public=True),
    "portal:news": Route(public=True),
    "portal:news_item": Route(public=True, kind="portal_public_news", kwargs=pk),
    "portal:news_file": Route(public=True, kind="portal_public_file", kwargs=pk),
    "sitemap": Route(public=True),
    "robots": Route(public=True),
    "portal:requests": Route(requires=may(CHANGE, MeasurementRequest)),
    "portal:request": Route(kind="portal_request"),
    "portal:manage": Route(requires=may(CHANGE, NewsItem)),
    "portal:news_new": Route(requires=may(CHANGE, NewsItem)),
    "portal:news_edit": Route(kind="portal_news"),
    "portal:manage_file": Route(kind="portal_public_file"),
    "portal:news_publish": Route(kind="portal_news", action=CHANGE, method="post"),
}

P = "/api/v1/portal"


def _county(world) -> int:
    return AdminDivision.objects.filter(level=DivisionLevel.COUNTY).order_by("adcode")[0].adcode


OPERATIONS = {
    f"GET {P}/cases": Operation(machine=200),
    f"GET {P}/cases/{{case_id}}": Operation(
        path=lambda w, o: {"case_id": 987654321012}, machine=404
    ),
    f"GET {P}/news": Operation(machine=200),
    f"GET {P}/news/{{news_id}}": Operation(
        path=lambda w, o: {"news_id": _published(w).pk}, machine=200
    ),
    f"GET {P}/emf": Operation(
        query={"eirp_dbm": 60, "distance_m": 30, "f_mhz": 3500, "gain_db": -6}, machine=200
    ),
    f"POST {P}/requests": Operation(
        body=lambda w, o: {
            "name": "矩阵测试",
            "contact": "13800001234",
            "county": _county(w),
            "location": "拉萨市城关区",
            "concern": "矩阵测试的监测申请",
        },
        machine=201,
    ),
    f"GET {P}/requests": Operation(
        requires=may(CHANGE, MeasurementRequest), lists=MeasurementRequest
    ),
    f"PATCH {P}/requests/{{request_id}}": Operation(
        kind="portal_request",
        action=CHANGE,
        path=lambda w, o: {"request_id": o.pk},
        body=lambda w, o: {"answer": "已安排监测"},
    ),
}


def populate(world, units) -> None:
    county = AdminDivision.objects.filter(level=DivisionLevel.COUNTY).order_by("adcode")[0]
    published = NewsItem(
        kind="notice",
        title="矩阵已发布通知",
        body="正文",
        is_demo=True,
        status="published",
        published_at=timezone.now(),
    )
    published.full_clean()
    published.save()
    draft = NewsItem(kind="news", title="矩阵草稿新闻", body="正文", is_demo=True)
    draft.full_clean()
    draft.save()
    world.add("portal_news", published, draft)
    world.add("portal_public_news", published)
    upload = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 authz", content_type="application/pdf")
    attachment = NewsAttachment(
        item=published, filename="通知.pdf", content_type="application/pdf", size_bytes=14
    )
    attachment.file.save("通知.pdf", upload, save=False)
    attachment.save()
    world.add("portal_public_file", attachment)
    # a typical case: a copy of a world project promoted to `case`
    case = Project.objects.get(pk=world.objects["project"][0].pk)
    case.pk = None
    case.id = None
    case.code = "AUTHZ-CASE"
    case.name = "矩阵典型案例"
    case.state = ProjectState.CASE
    case.save()
    world.add("portal_case", case)
    mr = services.request_submit(
        name="矩阵申请人",
        contact="13800009999",
        county=str(county.adcode),
        location="矩阵地点",
        concern="矩阵关切",
    )
    world.add("portal_request", mr)
