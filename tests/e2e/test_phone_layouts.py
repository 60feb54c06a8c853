"""Every system's main page on a 390 px phone, in Tibetan, with the demo's data: nothing wider
than the screen, no Chinese left in the chrome, and a screenshot per system
(docs/screenshots/phone-bo-<page>.png). The pages are the top navigation's entries, so a system
added later is checked without editing this test."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.e2e.test_ui_language import CHROME, CHROME_TEXT, HAN
from xizang5g.core import registry
from xizang5g.core.choices import Role
from xizang5g.core.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(make_user):
    call_command("demo_setup", verbosity=0)
    return make_user("phone-office", Role.PLAN_ADMIN, Unit.objects.get(code="econ-it"))


def test_main_pages_fit_a_phone_in_tibetan(page, login, screenshot, live_server, demo):
    login("phone-office")
    page.context.add_cookies([{"name": "django_language", "value": "bo", "url": live_server.url}])
    page.set_viewport_size(PHONE)
    too_wide, chinese = [], []
    entries = [
        entry
        for app in registry.platform_apps()
        if app.name.startswith("xizang5g.")  # not the test suite's sample app
        for entry in app.nav
    ]
    for entry in entries:
        url = reverse(entry["url"])
        name = url.strip("/").replace("/", "-") or "home"
        page.goto(url)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            too_wide.append(f"{url}: {width} px")
        for selector, text in page.evaluate(CHROME_TEXT, CHROME):
            if HAN.search(text):
                chinese.append(f"{url} {selector}: {text[:200]}")
        screenshot(f"phone-bo-{name}", full_page=False)
    assert not too_wide, "pages wider than the phone: " + ", ".join(too_wide)
    assert not chinese, f"{len(chinese)} pieces of chrome in Chinese:\n" + "\n".join(
        dict.fromkeys(chinese)
    )
