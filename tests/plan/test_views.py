from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from xizang5g.core.models import AdminDivision
from xizang5g.plan.models import Industry, Project


@pytest.fixture
def project(make_project):
    return make_project(name="区人民医院远程会诊", declared_on=date(2020, 3, 1))


def _client(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("plan:dashboard", "西藏自治区5G应用实施方案"),
        ("plan:plan_detail", "培育新型消费模式"),
        ("plan:project_list", "区人民医院远程会诊"),
        ("plan:scorecards", "区卫生健康委"),
    ],
)
def test_pages_render_for_a_viewer(client, viewer, project, name, expected):
    response = _client(client, viewer).get(reverse(name))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_pages_need_login(client, plan):
    response = client.get(reverse("plan:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dashboard_shows_goals_and_chinese_ui(client, viewer, project):
    html = _client(client, viewer).get(reverse("plan:dashboard")).content.decode()
    assert "5个重点行业开展应用试点" in html
    assert "规划督办" in html or "Plan supervision" in html


def test_another_units_project_pages_are_404(client, other_editor, project):
    """Every page of another unit's project answers 404 alike: ids reveal nothing."""
    response = _client(client, other_editor).get(reverse("plan:project_edit", args=[project.pk]))
    assert response.status_code == 404
    assert client.get(reverse("plan:project_detail", args=[project.pk])).status_code == 404
    assert (
        client.post(
            reverse("plan:project_transition", args=[project.pk]), {"to_state": "approved"}
        ).status_code
        == 404
    )


def test_viewer_cannot_edit(client, viewer, project):
    assert (
        _client(client, viewer).get(reverse("plan:project_edit", args=[project.pk])).status_code
        == 403
    )
    assert client.get(reverse("plan:project_create")).status_code == 403


def test_unit_editor_registers_and_the_plan_office_approves(
    client, health_editor, plan_admin, plan
):
    c = _client(client, health_editor)
    response = c.post(
        reverse("plan:project_create"),
        {
            "name": "5G院前急救",
            "industry": Industry.objects.get(code="medical").pk,
            "lead_unit": health_editor.unit_id,
            "prefecture": AdminDivision.objects.get(adcode=540100).pk,
            "scenarios": [plan.tasks.get(code="T02").scenarios.first().pk],
            "declared_on": "2020-04-01",
            "start_date": "2020-05-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="5G院前急救")
    detail = c.get(
        reverse("plan:project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "5G院前急救" in detail and "The plan office takes this step." in detail
    move = {"to_state": "approved", "effective_on": date.today().isoformat()}
    assert c.post(reverse("plan:project_transition", args=[project.pk]), move).status_code == 403
    project.refresh_from_db()
    assert project.state == "declared"
    office = Client()
    office.force_login(plan_admin)
    office.post(reverse("plan:project_transition", args=[project.pk]), move)
    project.refresh_from_db()
    assert project.state == "approved"


def test_history_page_lists_changes(client, plan_admin, project):
    from xizang5g.plan.services import project_update

    project_update(project=project, user=plan_admin, name="新名称")
    c = _client(client, plan_admin)
    html = c.get(reverse("plan:project_detail", args=[project.pk])).content.decode()
    import re

    history = re.search(r'href="(/core/history/[^"]+)"', html).group(1)
    page = c.get(history).content.decode()
    assert "新名称" in page and "区人民医院远程会诊" in page


def test_map_geojson_is_public_reference_data(client, divisions):
    data = client.get(reverse("plan:map_geojson")).json()
    assert len(data["features"]) == 7


def test_dashboard_shows_new_consumption_from_operators_reports(client, viewer, project):
    from xizang5g.core.models import Unit
    from xizang5g.network.models import OperatorMonthlyReport

    for code, users, share in (("cm-xz", 120_000, 30.0), ("ct-xz", 80_000, 20.0)):
        OperatorMonthlyReport.objects.create(
            operator=Unit.objects.get(code=code),
            prefecture=AdminDivision.objects.get(adcode=540100),
            month=date(2022, 6, 1),
            base_stations_5g=1000,
            users_5g=users,
            terminal_users_5g=users * 2,
            traffic_share_pct=share,
        )
    html = _client(client, viewer).get(reverse("plan:dashboard")).content.decode()
    assert 'id="new-consumption"' in html
    assert "200,000" in html or "200000" in html  # 5G users summed over operators
    assert "26.0" in html  # user-weighted traffic share


def test_without_a_plan_the_pages_say_how_to_load_one(client, viewer):
    html = _client(client, viewer).get(reverse("plan:dashboard")).content.decode()
    assert "xizang5g plan load" in html
    assert client.get(reverse("plan:project_list")).status_code == 200


def test_the_report_form_keeps_the_chosen_file_across_an_error(
    client, health_editor, other_editor, project, settings, tmp_path
):
    """A future month is refused; the evidence file need not be chosen again, and another user
    cannot take it over with the token."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {
            "BACKEND": "xizang5g.core.files.PrivateStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    c = _client(client, health_editor)
    url = reverse("plan:report_edit", args=[project.pk])
    pdf = SimpleUploadedFile(
        "验收照片.pdf",
        b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        "application/pdf",
    )
    form = {"period": "2099-01", "summary": "本月完成急救车改造。", "attachment": pdf}
    response = c.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "验收照片.pdf" in page and 'name="kept_attachment"' in page
    assert 'value="2099-01"' in page and "本月完成急救车改造。" in page  # what was typed stays
    token = response.context["kept"]
    period = date.today().replace(day=1).strftime("%Y-%m")
    # another user's token is worth nothing
    from xizang5g.core import uploads

    assert uploads.unstash(token, user=other_editor) is None
    again = {"period": period, "summary": "本月完成急救车改造。", "kept_attachment": token}
    response = c.post(url, again)
    assert response.status_code == 302, response.content.decode()[:1500]
    report = project.reports.get()
    assert [a.filename for a in report.attachments.all()] == ["验收照片.pdf"]
