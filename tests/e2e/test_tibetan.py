"""Tibetan in a real browser: the webfont served from static, the header readable, the menu.

The reader picks བོད་ཡིག in the language menu; the login page and the plan dashboard then render
in Tibetan with Noto Serif Tibetan loaded from /static/ (no CDN), the header's Tibetan subtitle
below its title (it overlapped), and a Chinese page does not fetch the Tibetan font at all.
Screenshots: docs/screenshots/bo-*.png.
"""

import pytest

from xizang5g.core.choices import Role
from xizang5g.core.models import Unit
from xizang5g.plan.demo import demo_load
from xizang5g.plan.loader import plan_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLAN_FILE = "src/xizang5g/plan/data/xizang-5g-2020.yaml"
FONT = "Noto Serif Tibetan"
FONT_STATUS = f"""async () => {{
  await document.fonts.ready;
  const faces = [...document.fonts].filter((f) => f.family.replace(/"/g, "") === "{FONT}");
  return {{
    statuses: faces.map((f) => f.status),
    check: document.fonts.check('16px "{FONT}"', "བོད་ཡིག"),
    lang: document.documentElement.lang,
  }};
}}"""
BOXES = """() => [".xz-brand-title", ".xz-brand-sub"].map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, height: r.height};
})"""


@pytest.fixture
def font_requests(page):
    """URLs of the Tibetan font fetched by the page."""
    fetched = []
    page.on(
        "response",
        lambda response: (
            fetched.append((response.url, response.status))
            if "noto-serif-tibetan" in response.url
            else None
        ),
    )
    return fetched


def _assert_font_loaded(page, font_requests):
    fonts = page.evaluate(FONT_STATUS)
    assert fonts["lang"] == "bo"
    assert fonts["statuses"] == ["loaded"], fonts
    assert fonts["check"], fonts
    assert font_requests, "the Tibetan font was not fetched"
    url, status = font_requests[-1]
    assert status == 200 and "/static/vendor/noto-serif-tibetan/" in url and url.endswith(".woff2")


def _assert_header_readable(page):
    title, subtitle = page.evaluate(BOXES)
    assert title["height"] > 0 and subtitle["height"] > 0
    assert subtitle["top"] >= title["bottom"] - 0.5, (title, subtitle)


def test_tibetan_pages_load_the_font_and_the_header_does_not_overlap(
    page, login, screenshot, font_requests, divisions, make_user
):
    plan = plan_load(path=PLAN_FILE).plan
    demo_load(plan=plan)
    make_user("planoffice", Role.PLAN_ADMIN, Unit.objects.get(code="econ-it"))

    # A Chinese page names Tibetan in Tibetan but does not download the font for it.
    page.goto("/accounts/login/")
    page.wait_for_load_state("networkidle")
    assert page.locator("select[name=language] option[value=bo]").inner_text() == "བོད་ཡིག"
    assert not font_requests, font_requests

    # The reader switches to Tibetan with the language menu.
    page.select_option("select[name=language]", "bo")
    page.wait_for_function("() => document.documentElement.lang === 'bo'")
    page.wait_for_load_state("networkidle")
    _assert_font_loaded(page, font_requests)
    _assert_header_readable(page)
    assert "ནང་འཛུལ།" in page.content()  # "Log in"
    screenshot("bo-login")

    login("planoffice")
    page.goto("/plan/")
    page.wait_for_selector("#gauge-G2020 canvas")
    _assert_font_loaded(page, font_requests)
    _assert_header_readable(page)
    assert "འཆར་གཞི་ལྟ་སྐུལ།" in page.content()  # "Plan supervision"
    page.wait_for_timeout(600)  # the map's animation settles before the picture
    screenshot("bo-plan-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(400)
    screenshot("bo-plan-dashboard-mobile", full_page=False)
