"""Registry services: validation, permissions, change log, all-or-nothing imports."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xizang5g.core import limits
from xizang5g.core.models import ChangeLog
from xizang5g.network import services
from xizang5g.network.models import Cell, Site


def _xlsx(rows) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(services.stations_template()))
    sheet = book.active
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROW = [
    "ct-xz",
    "LS-001",
    "拉萨测试站",
    91.13,
    29.66,
    3650,
    "LS-001-1",
    "n78",
    3450,
    100,
    49,
    17,
    30,
    120,
    3,
    6,
    65,
    "f1336",
    "in_service",
]


@pytest.mark.django_db
def test_site_and_cell_create_validate_and_are_change_logged(divisions, operators, ct_editor):
    site = services.site_create(
        user=ct_editor, operator=operators["ct-xz"], code="S1", name="城关站", lon=91.13, lat=29.66
    )
    assert site.division is not None and site.division.name_zh == "城关区"
    cell = services.cell_create(
        user=ct_editor,
        site=site,
        code="S1-1",
        band="n78",
        f_mhz=3450,
        bw_mhz=100,
        power_dbm=49,
        height_m=30,
        azimuth_deg=120,
    )
    assert ChangeLog.objects.filter(
        object_id=str(cell.pk), action="create", username="ct-editor"
    ).exists()
    services.cell_update(user=ct_editor, cell=cell, azimuth_deg=200.0)
    entry = ChangeLog.objects.filter(object_id=str(cell.pk), action="update").first()
    assert entry.before["azimuth_deg"] == 120 and entry.after["azimuth_deg"] == 200
    with pytest.raises(ValidationError) as err:
        services.cell_create(
            user=ct_editor,
            site=site,
            code="S1-2",
            band="n78",
            f_mhz=4900,
            bw_mhz=100,
            power_dbm=49,
            height_m=30,
            azimuth_deg=0,
        )
    assert "f_mhz" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.site_create(
            user=ct_editor, operator=operators["ct-xz"], code="S2", name="x", lon=120.0, lat=29.0
        )


@pytest.mark.django_db
def test_operator_editor_changes_only_its_own_stations(
    divisions, operators, ct_editor, cm_editor, viewer
):
    site = services.site_create(
        user=ct_editor, operator=operators["ct-xz"], code="S1", name="站", lon=91.13, lat=29.66
    )
    with pytest.raises(PermissionDenied):
        services.site_create(
            user=ct_editor, operator=operators["cm-xz"], code="S9", name="站", lon=91.1, lat=29.6
        )
    with pytest.raises(PermissionDenied):
        services.cell_create(
            user=cm_editor,
            site=site,
            code="X",
            band="n78",
            f_mhz=3450,
            bw_mhz=100,
            power_dbm=49,
            height_m=30,
            azimuth_deg=0,
        )
    with pytest.raises(PermissionDenied):
        services.site_update(user=viewer, site=site, name="改名")


@pytest.mark.django_db
def test_station_import_xlsx_creates_and_updates(divisions, operators, ct_editor):
    second = [*ROW]
    second[6], second[13] = "LS-001-2", 240
    result = services.stations_import(
        user=ct_editor, content=_xlsx([ROW, second]), filename="list.xlsx"
    )
    assert (result.created, result.updated) == (2, 0)
    assert Site.objects.get(code="LS-001").cells.count() == 2
    changed = [*ROW]
    changed[10] = 46
    result = services.stations_import(
        user=ct_editor, content=_xlsx([changed]), filename="list.xlsx"
    )
    assert (result.created, result.updated) == (0, 1)
    assert Cell.objects.get(code="LS-001-1").power_dbm == 46


@pytest.mark.django_db
def test_station_import_reports_row_errors_and_writes_nothing(divisions, operators, ct_editor):
    bad_number = [*ROW]
    bad_number[6], bad_number[8] = "LS-001-2", "三千"
    wrong_band = [*ROW]
    wrong_band[6], wrong_band[8] = "LS-001-3", 2600
    other_operator = [*ROW]
    other_operator[0], other_operator[1], other_operator[6] = "cm-xz", "CM-1", "CM-1-1"
    with pytest.raises(services.ImportFailed) as err:
        services.stations_import(
            user=ct_editor,
            content=_xlsx([ROW, bad_number, wrong_band, other_operator]),
            filename="list.xlsx",
        )
    problems = {(e.row, e.column) for e in err.value.row_errors}
    assert problems == {(3, "f_mhz"), (4, "f_mhz"), (5, "operator")}
    assert not Site.objects.exists() and not Cell.objects.exists()


@pytest.mark.django_db
def test_station_import_csv_gb18030_and_missing_column(divisions, operators, regulator):
    header = [h for _k, h, _r, _p in services.STATION_COLUMNS]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerow(ROW)
    result = services.stations_import(
        user=regulator, content=buf.getvalue().encode("gb18030"), filename="l.csv"
    )
    assert result.created == 1
    with pytest.raises(services.ImportFailed) as err:
        services.stations_import(user=regulator, content=b"site_code,lon\nX,91\n", filename="l.csv")
    assert {e.column for e in err.value.row_errors} >= {"operator", "cell_code", "band"}
    with pytest.raises(limits.InputRejected, match=r"neither an \.xlsx nor a \.csv"):
        services.stations_import(user=regulator, content=b"junk", filename="l.pdf")


@pytest.mark.django_db
def test_terrain_register_reads_a_geotiff(regulator, tmp_path):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "dem.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=20,
        width=30,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(91.0, 30.0, 0.01, 0.01),
    ) as dst:
        dst.write(np.full((20, 30), 3700, dtype="float32"), 1)
    tile = services.terrain_register(user=regulator, name="t", kind="geotiff", path=str(path))
    assert (tile.west, tile.north) == pytest.approx((91.0, 30.0))
    assert tile.resolution_m == pytest.approx(1113.2, rel=1e-3)
    with pytest.raises(ValidationError):
        services.terrain_register(
            user=regulator, name="u", kind="hgt", path=str(tmp_path / "missing.hgt")
        )
