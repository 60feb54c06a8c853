"""Hostile workbooks through the project import page, and imports of more than 1,000 projects as
a background job with a progress bar."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.hostile import assert_cheap, header_row, hostile_workbooks, measured, warm_up, xlsx
from tests.plan.test_excel import TEMPLATE_HEADERS, _upload, _workbook
from xizang5g.core.choices import ImportStatus
from xizang5g.core.models import ImportJob
from xizang5g.plan.models import Project

pytestmark = pytest.mark.django_db
# The job runs in the real worker (`db_worker --batch`), which closes the database connection when
# it is done: those tests commit for real instead of running inside a rolled-back transaction.
WORKER = pytest.mark.django_db(transaction=True)

EXPECTED = {
    "declares A1:XFD1048576": "declares A1:XFD1048576",
    "one 400 MB shared string": "xl/sharedStrings.xml",
    "2.5 million bare empty rows": "zip bomb",
    "2.5 million numbered empty rows": "more than 50,000 rows",
    "invalid UTF-8 in the sheet": "damaged",
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_hostile_workbook_is_refused_by_the_project_import(client, plan, plan_admin, case):
    content = hostile_workbooks(TEMPLATE_HEADERS)[case]
    client.force_login(plan_admin)
    warm_up(client, reverse("plan:project_import"), HTTP_ACCEPT_LANGUAGE="en")
    with measured() as cost:
        response = client.post(
            reverse("plan:project_import"),
            {"file": _upload(content)},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422, case
    assert 'id="import-file-error"' in response.content.decode()
    assert EXPECTED[case] in response.content.decode()
    assert_cheap(cost)
    assert Project.objects.count() == 0 and ImportJob.objects.count() == 0


def test_a_cell_longer_than_excel_allows_is_refused(client, plan, plan_admin):
    # openpyxl cuts what it writes to 32,767 characters: the XML is handwritten
    long_name = '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "x" * 40_000 + "</t></is></c></row>"
    content = xlsx(header_row(TEMPLATE_HEADERS) + long_name, sheet="项目")
    client.force_login(plan_admin)
    response = client.post(
        reverse("plan:project_import"), {"file": _upload(content)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert "Cell A2 holds 40,000 characters" in response.content.decode()
    assert Project.objects.count() == 0


def _many_projects(count: int) -> list[dict]:
    return [
        {"项目名称": f"5G试点项目{n:04d}", "行业": "医疗", "牵头单位": "health", "地市": "拉萨市"}
        for n in range(count)
    ]


@WORKER
def test_over_a_thousand_projects_are_imported_by_a_job(client, plan, plan_admin, private_imports):
    client.force_login(plan_admin)
    response = client.post(
        reverse("plan:project_import"), {"file": _upload(_workbook(_many_projects(1_050)))}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.importer == "xizang5g.plan.excel.projects_import_job" and job.rows == 1_050
    assert Project.objects.count() == 0

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, (job.result_message, job.errors[:3])
    assert Project.objects.count() == 1_050
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-result"' in page and "hx-trigger" not in page


def test_infinite_number_cells_are_refused_naming_the_column(client, plan, plan_admin):
    # Excel cannot store an infinite number, a handwritten sheet can: <v>1e400</v> reads as inf
    cells = [("A2", "s5G远程会诊"), ("B2", "s医疗"), ("F2", "shealth"), ("I2", "s拉萨市")]
    row = "".join(
        f'<c r="{ref}" t="inlineStr"><is><t>{text[1:]}</t></is></c>' for ref, text in cells
    )
    row += '<c r="K2"><v>1e400</v></c><c r="M2"><v>-1e400</v></c>'
    content = xlsx(header_row(TEMPLATE_HEADERS) + f'<row r="2">{row}</row>', sheet="项目")
    client.force_login(plan_admin)
    response = client.post(
        reverse("plan:project_import"), {"file": _upload(content)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "经度" in page and "预算（万元）" in page and page.count("not a number") == 2
    assert Project.objects.count() == 0
