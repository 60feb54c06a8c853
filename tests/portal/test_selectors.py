"""The public selectors expose only public things: typical cases (never another project),
published news (never a draft), aggregates (never a measurement request or a person)."""

import pytest
from django.http import Http404

from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import Project
from xizang5g.portal import selectors, services

pytestmark = pytest.mark.django_db


def test_only_typical_cases_are_public(plan_demo):
    cases = list(selectors.public_case_list())
    assert cases, "the demo has typical cases"
    assert all(p.state == ProjectState.CASE for p in cases)
    other = Project.objects.exclude(state=ProjectState.CASE).first()
    with pytest.raises(Http404):
        selectors.public_case_get(pk=other.pk)
    case = selectors.public_case_get(pk=cases[0].pk)
    assert case["name"] == cases[0].name
    # nothing that leads to units, people, reports or internal pages
    assert not {"lead_unit", "reports", "attachments", "milestones", "url"} & set(case)
    assert all(set(e) == {"system", "headline", "last_activity"} for e in case["evidence"])


def test_case_filters(plan_demo):
    case = selectors.public_case_list().first()
    by_industry = selectors.public_case_list(filters={"industry": case.industry.code})
    assert case in by_industry and all(p.industry_id == case.industry_id for p in by_industry)
    by_pref = selectors.public_case_list(filters={"prefecture": str(case.prefecture.adcode)})
    assert all(p.prefecture_id == case.prefecture_id for p in by_pref)
    year = case.state_since.year
    assert case in selectors.public_case_list(filters={"year": str(year)})
    assert not selectors.public_case_list(filters={"year": "1999"}).exists()
    assert case.industry in selectors.public_case_filters()["industries"]


def test_drafts_are_never_public(news):
    assert news.status == "draft"
    public = list(selectors.public_news_list())
    assert public and news not in public
    with pytest.raises(Http404):
        selectors.public_news_get(pk=news.pk)


def test_unpublished_attachments_are_not_served(news, office, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    attachment = services.news_attachment_add(item=news, user=office, upload=upload)
    with pytest.raises(Http404):
        selectors.public_attachment_get(pk=attachment.pk)
    services.news_publish(item=news, user=office)
    assert selectors.public_attachment_get(pk=attachment.pk) == attachment


def test_requests_are_not_public(county, regulator):
    mr = services.request_submit(
        name="张三",
        contact="13800000000",
        county=str(county.adcode),
        location="某小区",
        concern="担心",
    )
    # no public selector reads requests; the access rule gives anonymous users nothing
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.request_list(user=AnonymousUser()).exists()
    assert list(selectors.request_list(user=regulator)) == [mr]


def test_aggregates(plan_demo, network_data, county):
    figures = selectors.public_key_figures()
    assert figures["cases"] == Project.objects.filter(state=ProjectState.CASE).count()
    assert figures["stations"] == 1350
    rows = {r["division"].pk: r for r in selectors.public_coverage_by_county()}
    assert rows[county.pk]["covered"] == 2 and rows[county.pk]["villages"] == 3
    assert rows[county.pk]["sites"] == 0  # a site without cells is not in service
    emf = selectors.public_emf_by_county()
    assert emf[0]["division"] == county and emf[0]["sites"] == 1
    assert emf[0]["max_ratio"] == pytest.approx(0.0123)
    trend = selectors.public_operator_trend()
    assert trend["series"]["中国移动西藏公司"]["stations"] == [1200, 1350]
    prefectures = selectors.public_pilots_by_prefecture()
    assert sum(r["pilots"] for r in prefectures) == figures["pilots"]
    goals = selectors.public_goals()
    assert goals and all(0 <= g["percent"] <= 100 for g in goals)
