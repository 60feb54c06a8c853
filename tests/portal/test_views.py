"""The portal's pages through Django's test client: public pages without login in three
languages, the calculator's answers and errors, measurement requests (rate limit, workflow),
news management, the sitemap and robots.txt."""

import math

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import TEST_PASSWORD
from xizang5g.portal import emf, services
from xizang5g.portal.constants import REQUESTS_PER_HOUR
from xizang5g.portal.models import MeasurementRequest, NewsItem
from xizang5g.radio import emf as radio_emf

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_home_redirects_by_who_asks(office):
    assert Client().get("/")["Location"] == reverse("portal:home")
    assert _logged_in(office).get("/")["Location"] == reverse("plan:dashboard")


@pytest.mark.parametrize("lang", ["zh", "bo", "en"])
def test_public_pages_in_three_languages(plan_demo, network_data, news, lang):
    client = Client()
    case = plan_demo.projects.filter(state="case").first()
    published = NewsItem.objects.filter(status="published").first()
    for url in (
        reverse("portal:home"),
        reverse("portal:cases"),
        reverse("portal:case", args=[case.pk]),
        reverse("portal:progress"),
        reverse("portal:coverage"),
        reverse("portal:emf"),
        reverse("portal:emf_request"),
        reverse("portal:news"),
        reverse("portal:news_item", args=[published.pk]),
    ):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        assert '<meta name="description"' in html
        want = {"zh": "zh-hans", "bo": "bo", "en": "en"}[lang]
        assert f'<html lang="{want}">' in html, url
    # the choice is kept for the next page
    assert client.get(reverse("portal:home")).content.decode().count(f'lang="{want}"') >= 1


def test_case_page_hides_other_projects(plan_demo):
    other = plan_demo.projects.exclude(state="case").first()
    assert Client().get(reverse("portal:case", args=[other.pk])).status_code == 404


def test_news_body_is_escaped(office):
    item = services.news_create(user=office, kind="news", title="标题", body="<script>x()</script>")
    services.news_publish(item=item, user=office)
    html = Client().get(reverse("portal:news_item", args=[item.pk])).content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;" in html


# --- the calculator ------------------------------------------------------------------------------
def test_calculator_matches_the_engine():
    result = emf.calculate(eirp="60", distance_m="50", f_mhz="3500", gain_db="-10")
    s = float(radio_emf.power_density_w_m2(60, 50, -10))
    e_lim, s_lim = (float(x) for x in radio_emf.gb8702_public_limits(3500))
    assert result.power_density_w_m2 == pytest.approx(s)
    assert result.field_strength_v_m == pytest.approx(math.sqrt(s * radio_emf.Z0_OHM))
    assert result.limit_s_w_m2 == pytest.approx(3500 / 7500) == pytest.approx(s_lim)
    assert result.limit_e_v_m == pytest.approx(e_lim)
    assert result.ratio == pytest.approx(s / s_lim)
    in_watts = emf.calculate(eirp="1000", eirp_unit="w", distance_m="50", f_mhz="3500")
    assert in_watts.eirp_dbm == pytest.approx(60)
    below = emf.calculate(eirp="60", distance_m="50", f_mhz="3500", angle_deg="20")
    assert below.gain_db < -3 and below.power_density_w_m2 < in_watts.power_density_w_m2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"eirp": "60", "distance_m": "-5", "f_mhz": "3500"}, "distance_m"),
        ({"eirp": "60", "distance_m": "0", "f_mhz": "3500"}, "distance_m"),
        ({"eirp": "60", "distance_m": "10", "f_mhz": "0.01"}, "f_mhz"),
        ({"eirp": "60", "distance_m": "10", "f_mhz": "400000"}, "f_mhz"),
        ({"eirp": "abc", "distance_m": "10", "f_mhz": "3500"}, "eirp"),
        ({"eirp": "-1", "eirp_unit": "w", "distance_m": "10", "f_mhz": "3500"}, "eirp"),
        ({"eirp": "60", "distance_m": "10", "f_mhz": "3500", "gain_db": "5"}, "gain_db"),
        ({"eirp": "60", "distance_m": "10", "f_mhz": "3500", "angle_deg": "120"}, "angle_deg"),
        ({"eirp": "60", "distance_m": "", "f_mhz": "3500"}, "distance_m"),
    ],
)
def test_calculator_errors_name_the_field(params, field):
    with pytest.raises(emf.CalculatorError) as exc:
        emf.calculate(**params)
    assert field in exc.value.errors
    response = Client().get(reverse("portal:emf"), {**params, "lang": "en"})
    assert response.status_code == 400
    assert f'id="err-{field}"' in response.content.decode()


def test_calculator_page_and_api(divisions):
    response = Client().get(
        reverse("portal:emf"), {"eirp": "60", "distance_m": "100", "f_mhz": "2600"}
    )
    assert response.status_code == 200 and 'id="emf-result"' in response.content.decode()
    api = Client().get(
        "/api/v1/portal/emf", {"eirp_dbm": 60, "distance_m": 100, "f_mhz": 2600, "gain_db": -3}
    )
    assert api.status_code == 200
    body = api.json()
    assert body["limit_s_w_m2"] == pytest.approx(0.4)
    assert body["power_density_w_m2"] == pytest.approx(
        float(radio_emf.power_density_w_m2(60, 100, -3))
    )
    bad = Client().get("/api/v1/portal/emf", {"eirp_dbm": 60, "distance_m": -1, "f_mhz": 2600})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "distance_m"


# --- measurement requests ------------------------------------------------------------------------
def _form(division, **extra):
    return {
        "name": "卓玛",
        "contact": "13900001111",
        "county": str(division.adcode),
        "location": "城关区某小区3号楼楼顶基站旁",
        "concern": "楼顶新装了基站，担心辐射。",
        **extra,
    }


def test_request_validation(county):
    response = Client().post(
        reverse("portal:emf_request") + "?lang=en", _form(county, contact="abc", county="1")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-contact"' in html and 'id="err-county"' in html
    assert not MeasurementRequest.objects.exists()


def test_requests_are_rate_limited(county):
    client = Client()
    for _ in range(REQUESTS_PER_HOUR):
        assert client.post(reverse("portal:emf_request"), _form(county)).status_code == 200
    refused = client.post(reverse("portal:emf_request"), _form(county))
    assert refused.status_code == 429
    assert MeasurementRequest.objects.count() == REQUESTS_PER_HOUR
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(reverse("portal:emf_request"), _form(county)).status_code == 200


def test_request_workflow(county, regulator, office, make_user):
    response = Client().post(reverse("portal:emf_request"), _form(county))
    mr = MeasurementRequest.objects.get()
    assert mr.reference in response.content.decode()
    assert mr.reference.startswith("XZ-EMF-")
    assert mr.name == "卓玛"  # decrypted on read, encrypted at rest
    viewer = make_user("viewer1")
    assert _logged_in(viewer).get(reverse("portal:requests")).status_code == 403
    assert Client().get(reverse("portal:requests")).status_code == 302
    client = _logged_in(regulator)
    assert mr.reference in client.get(reverse("portal:requests")).content.decode()
    url = reverse("portal:request", args=[mr.pk])
    assert client.post(url, {"action": "assign", "assignee": regulator.pk}).status_code == 302
    client.post(url, {"action": "answer", "answer": "已安排3日内上门监测。"})
    client.post(url, {"action": "close"})
    mr.refresh_from_db()
    assert (mr.status, mr.assignee, mr.answer) == ("closed", regulator, "已安排3日内上门监测。")
    assert client.post(url, {"action": "answer", "answer": "x"}).status_code == 400
    # the change log never holds the requester's name or contact
    from xizang5g.core.models import ChangeLog

    logged = ChangeLog.objects.filter(object_id=mr.pk, content_type__model="measurementrequest")
    assert logged.exists()
    assert all("卓玛" not in str(c.after) and "13900001111" not in str(c.after) for c in logged)


def test_request_api(county, regulator, make_user):
    client = Client()
    sent = client.post(
        "/api/v1/portal/requests",
        {**_form(county), "county": county.adcode},
        content_type="application/json",
    )
    assert sent.status_code == 201
    reference = sent.json()["reference"]
    assert Client().get("/api/v1/portal/requests").status_code == 401
    from xizang5g.core.services import api_token_create

    token = api_token_create(user=regulator, name="t")
    headers = {"Authorization": f"Bearer {token}"}
    listed = Client().get("/api/v1/portal/requests", headers=headers).json()
    assert listed["items"][0]["reference"] == reference
    pk = listed["items"][0]["id"]
    done = Client().patch(
        f"/api/v1/portal/requests/{pk}",
        {"answer": "已答复", "status": "closed"},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "closed"


# --- news management -----------------------------------------------------------------------------
def test_news_management(office, make_user, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = _logged_in(office)
    response = client.post(
        reverse("portal:news_new"),
        {"kind": "policy", "title": "政策", "summary": "", "body": "正文"},
    )
    item = NewsItem.objects.get(title="政策")
    assert response.status_code == 302 and item.status == "draft"
    assert Client().get(reverse("portal:news_item", args=[item.pk])).status_code == 404
    fake = SimpleUploadedFile("a.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = client.post(
        reverse("portal:news_edit", args=[item.pk]),
        {"kind": "policy", "title": "政策", "summary": "", "body": "正文", "file": fake},
    )
    assert refused.status_code == 400 and not item.attachments.exists()
    pdf = SimpleUploadedFile("政策.pdf", b"%PDF-1.7 policy", content_type="application/pdf")
    client.post(
        reverse("portal:news_edit", args=[item.pk]),
        {"kind": "policy", "title": "政策", "summary": "", "body": "正文", "file": pdf},
    )
    attachment = item.attachments.get()
    assert attachment.filename == "政策.pdf" and attachment.file.name.startswith("news/")
    got = client.get(reverse("portal:manage_file", args=[attachment.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.7 policy"
    assert Client().get(reverse("portal:news_file", args=[attachment.pk])).status_code == 404
    client.post(reverse("portal:news_publish", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == "published"
    assert Client().get(reverse("portal:news_item", args=[item.pk])).status_code == 200
    public = Client().get(reverse("portal:news_file", args=[attachment.pk]))
    assert public.status_code == 200 and "attachment" in public["Content-Disposition"]
    viewer = make_user("viewer2")
    assert _logged_in(viewer).get(reverse("portal:manage")).status_code == 403


def test_sitemap_and_robots(plan_demo, news):
    xml = Client().get("/sitemap.xml").content.decode()
    case = plan_demo.projects.filter(state="case").first()
    assert reverse("portal:case", args=[case.pk]) in xml
    assert reverse("portal:emf") in xml
    assert reverse("portal:news_item", args=[news.pk]) not in xml  # a draft
    other = plan_demo.projects.exclude(state="case").first()
    assert reverse("portal:case", args=[other.pk]) not in xml
    robots = Client().get("/robots.txt").content.decode()
    assert "Sitemap: " in robots and "Disallow: /portal/requests/" in robots


def test_public_api_lists_only_public_things(plan_demo, news):
    cases = Client().get("/api/v1/portal/cases", {"limit": 100}).json()
    ids = {c["id"] for c in cases["items"]}
    assert ids == set(plan_demo.projects.filter(state="case").values_list("pk", flat=True))
    other = plan_demo.projects.exclude(state="case").first()
    assert Client().get(f"/api/v1/portal/cases/{other.pk}").status_code == 404
    one = Client().get(f"/api/v1/portal/cases/{min(ids)}").json()
    assert "kpis" in one and "lead_unit" not in one
    listed = Client().get("/api/v1/portal/news").json()
    assert listed["count"] == 4 and news.pk not in {n["id"] for n in listed["items"]}
    assert Client().get(f"/api/v1/portal/news/{news.pk}").status_code == 404


def test_progress_page_maps_the_prefectures_by_their_pilots(plan_demo):
    """An SVG of the seven prefectures, shaded by pilots, each named with its count; a few KB."""
    import re

    from xizang5g.portal import maps, selectors

    html = Client().get(reverse("portal:progress"), {"lang": "en"}).content.decode()
    svg = html.split('<figure class="pref-map"', 1)[1].split("</figure>", 1)[0]
    assert svg.count("<path ") == 7 and len(svg) < 20_000
    rows = selectors.public_pilots_by_prefecture()
    top = max(r["pilots"] for r in rows)
    busiest = max(rows, key=lambda r: r["pilots"])
    assert f"<title>{busiest['division'].name_en}: {top}</title>" in svg
    assert maps.SHADES[-1] in svg  # the busiest prefecture is the darkest
    assert re.search(r"d=\"M\d+ \d+l-?\d+ -?\d+", svg), svg[:400]
    assert maps.shade(0, top) == maps.SHADES[0] and maps.shade(1, 10) == maps.SHADES[1]
