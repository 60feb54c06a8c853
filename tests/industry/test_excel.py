"""Batch registration of identifiers from an Excel sheet, through the identifiers page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from tests.conftest import TEST_PASSWORD
from xizang5g.core.choices import Role, UnitKind
from xizang5g.industry.handles import handle_user_create, resolve
from xizang5g.industry.models import Identifier

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("lots.xlsx", data.getvalue())


@pytest.fixture
def editor(make_unit, make_user):
    unit = make_unit("jiama-copper", "西藏华泰龙矿业开发有限公司", UnitKind.ENTERPRISE)
    user = make_user("jiama-safety", Role.UNIT_EDITOR, unit)
    credential = handle_user_create(unit=unit, prefix="88.118.8", name="ADMIN", password="x" * 16)
    client = Client()
    client.login(username=user.username, password=TEST_PASSWORD)
    return client, credential


def test_a_sheet_registers_its_rows(editor):
    client, credential = editor
    upload = _xlsx(
        [
            ["suffix", "kind", "url", "parent", "metadata"],
            ["ORE-1", "ore_batch", "https://jiama.example/ore/1", None, '{"cu_pct": 0.61}'],
            ["CONC-1", "ore_batch", "https://jiama.example/conc/1", "88.118.8/ORE-1", None],
            ["WATER-7", "water_lot", "https://water.example/7", None, None],
        ]
    )
    reply = client.post(
        reverse("industry:identifier_import"), {"credential": credential.pk, "file": upload}
    )
    assert reply.status_code == 302
    assert Identifier.objects.filter(prefix="88.118.8").count() == 4  # with the admin handle
    status, body = resolve("88.118.8/CONC-1")
    assert status == 200
    values = {v["type"]: v["data"] for v in body["values"]}
    assert values["PARENT_LOT"] == {"format": "string", "value": "88.118.8/ORE-1"}
    _status, ore = resolve("88.118.8/ORE-1")
    assert {"format": "json", "value": {"cu_pct": 0.61}} in [v["data"] for v in ore["values"]]


def test_a_bad_row_refuses_the_whole_sheet(editor):
    client, credential = editor
    upload = _xlsx(
        [
            ["suffix", "kind", "url"],
            ["ORE-1", "ore_batch", "https://jiama.example/ore/1"],
            ["ORE 2 with spaces", "ore_batch", "https://jiama.example/ore/2"],
        ]
    )
    reply = client.post(
        reverse("industry:identifier_import"),
        {"credential": credential.pk, "file": upload},
        follow=True,
    )
    assert "Row 3" in reply.content.decode()
    assert not Identifier.objects.filter(handle="88.118.8/ORE-1").exists()
    not_excel = SimpleUploadedFile("lots.xlsx", b"suffix,kind\nA,ore_batch\n")
    reply = client.post(
        reverse("industry:identifier_import"),
        {"credential": credential.pk, "file": not_excel},
        follow=True,
    )
    assert reply.status_code == 200 and "xlsx" in reply.content.decode()


@pytest.mark.parametrize("unit", ["abc", "", "-1", "1e9"])
def test_a_credential_for_an_enterprise_that_is_not_a_number_asks_for_one(editor, unit):
    client, _credential = editor
    response = client.post(
        reverse("industry:handle_user_create"),
        {"unit": unit, "prefix": "88.118.9", "name": "ADMIN", "password": "y" * 16},
        follow=True,
    )
    assert response.status_code == 200
    assert "请选择企业。" in response.content.decode()
