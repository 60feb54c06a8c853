"""Hostile uploads through the 5G supervision pages: each is refused with a 4xx answer and a clear
message, quickly, with little memory, and nothing is written. Imports of more than 1,000 rows run
as background jobs with a progress bar (django-tasks database backend and its real worker)."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.hostile import assert_cheap, hostile_workbooks, measured, warm_up
from xizang5g.core.choices import ImportStatus
from xizang5g.core.models import ImportJob
from xizang5g.network import engine, services
from xizang5g.network.models import Cell, EmfMeasurement, Site

pytestmark = pytest.mark.django_db
# The job runs in the real worker (`db_worker --batch`), which closes the database connection when
# it is done: those tests commit for real instead of running inside a rolled-back transaction.
WORKER = pytest.mark.django_db(transaction=True)

STATION_HEADERS = [header for _k, header, _r, _p in services.STATION_COLUMNS]
EMF_HEADERS = [header for _k, header, _r, _p in services.EMF_COLUMNS]
EXPECTED = {
    "declares A1:XFD1048576": "declares A1:XFD1048576",
    "one 400 MB shared string": "xl/sharedStrings.xml",
    "2.5 million bare empty rows": "zip bomb",
    "2.5 million numbered empty rows": "more than 50,000 rows",
    "invalid UTF-8 in the sheet": "damaged",
}


def _upload(content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _station_row(n: int, operator: str = "ct-xz") -> list:
    lon = 91.10 + (n % 100) * 0.001
    lat = 29.60 + (n // 100) * 0.001
    return [
        operator,
        f"HX-{n // 3:05d}",
        f"站址{n // 3}",
        lon,
        lat,
        3650,
        f"HX-{n:05d}-1",
        "n78",
        3450,
        100,
        46,
        17,
        30,
        (n % 3) * 120,
        3,
        6,
        65,
        "f1336",
        "in_service",
    ]


def _stations_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STATION_HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("case", list(EXPECTED))
def test_hostile_workbook_is_refused_by_the_station_import(client, ct_editor, divisions, case):
    content = hostile_workbooks(STATION_HEADERS)[case]
    client.force_login(ct_editor)
    warm_up(client, reverse("network:station_import"))
    with measured() as cost:
        response = client.post(
            reverse("network:station_import"),
            {"file": _upload(content, "stations.xlsx")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422, case
    assert EXPECTED[case] in response.content.decode()
    assert_cheap(cost)
    assert Site.objects.count() == 0 and Cell.objects.count() == 0
    assert ImportJob.objects.count() == 0  # refused before anything was stored


def test_upload_over_the_size_limit_answers_413(client, ct_editor, settings):
    settings.XZ5G_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(ct_editor)
    content = _stations_csv([_station_row(n) for n in range(20_000)])
    assert len(content) > settings.XZ5G_UPLOAD_MAX_BYTES
    warm_up(client, reverse("network:station_import"))
    with measured() as cost:
        response = client.post(
            reverse("network:station_import"),
            {"file": _upload(content, "big.csv")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 413
    assert "at most 1.0 MB is accepted" in response.content.decode()
    assert_cheap(cost)
    assert Cell.objects.count() == 0


def test_nan_in_emf_values_is_refused_naming_the_column(client, regulator, divisions):
    client.force_login(regulator)
    rows = [
        ["广场", "", 91.13, 29.66, "2026-10-12 10:30", 3500, "nan", "监测站"],
        ["学校", "", 91.14, 29.65, "2026-10-12 11:00", "inf", 1.2, "监测站"],
        ["医院", "", 91.12, 29.64, "2026-10-12 11:30", 3500, "1e400", "监测站"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([EMF_HEADERS, *rows])
    warm_up(client, reverse("network:emf"))
    assert engine.emf_e_limit_v_m(3500.0) > 0  # the EMF import loads the engine (numba) first
    with measured() as cost:
        response = client.post(
            reverse("network:emf"),
            {"file": _upload(buffer.getvalue().encode(), "emf.csv")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422
    page = response.content.decode()
    assert "not a finite number" in page
    assert page.count("<code>e_v_m</code>") == 2 and "<code>f_mhz</code>" in page
    assert_cheap(cost)
    assert EmfMeasurement.objects.count() == 0


def test_nan_in_the_coverage_threshold_is_refused(client, regulator, divisions):
    client.force_login(regulator)
    response = client.post(
        reverse("network:coverage"),
        {"action": "compute", "threshold_dbm": "nan"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "threshold_dbm" in response.content.decode()


def _run_jobs() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


@WORKER
def test_large_station_import_runs_as_a_job_with_progress(
    client, ct_editor, divisions, private_imports, settings
):
    client.force_login(ct_editor)
    content = _stations_csv([_station_row(n) for n in range(1_200)])
    response = client.post(
        reverse("network:station_import"), {"file": _upload(content, "stations.csv")}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportStatus.QUEUED and job.rows == 1_200 and job.user == ct_editor
    stored = Path(job.file.path)
    assert stored.is_file() and stored.is_relative_to(private_imports)
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.content.decode()
    assert Cell.objects.count() == 0  # nothing is written in the request

    _run_jobs()

    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, (job.result_message, job.errors[:3])
    assert job.progress == 100 and not job.file  # the stored upload is removed
    assert Cell.objects.count() == 1_200 and Site.objects.count() == 400
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial.content.decode()
    assert 'id="import-result"' in partial.content.decode()


@WORKER
def test_failed_background_import_lists_the_rows_and_writes_nothing(
    client, ct_editor, divisions, operators, private_imports
):
    client.force_login(ct_editor)
    rows = [_station_row(n) for n in range(1_100)]
    rows[7][3] = "nan"  # lon
    rows[500][0] = "cm-xz"  # another operator's station
    content = _stations_csv(rows)
    client.post(reverse("network:station_import"), {"file": _upload(content, "stations.csv")})
    _run_jobs()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {(9, "lon"), (502, "operator")}
    assert Cell.objects.count() == 0 and Site.objects.count() == 0
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-errors"' in page


def test_someone_else_cannot_follow_the_job(
    client, ct_editor, cm_editor, divisions, private_imports
):
    client.force_login(ct_editor)
    content = _stations_csv([_station_row(n) for n in range(1_001)])
    client.post(reverse("network:station_import"), {"file": _upload(content, "stations.csv")})
    job = ImportJob.objects.get()
    client.force_login(cm_editor)
    assert client.get(job.get_absolute_url()).status_code == 404
