"""The plan API: authentication, OpenAPI, CRUD, lifecycle, role rules, goal attainment as of."""

import json
from datetime import date

import pytest
from django.test import Client

from xizang5g.core.services import api_token_create
from xizang5g.plan import services
from xizang5g.plan.models import Project

BASE = "/api/v1/plan"


class Api:
    """A JSON client authenticated with a personal bearer token."""

    def __init__(self, user):
        self.client = Client()
        # English messages, so assertions can match the source text (the default is zh-hans)
        self.headers = {
            "Authorization": f"Bearer {api_token_create(user=user, name='test')}",
            "Accept-Language": "en",
        }

    def _send(self, method, path, body=None, **params):
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=json.dumps(body, default=str), content_type="application/json")
        elif params:
            kwargs["data"] = params
        response = getattr(self.client, method)(f"{BASE}{path}", **kwargs)
        response.data = response.json() if response.content else None
        return response

    def get(self, path, **params):
        return self._send("get", path, **params)

    def post(self, path, body):
        return self._send("post", path, body)

    def patch(self, path, body):
        return self._send("patch", path, body)

    def delete(self, path):
        return self._send("delete", path)


def _new_project(**extra):
    body = {
        "name": "拉萨5G远程会诊",
        "industry": "medical",
        "scenarios": ["remote-diagnosis"],
        "tasks": ["T02"],
        "work_points": ["WP02"],
        "lead_unit": "health",
        "participating_units": ["cm-xz"],
        "operator": "cm-xz",
        "prefecture": 540100,
        "county": 540102,
        "lon": 91.13,
        "lat": 29.65,
        "budget_wan": "380.50",
        "start_date": "2020-04-01",
        "declared_on": "2020-03-01",
    }
    body.update(extra)
    return body


# --- authentication and schema -----------------------------------------------------------------
def test_no_token_is_401_and_bad_token_is_401(plan):
    client = Client()
    assert client.get(f"{BASE}/projects").status_code == 401
    bad = client.get(f"{BASE}/projects", headers={"Authorization": "Bearer xz5g_nope"})
    assert bad.status_code == 401


def test_session_auth_reads(client, plan, viewer):
    client.force_login(viewer)
    response = client.get(f"{BASE}/plan")
    assert response.status_code == 200
    assert response.json()["code"] == plan.code and response.json()["work_points"] == 9


def test_openapi_lists_the_plan_paths(plan, viewer):
    client = Client()
    client.force_login(viewer)  # the schema is for logged-in users (or API tokens)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/plan/plan",
        "/api/v1/plan/goals",
        "/api/v1/plan/tasks",
        "/api/v1/plan/work-points",
        "/api/v1/plan/units",
        "/api/v1/plan/industries",
        "/api/v1/plan/scenarios",
        "/api/v1/plan/projects",
        "/api/v1/plan/projects/{project_id}",
        "/api/v1/plan/projects/{project_id}/transition",
        "/api/v1/plan/projects/{project_id}/milestones",
        "/api/v1/plan/milestones/{milestone_id}/complete",
        "/api/v1/plan/milestones/{milestone_id}/accept",
        "/api/v1/plan/projects/{project_id}/reports",
        "/api/v1/plan/reports/{report_id}/submit",
        "/api/v1/plan/projects/{project_id}/kpis",
        "/api/v1/plan/kpis/{kpi_id}",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/plan/projects/{project_id}"]) == {"get", "patch", "delete"}


# --- catalogues and plan structure ---------------------------------------------------------------
def test_catalogues_and_work_points(plan, viewer):
    api = Api(viewer)
    assert api.get("/plans/xz-5g-app-2020").data["tasks"] == 11
    assert api.get("/plans/nope").status_code == 404
    units = api.get("/units", kind="operator").data["items"]
    assert {u["code"] for u in units} == {"ct-xz", "cm-xz", "cu-xz"}
    industries = {i["code"]: i for i in api.get("/industries").data["items"]}
    assert "remote-diagnosis" in industries["medical"]["scenarios"]
    scenarios = api.get("/scenarios", industry="medical").data["items"]
    assert all(s["industry"] == "medical" for s in scenarios) and scenarios
    points = api.get("/work-points", as_of="2020-06-30").data["items"]
    assert [p["number"] for p in points] == list(range(1, 10))
    assert {p["progress"]["status"] for p in points} == {"not_started"}
    tasks = api.get("/tasks").data["items"]
    assert len(tasks) == 11 and tasks[1]["code"] == "T02" and "health" in tasks[1]["lead_units"]
    assert api.get("/tasks", as_of="2020-02-30").status_code == 422


# --- CRUD and lifecycle as plan admin -------------------------------------------------------------
def test_project_crud_and_lifecycle_as_plan_admin(plan, plan_admin):
    api = Api(plan_admin)
    created = api.post("/projects", _new_project())
    assert created.status_code == 201, created.data
    project = created.data
    assert project["code"] == "P2020-001" and project["state"] == "declared"
    assert project["county"] == {"adcode": 540102, "name": "城关区"}
    assert project["tasks"] == ["T02"] and project["budget_wan"] == 380.5
    assert project["next_states"]["approved"] == []  # scenario and start date present
    pid = project["id"]

    assert api.get(f"/projects/{pid}").data["name"] == "拉萨5G远程会诊"
    changed = api.patch(f"/projects/{pid}", {"summary": "更新", "scenarios": []})
    assert changed.status_code == 200 and changed.data["summary"] == "更新"
    assert changed.data["scenarios"] == [] and changed.data["tasks"] == ["T02"]

    # a blocked transition: 422 with the blockers
    blocked = api.post(f"/projects/{pid}/transition", {"to_state": "approved"})
    assert blocked.status_code == 422
    assert any("scenario" in e["message"] for e in blocked.data["errors"])
    assert {e["field"] for e in blocked.data["errors"]} == {"to_state"}
    api.patch(f"/projects/{pid}", {"scenarios": ["remote-diagnosis"]})
    moved = api.post(
        f"/projects/{pid}/transition", {"to_state": "approved", "effective_on": "2020-04-01"}
    )
    assert moved.status_code == 200 and moved.data["state"] == "approved"
    skip = api.post(f"/projects/{pid}/transition", {"to_state": "case"})
    assert skip.status_code == 422 and skip.data["errors"]

    milestone = api.post(
        f"/projects/{pid}/milestones", {"title": "专网开通", "due_date": "2020-06-30"}
    )
    assert milestone.status_code == 201
    mid = milestone.data["id"]
    assert api.post(f"/milestones/{mid}/accept", {}).status_code == 422  # not completed yet
    done = api.post(f"/milestones/{mid}/complete", {"completed_on": "2020-06-20"})
    assert done.data["status"] == "completed"
    accepted = api.post(f"/milestones/{mid}/accept", {"accepted_on": "2020-06-25"})
    assert accepted.data["status"] == "accepted" and accepted.data["accepted_by"] == "planoffice"
    assert [m["id"] for m in api.get(f"/projects/{pid}/milestones").data["items"]] == [mid]

    api.post(f"/projects/{pid}/transition", {"to_state": "building", "effective_on": "2020-05-01"})
    draft = api.post(f"/projects/{pid}/reports", {"period": "2020-05-15", "summary": "选址"})
    assert draft.status_code == 200 and draft.data["period"] == "2020-05-01"
    assert draft.data["status"] == "draft"
    again = api.post(f"/projects/{pid}/reports", {"period": "2020-05-01", "summary": "选址完成"})
    assert again.data["id"] == draft.data["id"] and again.data["summary"] == "选址完成"
    submitted = api.post(f"/reports/{draft.data['id']}/submit", {"submitted_on": "2020-06-05"})
    assert submitted.data["status"] == "submitted"
    assert api.post(f"/reports/{draft.data['id']}/submit", {}).status_code == 422
    assert api.get(f"/projects/{pid}/reports").data["count"] == 1

    kpi = api.post(f"/projects/{pid}/kpis", {"name": "月会诊量", "target": 100})
    assert kpi.status_code == 201 and kpi.data["met"] is None
    kpi = api.patch(f"/kpis/{kpi.data['id']}", {"actual": 120})
    assert kpi.data["met"] is True and kpi.data["actual"] == 120.0
    assert api.get(f"/projects/{pid}/kpis").data["items"][0]["name"] == "月会诊量"

    # list with the selector's filters and pagination
    api.post("/projects", _new_project(name="教育试点", industry="education", scenarios=[]))
    page = api.get("/projects", industry="medical", limit=1)
    assert page.data["count"] == 1 and page.data["items"][0]["id"] == pid
    page = api.get("/projects", limit=1, offset=1)
    assert page.data["count"] == 2 and len(page.data["items"]) == 1
    assert (page.data["limit"], page.data["offset"]) == (1, 1)
    assert api.get("/projects", limit=0).status_code == 422
    assert api.get("/projects", limit=501).status_code == 422
    assert api.get("/projects", offset=-1).status_code == 422
    assert api.get("/projects", work_point="WP02", state="building").data["count"] == 1
    assert api.get("/projects", q="教育").data["items"][0]["name"] == "教育试点"
    assert api.get("/projects", state="nonsense").status_code == 422

    # only a declared project can be deleted
    assert api.delete(f"/projects/{pid}").status_code == 422
    other = api.get("/projects", q="教育").data["items"][0]["id"]
    assert api.delete(f"/projects/{other}").status_code == 204
    assert not Project.objects.filter(pk=other).exists()


def test_422_messages_name_the_field(plan, plan_admin):
    api = Api(plan_admin)

    def errors(response) -> dict:
        assert response.status_code == 422, response.data
        return {e["field"]: e["message"] for e in response.data["errors"]}

    response = api.post("/projects", _new_project(industry="pharma"))
    assert "pharma" in errors(response)["industry"] and "industry" in response.data["detail"]
    response = api.post("/projects", _new_project(tasks=["T02", "T99"]))
    assert "T99" in errors(response)["tasks"]
    response = api.post("/projects", _new_project(county=540202))  # Samzhubzê, not Lhasa
    assert "county" in errors(response)
    response = api.post("/projects", _new_project(lon=120.0))
    assert "lon" in errors(response)
    response = api.post("/projects", {"name": "x"})
    assert {"industry", "lead_unit", "prefecture"} <= set(errors(response))
    assert Project.objects.count() == 0


# --- role rules ----------------------------------------------------------------------------------
@pytest.fixture
def two_projects(make_project, plan):
    from xizang5g.core.models import Unit

    own = make_project(name="卫健委项目")
    other = make_project(
        name="教育厅项目",
        industry="education",
        scenarios=("remote-interactive-teaching",),
        unit=Unit.objects.get(code="education-dept"),
    )
    return own, other


def test_another_units_project_is_404_for_every_method(two_projects, health_editor):
    """Reading and writing answer alike (404), so ids reveal nothing about other units."""
    own, other = two_projects
    api = Api(health_editor)
    assert [p["name"] for p in api.get("/projects").data["items"]] == ["卫健委项目"]
    assert api.get(f"/projects/{other.pk}").status_code == 404
    assert api.get(f"/projects/{other.pk}/milestones").status_code == 404
    assert api.get(f"/projects/{other.pk}/reports").status_code == 404
    assert api.get(f"/projects/{other.pk}/kpis").status_code == 404
    assert api.patch(f"/projects/{other.pk}", {"summary": "x"}).status_code == 404
    assert api.delete(f"/projects/{other.pk}").status_code == 404
    assert api.post(f"/projects/{other.pk}/transition", {"to_state": "approved"}).status_code == 404
    body = {"title": "t", "due_date": "2020-06-30"}
    assert api.post(f"/projects/{other.pk}/milestones", body).status_code == 404
    report = {"period": "2020-05-01", "summary": "s"}
    assert api.post(f"/projects/{other.pk}/reports", report).status_code == 404
    assert api.post(f"/projects/{other.pk}/kpis", {"name": "k", "target": 1}).status_code == 404
    other_milestone = services.milestone_create(
        project=other, user=None, title="m", due_date=date(2020, 6, 30)
    )
    assert api.post(f"/milestones/{other_milestone.pk}/complete", {}).status_code == 404
    # registering a project for another unit, or moving its own project to another unit
    assert api.post("/projects", _new_project(lead_unit="education-dept")).status_code == 403
    assert api.patch(f"/projects/{own.pk}", {"lead_unit": "education-dept"}).status_code == 403
    # its own unit's project: fine
    assert api.patch(f"/projects/{own.pk}", {"summary": "本单位"}).status_code == 200
    assert api.post("/projects", _new_project()).status_code == 201
    other.refresh_from_db()
    assert other.summary == "" and other.lead_unit.code == "education-dept"


def test_viewer_gets_403_on_every_write(two_projects, viewer):
    own, _other = two_projects
    milestone = services.milestone_create(
        project=own, user=None, title="m", due_date=date(2020, 6, 30)
    )
    report = services.report_save(project=own, user=None, period=date(2020, 5, 1), summary="s")
    kpi = services.kpi_save(project=own, user=None, name="k", target=1)
    api = Api(viewer)
    assert api.get(f"/projects/{own.pk}").status_code == 200  # a viewer reads everything
    writes = [
        ("post", "/projects", _new_project()),
        ("post", "/projects", {}),  # even an invalid payload: 403, not 422
        ("patch", f"/projects/{own.pk}", {"summary": "x"}),
        ("delete", f"/projects/{own.pk}", None),
        ("post", f"/projects/{own.pk}/transition", {"to_state": "approved"}),
        ("post", f"/projects/{own.pk}/milestones", {"title": "t", "due_date": "2020-06-30"}),
        ("post", f"/milestones/{milestone.pk}/complete", {}),
        ("post", f"/milestones/{milestone.pk}/accept", {}),
        ("post", f"/projects/{own.pk}/reports", {"period": "2020-05-01", "summary": "s"}),
        ("post", f"/reports/{report.pk}/submit", {}),
        ("post", f"/projects/{own.pk}/kpis", {"name": "k", "target": 1}),
        ("patch", f"/kpis/{kpi.pk}", {"actual": 1}),
    ]
    for method, path, body in writes:
        response = api.delete(path) if method == "delete" else getattr(api, method)(path, body)
        assert response.status_code == 403, (method, path, response.status_code, response.data)
    assert Project.objects.count() == 2


# --- goals as of a date --------------------------------------------------------------------------
def test_goal_attainment_as_of_changes_with_project_state(plan, plan_admin, make_project):
    project = make_project(name="远程会诊", declared_on=date(2020, 3, 1))
    services.project_transition(
        project=project, to_state="approved", user=None, effective_on=date(2020, 4, 1)
    )
    services.milestone_create(project=project, user=None, title="m", due_date=date(2020, 9, 30))
    services.project_transition(
        project=project, to_state="building", user=None, effective_on=date(2020, 6, 1)
    )
    api = Api(plan_admin)

    def goal_2020(as_of):
        goals = api.get("/goals", as_of=as_of).data["items"]
        return next(g for g in goals if g["year"] == 2020)

    before = goal_2020("2020-05-31")
    assert before["value"] == 0 and before["target"] == 5 and not before["met"]
    after = goal_2020("2020-06-01")
    assert after["value"] == 1 and after["counted"][0]["code"] == "medical"
    counted = after["counted"][0]["projects"][0]
    assert counted["id"] == project.pk and counted["state"] == "building"
    assert counted["since"] == "2020-06-01" and counted["why"]
    assert after["at_deadline"]["as_of"] == "2020-06-01"
    assert goal_2020("2021-06-01")["at_deadline"]["as_of"] == "2020-12-31"
    assert api.get("/goals", as_of="not-a-date").status_code == 422
    # work point progress follows the same history
    project.work_points.add(plan.work_points.get(code="WP02"))
    points = {p["code"]: p for p in api.get("/work-points", as_of="2020-10-15").data["items"]}
    assert points["WP02"]["progress"]["status"] == "lagging"
    assert points["WP02"]["progress"]["overdue_milestones"] == 1
    points = {p["code"]: p for p in api.get("/work-points", as_of="2020-02-01").data["items"]}
    assert points["WP02"]["progress"]["status"] == "not_started"


def test_goal_projects_of_other_units_are_not_linked_for_a_unit_editor(two_projects, other_editor):
    _own, _other = two_projects
    for project in two_projects:
        services.project_transition(
            project=project, to_state="approved", user=None, effective_on=date(2020, 4, 1)
        )
        services.milestone_create(project=project, user=None, title="m", due_date=date(2021, 1, 1))
        services.project_transition(
            project=project, to_state="building", user=None, effective_on=date(2020, 5, 1)
        )
    goal = next(
        g
        for g in Api(other_editor).get("/goals", as_of="2020-12-31").data["items"]
        if g["year"] == 2020
    )
    refs = {p["name"]: p for item in goal["counted"] for p in item["projects"]}
    assert goal["value"] == 2  # the goal is plan-wide
    assert refs["卫健委项目"]["id"] is None and refs["教育厅项目"]["id"] is not None
