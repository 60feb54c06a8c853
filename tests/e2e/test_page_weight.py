"""What a county office's link carries on a first visit: every byte transferred (headers and
compressed bodies, the browser cache off) until the page is idle, in production mode.

Goal (issue "Three languages in full…"): ≤ 350 KB for the login page and each system's dashboard,
about 3 s on a 1 Mbit/s link. The numbers are printed for the record.
"""

import pytest

from xizang5g.core.choices import Role
from xizang5g.core.services import divisions_load
from xizang5g.plan.loader import plan_load
from xizang5g.plan.management.commands.demo_setup import PLAN_FILE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUDGET = 350 * 1024
PAGES = ("/accounts/login/", "/plan/", "/network/", "/security/", "/iot/", "/core/alerts/")


class WireMeter:
    """Bytes on the wire per page load, from Chromium's network events (DevTools protocol)."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.total = 0
        self.files: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self.session.on("Network.responseReceived", self._response)
        self.session.on("Network.loadingFinished", self._finished)

    def _response(self, event):
        self.urls[event["requestId"]] = event["response"]["url"]

    def _finished(self, event):
        size = int(event["encodedDataLength"])
        self.total += size
        url = self.urls.get(event["requestId"], "?")
        self.files[url.rsplit("/", 1)[-1][:48]] = size

    def reset(self):
        self.total, self.files = 0, {}


@pytest.fixture
def office(make_user, make_unit):
    divisions_load()
    plan_load(path=PLAN_FILE)
    return make_user("weigher", Role.PLAN_ADMIN, make_unit("econ-it", "西藏自治区经济和信息化厅"))


def test_first_visits_fit_a_county_link(page, login, office, capsys):
    meter = WireMeter(page)
    weights = {}
    page.goto(PAGES[0])
    page.wait_for_load_state("networkidle")
    weights[PAGES[0]] = (meter.total, dict(meter.files))
    login("weigher")
    for path in PAGES[1:]:
        meter.reset()
        page.goto(path)
        page.wait_for_load_state("networkidle")
        weights[path] = (meter.total, dict(meter.files))
    with capsys.disabled():
        print("\nfirst visit, bytes on the wire (cache off):")
        for path, (total, files) in weights.items():
            largest = sorted(files.items(), key=lambda kv: -kv[1])[:4]
            print(f"  {path:<18} {total / 1024:7.1f} KB   largest: {largest}")
    heavy = {path: round(total / 1024) for path, (total, _f) in weights.items() if total > BUDGET}
    assert not heavy, f"pages over {BUDGET // 1024} KB on first visit (KB): {heavy}"
