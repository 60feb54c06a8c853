"""EMF against GB 8702-2014, measurement import, village coverage KPIs, monthly reports."""

import io

import numpy as np
import openpyxl
import pytest
from django.core.exceptions import ValidationError

from xizang5g.core.choices import AlertSource
from xizang5g.core.models import Alert
from xizang5g.network import selectors, services
from xizang5g.network.models import EmfMeasurement, OperatorMonthlyReport, Village
from xizang5g.radio import emf


def _book(columns, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([h for _k, h, _r, _p in columns])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_emf_sums_cosited_cells_of_all_operators(region, regulator, operators):
    site = region["cells"][0].site
    one = services.emf_assess_site(site=site, user=regulator)
    # Another operator's site 10 m away counts as co-sited.
    other = services.site_create(
        user=regulator,
        operator=operators["cu-xz"],
        code="CU",
        name="共址",
        lon=site.lon + 0.0001,
        lat=site.lat,
    )
    services.cell_create(
        user=regulator,
        site=other,
        code="CU-1",
        band="n78",
        f_mhz=3550,
        bw_mhz=100,
        power_dbm=49,
        height_m=30,
        azimuth_deg=0,
        gain_dbi=18,
    )
    both = services.emf_assess_site(site=site, user=regulator)
    assert (one.n_cells, both.n_cells) == (3, 4)
    eirp = np.array([67.0] * 4)
    expected = emf.cosited_compliance_distance_m(eirp, np.array([3450.0] * 3 + [3550.0]))
    assert both.compliance_distance_m == pytest.approx(float(expected), rel=1e-6)
    assert both.max_public_ratio > one.max_public_ratio


@pytest.mark.django_db
def test_emf_exceedance_raises_alert(region, regulator):
    site = region["cells"][0].site
    for cell in site.cells.all():
        services.cell_update(
            user=regulator, cell=cell, power_dbm=60.0, height_m=3.0, mech_tilt_deg=10.0
        )
    assessment = services.emf_assess_site(site=site, user=regulator)
    assert not assessment.passes
    assert Alert.objects.filter(source=AlertSource.EMF, object_id=str(site.pk)).exists()


@pytest.mark.django_db
def test_measurement_import_compares_with_limits(region, regulator):
    rows = [
        ["广场", "S0", 91.12, 29.66, "2026-10-12 10:30", 3500, 2.0, "监测站"],
        ["屋顶", "", 91.12, 29.66, "2026-10-12 11:00", 2600, 15.0, "监测站"],
    ]
    result = services.emf_measurements_import(
        user=regulator, content=_book(services.EMF_COLUMNS, rows), filename="m.xlsx"
    )
    assert result.created == 2
    high = EmfMeasurement.objects.get(point="屋顶")
    assert high.limit_e_v_m == 12.0 and high.exceeds
    assert EmfMeasurement.objects.get(point="广场").limit_e_v_m == pytest.approx(0.22 * 3500**0.5)
    assert Alert.objects.filter(source=AlertSource.EMF, dedup_key="network:emf:point:屋顶").exists()
    bad = [["x", "NOPE", 91.1, 29.6, "昨天", 3500, 1, ""]]
    with pytest.raises(services.ImportFailed) as err:
        services.emf_measurements_import(
            user=regulator, content=_book(services.EMF_COLUMNS, bad), filename="m.xlsx"
        )
    assert {e.column for e in err.value.row_errors} == {"measured_at"}
    assert EmfMeasurement.objects.count() == 2


@pytest.mark.django_db
def test_village_coverage_and_kpis(region, regulator):
    rows = [
        ["540102001001", "近村", "village", 91.125, 29.665, 1000],
        ["540102001002", "远村", "village", 91.39, 29.89, 500],
        ["540102001", "乡", "township", 91.12, 29.66, 3000],
    ]
    services.villages_import(
        user=regulator, content=_book(services.VILLAGE_COLUMNS, rows), filename="v.xlsx"
    )
    result = services.coverage_compute(user=regulator, threshold_dbm=-105.0)
    near, far = Village.objects.get(name="近村"), Village.objects.get(name="远村")
    assert near.covered and near.best_rx_dbm > -105 and near.best_cell is not None
    assert not far.covered
    assert result["covered"] >= 1
    county = next(
        r for r in selectors.coverage_kpis(user=regulator) if r["division"].adcode == 540102
    )
    assert (county["villages"], county["covered"], county["population"]) == (2, 1, 4500)
    assert county["per_10k"] == pytest.approx(county["sites"] / 4500 * 10000)
    with pytest.raises(services.ImportFailed):
        services.villages_import(
            user=regulator,
            content=_book(services.VILLAGE_COLUMNS, [["1234", "x", "", 91, 29, 1]]),
            filename="v.xlsx",
        )


@pytest.mark.django_db
def test_monthly_reports_import_trend_and_indicators(region, ct_editor, cm_editor):
    rows = [
        ["ct-xz", 540100, "2026-09", 1500, 400000, 560000, 30.0],
        ["ct-xz", 540100, "2026-10", 1550, 420000, 590000, 32.0],
    ]
    services.monthly_reports_import(
        user=ct_editor, content=_book(services.REPORT_COLUMNS, rows), filename="r.xlsx"
    )
    services.monthly_reports_import(
        user=cm_editor,
        content=_book(
            services.REPORT_COLUMNS, [["cm-xz", 540100, "2026-10", 2000, 600000, 800000, 40.0]]
        ),
        filename="r.xlsx",
    )
    assert OperatorMonthlyReport.objects.count() == 3
    indicators = selectors.new_consumption_indicators()
    assert indicators["users"] == 1020000 and indicators["stations"] == 3550
    assert indicators["traffic_share_pct"] == pytest.approx((32 * 420000 + 40 * 600000) / 1020000)
    trend = selectors.monthly_trend(user=ct_editor)
    assert trend["months"] == ["2026-09", "2026-10"] and len(trend["series"]) == 1  # own unit only
    with pytest.raises(services.ImportFailed) as err:
        services.monthly_reports_import(
            user=ct_editor,
            content=_book(services.REPORT_COLUMNS, [["cm-xz", 540100, "2026-11", 1, 1, 1, 1]]),
            filename="r.xlsx",
        )
    assert err.value.row_errors[0].column == "operator"
    with pytest.raises(ValidationError):
        services.monthly_reports_import(
            user=ct_editor,
            content=_book(services.REPORT_COLUMNS, [["ct-xz", 999999, "2026-13", 1, 1, 1, 120]]),
            filename="r.xlsx",
        )
