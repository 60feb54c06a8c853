"""A study's report downloads answer proper pages, never a technical error page."""

import pytest
from django.urls import reverse

from xizang5g.network import services
from xizang5g.network.choices import StudyScope

pytestmark = pytest.mark.django_db


@pytest.fixture
def unfinished_study(region, regulator):
    return services.study_create(
        user=regulator, name="未完成", scope=StudyScope.ALL, coordination_km=30, enqueue=False
    )


def test_report_of_an_unfinished_study_is_a_409_page(client, regulator, unfinished_study):
    client.force_login(regulator)
    url = reverse("network:study_export", args=[unfinished_study.pk, "xlsx"])
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 409
    assert 'data-error-page="409"' in text and "完成后即可下载报告" in text
    assert "Traceback" not in text


def test_report_in_an_unknown_format_is_a_404(client, regulator, unfinished_study):
    client.force_login(regulator)
    url = reverse("network:study_export", args=[unfinished_study.pk, "pdf"])
    assert client.get(url).status_code == 404
