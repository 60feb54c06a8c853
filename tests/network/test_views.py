"""Pages render for each role, forbid what they must, and carry the synthetic label."""

import io
import re

import pytest
from django.urls import reverse

from xizang5g.network import services
from xizang5g.network.choices import StudyScope
from xizang5g.network.models import CoordinationCase


@pytest.fixture
def study(region, regulator):
    s = services.study_create(
        user=regulator, name="页面测试", scope=StudyScope.ALL, coordination_km=30, enqueue=False
    )
    return services.study_execute(study_id=s.pk)


@pytest.mark.django_db
def test_every_page_renders_for_the_regulator(client, regulator, study, region):
    client.force_login(regulator)
    site = region["cells"][0].site
    es = region["stations"][0]
    case = services.case_open(
        user=regulator, earth_station=es, cells=region["cells"][:1], study=study
    )
    names = [
        ("overview", []),
        ("site_list", []),
        ("site_detail", [site.pk]),
        ("station_import", []),
        ("earth_station_list", []),
        ("earth_station_detail", [es.pk]),
        ("earth_station_new", []),
        ("terrain", []),
        ("study_list", []),
        ("study_new", []),
        ("study_detail", [study.pk]),
        ("case_list", []),
        ("case_new", []),
        ("case_detail", [case.pk]),
        ("emf", []),
        ("coverage", []),
        ("monthly", []),
        ("cell_edit", [region["cells"][0].pk]),
    ]
    for name, args in names:
        response = client.get(reverse(f"network:{name}", args=args))
        assert response.status_code == 200, name
        assert "synthetic-banner" in response.content.decode(), name
    r = client.get(reverse("network:study_export", args=[study.pk, "xlsx"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["概要", "地球站结论", "站对明细"]
    assert "合成" in book["概要"]["A2"].value and book["站对明细"].max_row == 19
    r = client.get(reverse("network:study_export", args=[study.pk, "docx"]))
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "合成高原地形" in text and "ITU-R P.452-18" in "".join(
        c.text
        for t in docx.Document(io.BytesIO(r.content)).tables
        for row in t.rows
        for c in row.cells
    )
    geo = client.get(reverse("network:geojson") + "?level=county").json()
    assert len(geo["features"]) == 74


@pytest.mark.django_db
def test_unit_editor_is_scoped(client, ct_editor, study, region):
    client.force_login(ct_editor)
    assert client.get(reverse("network:study_list")).status_code == 403
    assert (
        client.get(reverse("network:study_detail", args=[study.pk])).status_code == 404
    )  # hidden like a missing one
    other = next(c for c in region["cells"] if c.operator.code == "cm-xz")
    assert client.get(reverse("network:site_detail", args=[other.site_id])).status_code == 404
    page = client.get(reverse("network:site_list")).content.decode()
    listed = set(re.findall(r'/network/sites/\d+/">([^<]+)</a>', page))
    own = {c.site.code for c in region["cells"] if c.operator.code == "ct-xz"}
    assert listed == own


@pytest.mark.django_db
def test_import_page_shows_row_errors(client, ct_editor, operators, divisions):
    client.force_login(ct_editor)
    content = b"operator_code,site_code\nct-xz,X\n"
    upload = io.BytesIO(content)
    upload.name = "bad.csv"
    r = client.post(reverse("network:station_import"), {"file": upload})
    assert r.status_code == 422 and "row-errors" in r.content.decode()


@pytest.mark.django_db
def test_case_actions_through_the_page(client, regulator, ct_editor, region):
    offender = next(c for c in region["cells"] if c.code == "S0-2")
    client.force_login(ct_editor)
    r = client.post(
        reverse("network:case_new"),
        {"earth_station": region["stations"][0].pk, "cells": [offender.pk], "title": "新站协调"},
    )
    case = CoordinationCase.objects.get()
    assert r.status_code == 302 and case.title == "新站协调"
    client.force_login(regulator)
    client.post(reverse("network:case_action", args=[case.pk, "advance"]))
    client.post(
        reverse("network:case_action", args=[case.pk, "mitigation"]),
        {"kind": "lnb_filter", "rejection_db": "30"},
    )
    case.refresh_from_db()
    assert case.state == "computing" and case.whatif_study.summary["passes"]
    page = client.get(reverse("network:case_detail", args=[case.pk])).content.decode()
    assert "case-whatif" in page and "case-timeline" in page


def test_mitigation_is_described_in_words():
    from xizang5g.network.templatetags.network_tags import mitigation_text

    assert mitigation_text({"kind": "lnb_filter", "rejection_db": 30}) == (
        "LNB band-pass filter at the earth station: 30 dB rejection"
    )
    assert "azimuth 120°" in mitigation_text({"kind": "azimuth_tilt", "azimuth_deg": 120})
    assert mitigation_text({}) == ""


@pytest.mark.django_db
def test_the_site_registry_is_read_a_page_at_a_time(
    client, ct_editor, viewer, operators, divisions
):
    """A region's registry (17,000+ cells) is paged on the server, filters kept across pages; the
    import button is offered only to those who may import."""
    for i in range(120):
        services.site_create(
            user=ct_editor,
            operator=operators["ct-xz"],
            code=f"LS-{i:03d}",
            name=f"拉萨站{i}",
            lon=91.1,
            lat=29.65,
        )
    client.force_login(ct_editor)
    first = client.get(reverse("network:site_list"), {"q": "LS-"}).content.decode()
    codes = re.findall(r'/network/sites/\d+/">([^<]+)</a>', first)
    assert codes == [f"LS-{i:03d}" for i in range(50)]
    assert "120" in first and "?q=LS-&amp;page=2" in first
    last = client.get(reverse("network:site_list"), {"q": "LS-", "page": 3}).content.decode()
    assert re.findall(r'/network/sites/\d+/">([^<]+)</a>', last)[-1] == "LS-119"
    assert reverse("network:station_import") in first
    client.force_login(viewer)
    assert (
        reverse("network:station_import")
        not in client.get(reverse("network:site_list")).content.decode()
    )


@pytest.mark.django_db
def test_buttons_only_for_those_who_may_use_them(client, viewer, ct_editor, region):
    """A read-only leader is not offered the case or the import; an operator is."""
    client.force_login(viewer)
    for name in ("network:overview", "network:case_list"):
        page = client.get(reverse(name)).text
        assert reverse("network:case_new") not in page
        assert reverse("network:station_import") not in page
    client.force_login(ct_editor)
    page = client.get(reverse("network:overview")).text
    assert reverse("network:case_new") in page and reverse("network:station_import") in page
