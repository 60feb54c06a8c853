"""/api/v1/network/: stations, studies (start, progress, results), cases, EMF, KPIs."""

import pytest
from django.test import override_settings

from xizang5g.core.services import api_token_create

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _client(client, user):
    token = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=IMMEDIATE)
def test_study_lifecycle_through_the_api(region, regulator, client):
    api = _client(client, regulator)
    r = api.post(
        "/api/v1/network/studies",
        {"name": "api", "scope": "all", "coordination_km": 30},
        content_type="application/json",
    )
    assert r.status_code == 202, r.content
    study_id = r.json()["id"]
    r = api.get(f"/api/v1/network/studies/{study_id}")
    body = r.json()
    assert body["status"] == "done" and body["progress"] == 100 and body["summary"]["n_pairs"] == 18
    assert body["engine_version"].startswith("radio-p452-18@") and body["terrain_synthetic"] is True
    stations = api.get(f"/api/v1/network/studies/{study_id}/stations").json()["items"]
    assert len(stations) == 2 and stations[0]["worst_margin_db"] <= stations[1]["worst_margin_db"]
    failing = api.get(f"/api/v1/network/studies/{study_id}/pairs?failing=true").json()["items"]
    assert failing and all(not p["passes"] for p in failing)
    r = api.post(
        "/api/v1/network/studies",
        {"name": "bad", "scope": "all", "coordination_km": 500},
        content_type="application/json",
    )
    assert r.status_code == 422


@pytest.mark.django_db
def test_cells_and_cases_respect_units(region, ct_editor, cm_editor, client):
    api = _client(client, ct_editor)
    cells = api.get("/api/v1/network/cells?limit=100").json()["items"]
    assert cells and {c["operator"] for c in cells} == {"ct-xz"}
    own = next(c for c in cells if c["code"] == "S0-2")
    r = api.patch(
        f"/api/v1/network/cells/{own['id']}", {"azimuth_deg": 250}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["azimuth_deg"] == 250
    r = api.patch(
        f"/api/v1/network/cells/{own['id']}", {"azimuth_deg": 400}, content_type="application/json"
    )
    assert r.status_code == 422
    es = api.get("/api/v1/network/earth-stations").json()["items"][0]
    r = api.post(
        "/api/v1/network/cases",
        {"earth_station_id": es["id"], "cell_ids": [own["id"]]},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["state"] == "applied"
    case_id = r.json()["id"]
    assert (
        api.post(
            f"/api/v1/network/cases/{case_id}/advance", {}, content_type="application/json"
        ).status_code
        == 403
    )
    other = _client(client.__class__(), cm_editor)
    assert other.get(f"/api/v1/network/cases/{case_id}").status_code == 404
    assert (
        other.post(
            "/api/v1/network/studies", {"name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_emf_and_kpi_endpoints(region, regulator, client):
    api = _client(client, regulator)
    site_id = api.get("/api/v1/network/sites").json()["items"][0]["id"]
    r = api.post(f"/api/v1/network/sites/{site_id}/emf")
    assert r.status_code == 201 and r.json()["n_cells"] == 3
    assert api.get("/api/v1/network/emf/assessments").json()["count"] == 1
    kpis = api.get("/api/v1/network/kpis/coverage?level=prefecture").json()
    assert kpis["count"] == 7 and {"share", "sites_per_10k"} <= set(kpis["items"][0])
    assert api.get("/api/v1/network/kpis/coverage?level=village").status_code == 422
    nothing_yet = api.get("/api/v1/network/kpis/new-consumption").json()
    assert nothing_yet["month"] is None and set(nothing_yet.values()) == {None}
    assert "network" in str(api.get("/api/v1/openapi.json").json()["paths"].keys())
