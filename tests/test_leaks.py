"""Regression tests of the leaks closed under "Safe to run", one per leak, through the real pages
and the API (Django's test client). Each test is named after the leak it closes; the leaks that
other tests already pin down are listed in docs/security.md with those tests."""

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from tests.iot.conftest import THING_MODEL
from xizang5g.core.choices import AlertSource, AlertState, Role, UnitKind
from xizang5g.core.models import AdminDivision, Alert, Unit
from xizang5g.core.services import alert_raise, api_token_create, user_create
from xizang5g.iot import services as iot
from xizang5g.iot.models import Device
from xizang5g.network import services as network
from xizang5g.network.models import EmfMeasurement
from xizang5g.plan import services as plan
from xizang5g.plan.loader import plan_load
from xizang5g.plan.models import Industry, Milestone, Project, Scenario

pytestmark = pytest.mark.django_db

PLAN_FILE = "src/xizang5g/plan/data/xizang-5g-2020.yaml"
PASSWORD = "Xz5g-Leaks-Passw0rd!"


# --- a small platform: two units with a project each, and their editors -----------------------
@pytest.fixture
def the_plan(divisions):
    return plan_load(path=PLAN_FILE).plan


@pytest.fixture
def health(the_plan):
    return Unit.objects.get(code="health")


@pytest.fixture
def education(the_plan):
    return Unit.objects.get(code="education-dept")


def _user(username: str, role: str, unit: Unit | None = None):
    return user_create(username=username, password=PASSWORD, role=role, unit=unit)


@pytest.fixture
def health_editor(health):
    return _user("health-editor", Role.UNIT_EDITOR, health)


@pytest.fixture
def office(the_plan):
    return _user("planoffice", Role.PLAN_ADMIN, Unit.objects.get(code="econ-it"))


def _project(the_plan, unit: Unit, name: str, *, lon: float, lat: float) -> Project:
    return plan.project_create(
        user=None,
        name=name,
        plan=the_plan,
        industry=Industry.objects.get(code="medical"),
        lead_unit=unit,
        prefecture=AdminDivision.objects.get(adcode=540100),
        lon=lon,
        lat=lat,
        declared_on=date(2020, 3, 1),
        start_date=date(2020, 3, 1),
        m2m={
            "scenarios": list(Scenario.objects.filter(code="remote-diagnosis")),
            "tasks": list(the_plan.tasks.filter(code="T02")),
            "work_points": list(the_plan.work_points.filter(code="WP02")),
        },
    )


@pytest.fixture
def ours(the_plan, health):
    return _project(the_plan, health, "卫健委远程会诊试点", lon=91.1, lat=29.6)


@pytest.fixture
def theirs(the_plan, education):
    return _project(the_plan, education, "教育厅机密试点", lon=91.2, lat=29.7)


def _logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _api(user) -> Client:
    """A client that calls the API with a personal bearer token, in English."""
    token = api_token_create(user=user, name="leak test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def _post_json(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


# --- IoT: binding a device to another unit's product, or to a project it cannot see ----------
@pytest.fixture
def products(health, education):
    return {
        "own": iot.product_create(name="卫健委体征终端", unit=health, thing_model=THING_MODEL),
        "other": iot.product_create(name="教育厅机密终端", unit=education, thing_model=THING_MODEL),
        "shared": iot.product_create(name="平台通用终端", thing_model=THING_MODEL),
    }


def test_device_cannot_be_bound_to_another_units_product_through_the_api(
    health_editor, products, ours
):
    api = _api(health_editor)
    device = {"name": "ward-01", "unit": "health", "project": ours.code}
    refused = _post_json(
        api, "/api/v1/iot/devices", {**device, "product_key": products["other"].product_key}
    )
    assert refused.status_code == 404  # as if the product did not exist
    assert not Device.objects.exists()
    for kind in ("own", "shared"):
        created = _post_json(
            api,
            "/api/v1/iot/devices",
            {**device, "name": f"ward-{kind}", "product_key": products[kind].product_key},
        )
        assert created.status_code == 201, created.content
    assert set(Device.objects.values_list("product__name", flat=True)) == {
        "卫健委体征终端",
        "平台通用终端",
    }


def test_device_cannot_be_bound_to_a_project_its_unit_cannot_see_through_the_api(
    health_editor, products, theirs
):
    response = _post_json(
        _api(health_editor),
        "/api/v1/iot/devices",
        {
            "product_key": products["own"].product_key,
            "name": "ward-02",
            "unit": "health",
            "project": theirs.code,
        },
    )
    assert response.status_code == 404
    assert not Device.objects.exists()


def test_bulk_create_form_offers_only_own_and_shared_products_and_visible_projects(
    health_editor, products, ours, theirs
):
    client = _logged_in(health_editor)
    page = client.get(reverse("iot:device_bulk_create"))
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields["product"].queryset) == {products["own"], products["shared"]}
    assert [pilot.pk for pilot in form.fields["project"].queryset] == [ours.pk]  # its pilot
    assert list(form.fields["unit"].queryset) == [health_editor.unit]
    html = page.text
    assert "教育厅机密终端" not in html and "教育厅机密试点" not in html
    # Posting the hidden ids anyway: refused as invalid choices, nothing created.
    for data in (
        {"product": products["other"].pk, "project": ours.pk},
        {"product": products["own"].pk, "project": theirs.pk},
    ):
        response = client.post(
            reverse("iot:device_bulk_create"),
            {**data, "unit": health_editor.unit_id, "prefix": "bulk-", "count": 2, "start": 1},
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert not Device.objects.exists()


# --- network: EMF measurements naming another operator's site --------------------------------
@pytest.fixture
def operator_sites(divisions, make_unit):
    regulator = _user("regulator", Role.REGULATOR, make_unit("xz-ca", "通信管理局"))
    ct = make_unit("ct-xz", "中国电信西藏分公司", UnitKind.OPERATOR)
    cm = make_unit("cm-xz", "中国移动西藏公司", UnitKind.OPERATOR)
    for unit, code in ((ct, "CT-001"), (cm, "CM-001")):
        network.site_create(
            user=regulator, operator=unit, code=code, name=code, lon=91.1, lat=29.65
        )
    return _user("ct-editor", Role.UNIT_EDITOR, ct)


def _emf_csv(rows: list[list]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _key, header, _required, _parse in network.EMF_COLUMNS])
    writer.writerows(rows)
    upload = io.BytesIO(out.getvalue().encode("utf-8"))
    upload.name = "emf.csv"
    return upload


def test_emf_upload_naming_another_operators_site_is_refused_and_writes_nothing(
    operator_sites,
):
    ct_editor = operator_sites
    client = _logged_in(ct_editor)
    # Row 2 is the editor's own site, row 3 another operator's; both exceed the limit.
    upload = _emf_csv(
        [
            ["自家站址旁", "CT-001", 91.1, 29.65, "2024-05-01 10:00", 3500, 30.0, "监测站"],
            ["别家站址旁", "CM-001", 91.1, 29.65, "2024-05-01 10:30", 3500, 30.0, "监测站"],
        ]
    )
    response = client.post(reverse("network:emf"), {"file": upload})
    assert response.status_code == 422
    errors = [(e["row"], e["column"]) for e in response.context["row_errors"]]
    assert errors == [(3, "site_code")]
    assert "not a site of yours" in response.text
    assert not EmfMeasurement.objects.exists()
    assert not Alert.objects.filter(source=AlertSource.EMF).exists()


# --- alert centre: acknowledging alerts one may not handle -----------------------------------
@pytest.fixture
def alerts(health, education):
    made = {}
    for name, unit, source in (
        ("own", health, AlertSource.DEVICE_RULE),
        ("other", education, AlertSource.DEVICE_RULE),
        ("security", education, AlertSource.SECURITY),
    ):
        made[name], _created = alert_raise(
            source=source, dedup_key=f"leaks:{name}", title=f"告警 {name}", unit=unit
        )
    return made


def test_bulk_acknowledge_through_the_api_leaves_invisible_alerts_unchanged(health_editor, alerts):
    response = _post_json(
        _api(health_editor),
        "/api/v1/core/alerts/acknowledge",
        {"ids": [a.pk for a in alerts.values()], "note": "批量确认"},
    )
    assert response.status_code == 200, response.content
    states = {name: Alert.objects.get(pk=a.pk).state for name, a in alerts.items()}
    assert states == {
        "own": AlertState.ACKNOWLEDGED,
        "other": AlertState.OPEN,
        "security": AlertState.OPEN,
    }


def test_security_operator_cannot_acknowledge_a_device_alert(the_plan, alerts):
    operator = _user("secops", Role.SECURITY_OPERATOR, Unit.objects.get(code="econ-it"))
    client = _logged_in(operator)
    ids = [alerts["other"].pk, alerts["security"].pk]
    client.post(reverse("core:alert_bulk_acknowledge"), {"ids": ids, "note": "x"})
    # It reads every alert but handles only security ones: the page says so, the API refuses.
    detail = client.post(
        reverse("core:alert_detail", args=[alerts["other"].pk]),
        {"action": "acknowledge"},
        follow=True,
    )
    assert detail.status_code == 200 and "You may not change this." in detail.text
    api = _post_json(
        _api(operator), f"/api/v1/core/alerts/{alerts['other'].pk}/acknowledge", {"note": "x"}
    )
    assert api.status_code == 403
    assert Alert.objects.get(pk=alerts["other"].pk).state == AlertState.OPEN
    assert Alert.objects.get(pk=alerts["security"].pk).state == AlertState.ACKNOWLEDGED


# --- change history of a deleted object of another unit ---------------------------------------
def test_history_of_a_deleted_object_of_another_unit_is_404_like_a_missing_one(
    health_editor, office, theirs
):
    milestone = plan.milestone_create(
        project=theirs, user=office, title="机密里程碑", due_date=date(2020, 6, 30)
    )
    milestone_id = milestone.pk
    plan.milestone_delete(milestone=milestone, user=office)
    ct = ContentType.objects.get_for_model(Milestone)
    url = reverse("core:history", args=[ct.pk, milestone_id])
    missing = reverse("core:history", args=[ct.pk, 987654321])
    editor = _logged_in(health_editor)
    hidden = editor.get(url)
    assert hidden.status_code == 404 and "机密里程碑" not in hidden.text
    assert editor.get(missing).status_code == 404
    shown = _logged_in(office).get(url)
    assert shown.status_code == 200 and "机密里程碑" in shown.text


# --- plan pages: a unit editor's map, overview links and exports -----------------------------
def _dashboard_points(html: str) -> list[dict]:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert match, "the dashboard carries its chart data"
    return json.loads(match.group(1))["points"]


def test_dashboard_map_of_a_unit_editor_holds_only_its_projects(health_editor, ours, theirs):
    html = _logged_in(health_editor).get(reverse("plan:dashboard")).text
    points = _dashboard_points(html)
    assert [p["name"] for p in points] == [ours.name]
    assert [p["url"] for p in points] == [f"/plan/projects/{ours.pk}/"]
    assert theirs.name not in html


PLAN_PAGES = (
    ("plan:dashboard", {}),
    ("plan:plan_detail", {}),
    ("plan:task_detail", {"code": "T02"}),
    ("plan:work_point_detail", {"code": "WP02"}),
    ("plan:scorecards", {}),
    ("plan:project_list", {}),
)


def test_project_links_on_a_unit_editors_plan_pages_all_open(health_editor, ours, theirs):
    """Region-wide pages used to link every project, and a unit editor's clicks ended in 404."""
    client = _logged_in(health_editor)
    linked = set()
    for name, kwargs in PLAN_PAGES:
        page = client.get(reverse(name, kwargs=kwargs))
        assert page.status_code == 200, name
        linked |= {int(pk) for pk in re.findall(r"/plan/projects/(\d+)/", page.text)}
    assert linked == {ours.pk}
    for pk in linked:
        assert client.get(reverse("plan:project_detail", args=[pk])).status_code == 200


def _subtitle(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return str(sheet["A2"].value)


@pytest.mark.parametrize("export", ["plan:progress_export", "plan:scorecards_export"])
def test_exports_say_whose_projects_they_count(export, health_editor, office, ours, theirs):
    mine = _subtitle(_logged_in(health_editor).get(reverse(export)).content)
    assert "全区" not in mine
    assert f"{health_editor.unit}牵头、参与或承建的项目" in mine
    region = _subtitle(_logged_in(office).get(reverse(export)).content)
    assert "范围：全区" in region
    if export == "plan:progress_export":
        assert "共 1 个试点项目" in mine and "共 2 个试点项目" in region


# --- plan: approval steps (立项, 验收, 典型案例) are the plan office's ------------------------
def _transition_page(client: Client, project: Project, to_state: str):
    return client.post(
        reverse("plan:project_transition", args=[project.pk]),
        {"to_state": to_state, "effective_on": date.today().isoformat()},
    )


def _transition_api(client: Client, project: Project, to_state: str):
    return _post_json(
        client,
        f"/api/v1/plan/projects/{project.pk}/transition",
        {"to_state": to_state, "effective_on": date.today().isoformat()},
    )


def _state(project: Project) -> str:
    return Project.objects.get(pk=project.pk).state


def _refused_both_ways(editor, project: Project, to_state: str) -> None:
    before = _state(project)
    assert _transition_page(_logged_in(editor), project, to_state).status_code == 403
    assert _transition_api(_api(editor), project, to_state).status_code == 403
    assert _state(project) == before


def test_unit_editor_cannot_approve_accept_or_promote_its_own_project(health_editor, ours):
    _refused_both_ways(health_editor, ours, "approved")  # 立项
    plan.project_transition(project=ours, to_state="approved", user=None)
    milestone = plan.milestone_create(
        project=ours, user=health_editor, title="专网开通", due_date=date(2020, 6, 30)
    )
    plan.project_transition(project=ours, to_state="building", user=health_editor)
    plan.report_save(
        project=ours, user=health_editor, period=date(2020, 5, 1), summary="完成", submit=True
    )
    plan.project_transition(project=ours, to_state="trial", user=health_editor)
    plan.milestone_complete(milestone=milestone, user=health_editor)
    # Milestone acceptance (验收 of a milestone): the page's "advance" button and the API.
    client = _logged_in(health_editor)
    advance = client.post(reverse("plan:milestone_advance", args=[milestone.pk]))
    assert advance.status_code == 403
    accept = _post_json(_api(health_editor), f"/api/v1/plan/milestones/{milestone.pk}/accept", {})
    assert accept.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).status == "completed"
    plan.milestone_accept(milestone=milestone, user=None)
    _refused_both_ways(health_editor, ours, "accepted")  # 验收
    plan.project_transition(project=ours, to_state="accepted", user=None)
    plan.kpi_save(project=ours, user=health_editor, name="会诊量", target=100, actual=120)
    _refused_both_ways(health_editor, ours, "case")  # 典型案例
    assert _state(ours) == "accepted"
