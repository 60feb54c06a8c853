"""The education dashboards in a real browser: the county overview (ECharts) and a school's
dashboard, with learners pseudonymised except for their own school's staff."""

import pytest

from tests.browser import wait_until
from xizang5g.core.choices import Role
from xizang5g.core.models import Unit
from xizang5g.edu.demo import edu_demo_load
from xizang5g.edu.models import School

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(divisions, make_user, make_unit, tmp_path, settings):
    settings.BASE_DIR = tmp_path  # the demo keys file goes under tmp_path/var
    edu_demo_load(days=9)
    make_user("edu-office", Role.PLAN_ADMIN, make_unit("edu-dept", "西藏自治区教育厅"))
    make_user("edu-lhasa", Role.UNIT_EDITOR, Unit.objects.get(code="edu-lhasa-no1"))


def _canvas(page, selector):
    return page.locator(f"{selector} canvas").count()


def test_county_overview(page, login, screenshot, demo):
    login("edu-office")
    page.goto("/edu/")
    wait_until(lambda: _canvas(page, "#chart-counties") == 1)
    counties = page.inner_text("#county-table")
    for county in ("城关区", "桑珠孜区", "色尼区", "双湖县"):
        assert county in counties
    assert page.locator("#school-table tbody tr").count() == 6
    page.wait_for_timeout(500)
    screenshot("edu-county")


def test_school_dashboard_names_only_for_own_staff(page, login, screenshot, demo):
    school = School.objects.get(code="lhasa-no1")
    login("edu-lhasa")
    page.goto(f"/edu/schools/{school.pk}/")
    wait_until(lambda: _canvas(page, "#chart-daily") == 1 and _canvas(page, "#chart-classes") == 1)
    assert int(page.inner_text("#school-kpis .xz-kpi-value >> nth=0")) > 0
    assert page.locator("#remote-table tbody tr").count() >= 1
    risk = page.inner_text("#risk-table")
    assert "L-" not in risk  # own school: real names
    page.wait_for_timeout(500)
    screenshot("edu-school")
    # another school's dashboard is hidden from this school's staff
    other = School.objects.get(code="nagqu-no1")
    response = page.goto(f"/edu/schools/{other.pk}/")
    assert response.status == 404
    # the department sees the school with pseudonyms only
    page.context.clear_cookies()
    login("edu-office")
    page.goto(f"/edu/schools/{school.pk}/")
    assert "L-" in page.inner_text("#risk-table")
    response = page.request.get(f"/edu/schools/{school.pk}/export.xlsx")
    assert response.status == 200 and response.body()[:2] == b"PK"
