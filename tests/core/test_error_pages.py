"""Error pages in the platform's layout and the reader's language, security headers, and the API
documentation behind a login. The suite runs with DEBUG off, as production does."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from xizang5g.core.services import api_token_create
from xizang5g.core.views import csrf_failure, server_error

pytestmark = pytest.mark.django_db

TECHNICAL_PAGE_MARKERS = ("Traceback", "technical_500", "Request Method:", "Using the URLconf")


def _friendly(response, code: int) -> str:
    text = response.content.decode()
    assert response.status_code == code
    assert f'data-error-page="{code}"' in text
    assert not any(marker in text for marker in TECHNICAL_PAGE_MARKERS)
    return text


def test_debug_is_off_in_the_tested_configuration():
    assert settings.DEBUG is False
    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith(
        "CompressedManifestStaticFilesStorage"
    )


def test_unknown_url_answers_the_friendly_404_in_the_readers_language(client, viewer):
    text = _friendly(client.get("/no/such/page/"), 404)
    assert "页面不存在" in text and "登录" in text  # anonymous: offered the log-in
    client.force_login(viewer)
    english = client.get("/no/such/page/", headers={"Accept-Language": "en"})
    assert "Page not found" in _friendly(english, 404)
    tibetan = client.get("/no/such/page/", headers={"Accept-Language": "bo"})
    assert "ཤོག་ངོས་རྙེད་མ་བྱུང་།" in _friendly(tibetan, 404)


def test_forbidden_page_says_whom_to_ask(client, viewer):
    client.force_login(viewer)
    text = _friendly(client.get(reverse("security:rule_add")), 403)
    assert "规划办" in text and reverse("home") in text


def test_the_500_page_needs_neither_the_database_nor_the_request_context():
    request = RequestFactory().get("/plan/")
    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    assert len(queries) == 0
    text = _friendly(response, 500)
    assert "Something went wrong on our side" in text and "plan office" in text


def test_the_400_page_renders_without_a_request():
    with translation.override("zh-hans"):
        text = _friendly(defaults.bad_request(RequestFactory().get("/"), Exception("bad")), 400)
    assert "无法识别该请求" in text


def test_a_csrf_failure_explains_how_to_recover(client, viewer):
    client.force_login(viewer)
    request = RequestFactory().post("/plan/projects/new/")
    request.user = viewer
    request.session = client.session
    with translation.override("zh-hans"):
        text = _friendly(csrf_failure(request, reason="CSRF token missing"), 403)
    assert "此表单已过期" in text
    strict = client.__class__(enforce_csrf_checks=True)
    strict.force_login(viewer)
    assert "此表单已过期" in _friendly(strict.post(reverse("logout")), 403)


def test_the_api_answers_errors_in_json(client):
    missing = client.get("/api/v1/no-such-endpoint", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found.", "errors": []}
    request = RequestFactory().get("/api/v1/plan/projects")
    request.request_id = "r-42"
    failed = server_error(request)
    assert failed.status_code == 500 and "r-42" in json.loads(failed.content)["detail"]


def test_pages_carry_the_security_headers(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("core:alert_list"), secure=True)  # as nginx passes it on
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src-attr")[0]
    assert "'unsafe-eval'" not in csp and "frame-ancestors 'none'" in csp
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["sessionid"]["secure"]


def test_plain_http_is_redirected_in_production(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/accounts/login/", secure=True).status_code == 200


def test_api_documentation_needs_a_login(client, viewer):
    for url in ("/api/v1/docs", "/api/v1/openapi.json"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    token = api_token_create(user=viewer, name="docs")
    schema = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert schema.status_code == 200 and schema.json()["info"]["title"]
    client.force_login(viewer)
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle" in docs and "cdn.jsdelivr" not in docs  # served from our static
