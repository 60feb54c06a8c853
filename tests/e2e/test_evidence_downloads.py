"""Evidence files in production mode (uvicorn, DEBUG off, collected static, HTTPS): the lead unit's
editor and the plan office open every system's dashboard and download the evidence of a monthly
report from the project page; a visitor who is not logged in is sent to the login page, another
unit's editor gets 404, and nothing of the file is reachable under /media/."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser import expect
from xizang5g.core.choices import Role
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.network import services as network
from xizang5g.network.choices import EarthStationPurpose
from xizang5g.plan import services as plan
from xizang5g.plan.loader import plan_load
from xizang5g.plan.models import Industry, Scenario

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLAN_FILE = "src/xizang5g/plan/data/xizang-5g-2020.yaml"
EVIDENCE_NAME = "远程会诊验收报告.pdf"
EVIDENCE = b"%PDF-1.4\n% evidence of the May 2020 report\n" + bytes(range(256)) * 64

# Each system's dashboard and what shows it has drawn (charts need the collected static files).
DASHBOARDS = {
    "/plan/": "#project-map canvas",
    "/network/": "#station-map canvas",
    "/security/": "#chart-timeline canvas",
    "/iot/": "main",
    "/core/alerts/": "main",
}


def _earth_station(make_user) -> None:
    """A protected receiver, which every user sees on the network map."""
    regulator = make_user("regulator", Role.REGULATOR, Unit.objects.get(code="comms-admin"))
    network.earth_station_create(
        user=regulator,
        owner=Unit.objects.get(code="radio-tv"),
        code="ES-LS-01",
        name="拉萨广电卫星接收站",
        purpose=EarthStationPurpose.BROADCASTING,
        lon=91.10,
        lat=29.65,
        diameter_m=4.5,
        satellite="中星6B",
        orbital_lon_deg=115.5,
    )


@pytest.fixture
def evidence(divisions, make_user, settings, tmp_path):
    """A project of the health commission with a monthly report carrying one evidence file, its
    editor, the plan office and the education department's editor."""
    settings.MEDIA_ROOT = tmp_path / "media"
    the_plan = plan_load(path=PLAN_FILE).plan
    _earth_station(make_user)
    health = Unit.objects.get(code="health")
    make_user("health-editor", Role.UNIT_EDITOR, health)
    make_user("planoffice", Role.PLAN_ADMIN, Unit.objects.get(code="econ-it"))
    make_user("edu-editor", Role.UNIT_EDITOR, Unit.objects.get(code="education-dept"))
    project = plan.project_create(
        user=None,
        name="区人民医院5G远程会诊",
        plan=the_plan,
        industry=Industry.objects.get(code="medical"),
        lead_unit=health,
        prefecture=AdminDivision.objects.get(adcode=540100),
        lon=91.13,
        lat=29.65,
        declared_on=date(2020, 3, 1),
        m2m={"scenarios": list(Scenario.objects.filter(code="remote-diagnosis"))},
    )
    report = plan.report_save(
        project=project, user=None, period=date(2020, 5, 1), summary="完成院内5G专网覆盖"
    )
    attachment = plan.attachment_add(
        report=report,
        user=None,
        upload=SimpleUploadedFile(EVIDENCE_NAME, EVIDENCE, content_type="application/pdf"),
    )
    return project, attachment


def _open_dashboards(page) -> None:
    for url, drawn in DASHBOARDS.items():
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        page.wait_for_selector(drawn)
        assert page.url.endswith(url), f"{url} sent us to {page.url}"


def _download_from_project_page(page, project, attachment) -> Path:
    page.goto(f"/plan/projects/{project.pk}/")
    link = page.locator(f"a[href='/plan/attachments/{attachment.pk}/']")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == EVIDENCE_NAME
    return Path(download.path())


@pytest.mark.parametrize("username", ["health-editor", "planoffice"])
def test_a_reader_opens_every_dashboard_and_downloads_the_evidence(
    page, login, screenshot, evidence, username
):
    project, attachment = evidence
    login(username)
    _open_dashboards(page)
    saved = _download_from_project_page(page, project, attachment)
    content = saved.read_bytes()
    assert content == EVIDENCE
    assert hashlib.sha256(content).hexdigest() == attachment.sha256
    if username == "health-editor":
        page.locator(f"a[href='/plan/attachments/{attachment.pk}/']").scroll_into_view_if_needed()
        screenshot("evidence-project-page")


def test_the_evidence_is_refused_to_visitors_and_other_units(page, login, screenshot, evidence):
    project, attachment = evidence
    url = f"/plan/attachments/{attachment.pk}/"
    # Not logged in: sent to the login page, which returns here afterwards; no file bytes.
    anonymous = page.request.get(url, max_redirects=0)
    assert anonymous.status == 302
    assert anonymous.headers["location"].startswith("/accounts/login/?next=")
    assert EVIDENCE[:8] not in anonymous.body()
    page.goto(url)
    assert "/accounts/login/" in page.url
    expect(page.locator("#id_username")).to_be_visible()
    # Another unit's editor: 404, exactly like an attachment that does not exist.
    login("edu-editor")
    refused = page.goto(url)
    assert refused.status == 404
    screenshot("evidence-other-unit-404")
    missing = page.request.get("/plan/attachments/987654321012/")
    assert missing.status == 404
    assert EVIDENCE[:8] not in page.request.get(url).body()
    # The stored file has no URL: neither its storage name nor the old predictable layout.
    page.context.clear_cookies()
    login("planoffice")
    for path in (
        f"/media/{attachment.file.name}",
        f"/media/evidence/{project.pk}/2020-05/{EVIDENCE_NAME}",
        "/media/evidence/",
        "/media/",
    ):
        response = page.request.get(path)
        assert response.status == 404, f"{path} answered {response.status}"
        assert EVIDENCE[:8] not in response.body()
    # Logged in as the plan office the same browser downloads it through the view.
    allowed = page.request.get(url)
    assert allowed.status == 200 and allowed.body() == EVIDENCE
    assert "attachment" in allowed.headers["content-disposition"]
