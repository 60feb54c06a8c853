"""Production mode in the browser: friendly error pages, security headers, the password pages and
the API documentation, all without a Content-Security-Policy violation (the `page` fixture
fails a test whose pages report one)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import expect
from tests.conftest import TEST_PASSWORD
from xizang5g.core.choices import Role
from xizang5g.core.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TECHNICAL = ("Traceback", "Request Method:", "Using the URLconf", "DEBUG = True")


def _no_technical_page(page) -> None:
    text = page.content()
    assert not any(marker in text for marker in TECHNICAL), text[:500]


def test_unknown_url_and_forbidden_page_are_friendly(page, login, screenshot, make_user):
    response = page.goto("/no/such/page/")
    assert response.status == 404
    _no_technical_page(page)
    expect(page.locator("[data-error-page='404'] h1")).to_have_text("页面不存在")
    assert page.locator("[data-error-page='404'] a[href^='/accounts/login/']").count() == 1
    screenshot("error-404", full_page=False)

    make_user("leader", Role.VIEWER)
    login("leader")
    response = page.goto("/network/studies/999999/report.xlsx")
    assert response.status in (403, 404)  # a page, even for a download URL
    _no_technical_page(page)
    response = page.goto("/security/rules/new/")
    assert response.status == 403
    _no_technical_page(page)
    expect(page.locator("[data-error-page='403'] h1")).to_have_text("无权访问")
    assert "规划办" in page.inner_text("[data-error-page='403']")
    screenshot("error-403", full_page=False)
    # "Go back" returns to the page before, without inline script.
    page.goto("/core/alerts/")
    page.goto("/no/such/page/")
    page.click("[data-history-back]")
    page.wait_for_url("**/core/alerts/")


def test_every_page_carries_the_security_headers(page, login, make_user):
    make_user("leader", Role.VIEWER)
    login("leader")
    headers = page.goto("/core/alerts/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    assert headers["strict-transport-security"].startswith("max-age=")
    static = page.request.get(page.locator("link[href*='bootstrap.min']").get_attribute("href"))
    assert static.ok and "immutable" in static.headers["cache-control"]  # hashed, from WhiteNoise


def test_change_password_from_the_user_menu(page, login, screenshot, make_user):
    make_user("leader", Role.VIEWER)
    login("leader")
    page.goto("/core/alerts/")
    page.click("header .dropdown-toggle")
    page.click("header .dropdown-menu a[href='/accounts/password/change/']")
    page.fill("#id_old_password", TEST_PASSWORD)
    page.fill("#id_new_password1", "abcdefghij")
    page.fill("#id_new_password2", "abcdefghij")
    page.click("#password-change-form button[type=submit]")
    expect(page.locator("#id_new_password2 ~ .invalid-feedback").first).to_be_visible()
    screenshot("password-change-errors", full_page=False)
    page.fill("#id_old_password", TEST_PASSWORD)
    page.fill("#id_new_password1", "Namtso-4718-Lake!")
    page.fill("#id_new_password2", "Namtso-4718-Lake!")
    page.click("#password-change-form button[type=submit]")
    page.wait_for_selector("#password-changed")
    assert User.objects.get(username="leader").check_password("Namtso-4718-Lake!")


def test_an_expired_password_must_be_changed_before_anything_else(page, login, make_user):
    user = make_user("leader", Role.VIEWER)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=120))
    login("leader")
    page.goto("/core/alerts/")
    page.wait_for_url("**/accounts/password/change/")
    assert page.locator("#password-expired").is_visible()


def test_api_documentation_renders_for_a_logged_in_user(page, login, make_user):
    page.goto("/api/v1/docs")
    page.wait_for_url("**/accounts/login/**")
    make_user("leader", Role.VIEWER)
    login("leader")
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Xizang 5G Application Platform API" in page.inner_text(".swagger-ui .info")
