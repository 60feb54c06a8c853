"""Plan supervision in a real browser: roles, dashboard, a project's whole lifecycle, permissions."""

from datetime import date, timedelta

import pytest

from xizang5g.core.choices import Role
from xizang5g.core.models import Unit
from xizang5g.core.services import api_token_create
from xizang5g.plan.demo import demo_load
from xizang5g.plan.loader import plan_load
from xizang5g.plan.models import Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLAN_FILE = "src/xizang5g/plan/data/xizang-5g-2020.yaml"


@pytest.fixture
def demo(divisions):
    plan = plan_load(path=PLAN_FILE).plan
    demo_load(plan=plan)
    return plan


@pytest.fixture
def users(demo, make_user):
    return {
        "planoffice": make_user("planoffice", Role.PLAN_ADMIN, Unit.objects.get(code="econ-it")),
        "hospital": make_user(
            "hospital", Role.UNIT_EDITOR, Unit.objects.get(code="tar-peoples-hospital")
        ),
        "lhasa": make_user("lhasa", Role.UNIT_EDITOR, Unit.objects.get(code="lhasa-gov")),
        "leader": make_user("leader", Role.VIEWER, Unit.objects.get(code="econ-it")),
    }


def test_each_role_sees_the_dashboard(page, login, screenshot, users):
    for username in ("planoffice", "hospital", "leader"):
        login(username)
        page.goto("/plan/")
        page.wait_for_selector("#gauge-G2020 canvas")
        page.wait_for_selector("#project-map canvas")
        assert page.locator("[data-goal]").count() == 3
        assert "5个重点行业开展应用试点" in page.content()
        if username == "planoffice":
            page.wait_for_timeout(600)  # let the map's animation settle before the picture
            screenshot("plan-dashboard")
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(400)
            screenshot("plan-dashboard-mobile")
            page.set_viewport_size({"width": 1440, "height": 900})
        page.context.clear_cookies()


def test_a_project_through_its_lifecycle_between_its_unit_and_the_plan_office(
    page, login, screenshot, users
):
    """The hospital registers and runs its project; the plan office takes the approval steps
    (立项, milestone acceptance, 验收), which the hospital sees but cannot take."""
    login("hospital")
    page.goto("/plan/projects/new/")
    page.fill("#id_name", "5G+院前急救：区人民医院急救车")
    page.select_option("#id_industry", label="医疗健康")
    page.select_option("#id_scenarios", label="院前急救")
    page.select_option("#id_prefecture", label="拉萨市")
    # only Lhasa's counties are offered now
    offered = page.locator("#id_county option:not([disabled])").all_inner_texts()
    assert "城关区" in offered and "日土县" not in offered
    page.select_option("#id_county", label="城关区")
    page.fill("#id_declared_on", (date.today() - timedelta(days=130)).isoformat())
    page.fill("#id_start_date", (date.today() - timedelta(days=120)).isoformat())
    page.click("#project-form button[type=submit]")
    page.wait_for_url("**/plan/projects/*/")
    project = Project.objects.get(name="5G+院前急救：区人民医院急救车")
    assert project.lead_unit.code == "tar-peoples-hospital"
    url = f"/plan/projects/{project.pk}/"
    approve = page.locator("#transitions button[data-state=approved]")
    assert approve.is_disabled() and approve.get_attribute("title")

    def as_user(username: str):
        page.context.clear_cookies()
        login(username)
        page.goto(url)

    def move(state: str, effective_on: date | None = None):
        page.click(f"#transitions button[data-state={state}]")
        modal = page.locator(f"#move-{state}")
        modal.wait_for(state="visible")
        if effective_on:
            modal.locator("input[name=effective_on]").fill(effective_on.isoformat())
        modal.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        project.refresh_from_db()
        assert project.state == state, page.locator(".alert").all_inner_texts()

    as_user("planoffice")
    move("approved", date.today() - timedelta(days=100))
    as_user("hospital")
    # a milestone through HTMX, then construction
    page.fill("#milestone-add input[name=title]", "急救车5G专网接入")
    page.fill(
        "#milestone-add input[name=due_date]", (date.today() - timedelta(days=30)).isoformat()
    )
    page.click("#milestone-add button[type=submit]")
    page.wait_for_selector("#milestone-table >> text=急救车5G专网接入")
    move("building", date.today() - timedelta(days=90))
    # a monthly report with evidence
    page.click("#file-report")
    page.fill("#id_period", (date.today() - timedelta(days=60)).strftime("%Y-%m"))
    page.fill("#id_summary", "完成3台急救车5G终端安装，打通急救中心视频回传。")
    page.check("#id_submit")
    page.set_input_files(
        "#id_attachment",
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}],
    )
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/plan/projects/*/")
    move("trial", date.today() - timedelta(days=20))
    # the hospital completes the milestone (HTMX); its acceptance waits for the plan office
    page.click("#milestone-table button[type=submit]")
    page.wait_for_selector("#milestone-table tr[data-status=completed]")
    assert page.locator("#milestone-table tr[data-status=completed] form").count() == 0
    as_user("planoffice")
    page.click("#milestone-table button[type=submit]")
    page.wait_for_selector("#milestone-table tr[data-status=accepted]")
    page.reload()
    move("accepted")
    screenshot("plan-project-detail")
    assert list(project.transitions.values_list("to_state", flat=True)) == [
        "declared",
        "approved",
        "building",
        "trial",
        "accepted",
    ]


def test_unit_editor_cannot_edit_another_units_project_in_page_or_api(
    page, login, users, live_server
):
    other = Project.objects.exclude(lead_unit__code="lhasa-gov").first()
    login("lhasa")
    response = page.goto(f"/plan/projects/{other.pk}/edit/")
    assert response.status == 404  # another unit's project does not exist for it
    token = api_token_create(user=users["lhasa"], name="e2e")
    api = page.request.patch(
        f"{live_server.url}/api/v1/plan/projects/{other.pk}",
        headers={"Authorization": f"Bearer {token}"},
        data={"name": "改名"},
    )
    assert api.status in (403, 404)
    other.refresh_from_db()
    assert other.name != "改名"


def test_plan_task_and_scorecard_pages(page, login, screenshot, users):
    login("leader")
    page.goto("/plan/overview/?as_of=2022-12-31")
    assert page.locator("#work-points tbody tr").count() == 9
    assert "培育新型消费模式" in page.content()
    screenshot("plan-overview")
    page.click("text=推动“5G+医疗健康”创新发展")
    page.wait_for_url("**/plan/tasks/T02/**")
    assert "区卫生健康委" in page.content()
    page.goto("/plan/scorecards/")
    assert page.locator("#scorecards tbody tr").count() > 10
    screenshot("plan-scorecards", full_page=False)
    # the project list filters in place (HTMX) and keeps the filter in the address bar
    page.goto("/plan/projects/")
    page.select_option("#f-industry", label="医疗健康")
    page.wait_for_url("**industry=medical**")
    rows = page.locator("#project-table tbody tr")
    assert rows.count() >= 1
    assert all("医疗健康" in text for text in rows.all_inner_texts())
