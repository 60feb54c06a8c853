"""Interference studies: pair-by-pair agreement with the engine, aggregates, what-ifs, cancel."""

import numpy as np
import pytest

from xizang5g.core.choices import AlertSource
from xizang5g.core.models import Alert
from xizang5g.network import constants as C
from xizang5g.network import engine, services
from xizang5g.network.choices import StudyScope, StudyStatus
from xizang5g.network.models import StudyPair, TerrainTile


def _run(regulator, **kw):
    study = services.study_create(
        user=regulator, name="t", scope=StudyScope.ALL, enqueue=False, **kw
    )
    return services.study_execute(study_id=study.pk)


@pytest.mark.django_db
def test_study_margins_match_direct_engine_call_pair_by_pair(region, regulator):
    study = _run(regulator, coordination_km=30.0)
    assert study.status == StudyStatus.DONE, study.error
    pairs = list(
        StudyPair.objects.filter(study=study).select_related("cell__site", "earth_station")
    )
    assert len(pairs) == 18  # every cell within 30 km of both stations
    dem = engine.dem_from_tiles(TerrainTile.objects.filter(is_active=True))
    for pair in pairs:
        cell, es = pair.cell, pair.earth_station
        lb = engine.single_path_loss(
            dem=dem,
            tx_lon=cell.site.lon,
            tx_lat=cell.site.lat,
            rx_lon=es.lon,
            rx_lat=es.lat,
            f_mhz=cell.f_mhz,
            htg_m=cell.height_m,
            hrg_m=es.antenna_height_m,
            p_percent=study.p_percent,
            spacing_m=C.PROFILE_STEP_KM * 1000,
        )
        assert pair.lb_db == pytest.approx(lb, abs=2e-3)
        # Margins recomputed by hand from the stored gains and the direct Lb.
        noise = C.BOLTZMANN_DBW_HZ_K + 10 * np.log10(es.noise_temp_k) + 90
        i_psd = (
            cell.power_dbm
            - 10 * np.log10(cell.bw_mhz)
            - C.DEFAULT_ACLR_DB
            + pair.gt_dbi
            + pair.gr_dbi
            - lb
        )
        assert pair.inband_margin_db == pytest.approx(
            es.i_n_criterion_db - (i_psd - noise), abs=5e-3
        )
        assert pair.margin_db == pytest.approx(
            min(pair.inband_margin_db, pair.blocking_margin_db), abs=2e-3
        )
        assert pair.passes == (pair.margin_db >= 0)
    results = {r.earth_station_id: r for r in study.station_results.all()}
    assert len(results) == 2
    for es_id, result in results.items():
        own = [p for p in pairs if p.earth_station_id == es_id]
        power = 10 * np.log10(sum(10 ** (p.blocking_dbm / 10) for p in own))
        assert result.aggregate_blocking_dbm == pytest.approx(power, abs=1e-2)
    assert study.engine_version.startswith("radio-p452-18@")
    assert (
        len(study.inputs["cells"]["id"]) == 9 and study.inputs["terrain"][0]["kind"] == "synthetic"
    )


@pytest.mark.django_db
def test_study_is_reproducible_from_stored_inputs(region, regulator):
    from xizang5g.network.studies import compute_from_inputs

    study = _run(regulator, coordination_km=30.0)
    again = compute_from_inputs(study.inputs)
    stored = np.array(
        sorted(StudyPair.objects.filter(study=study).values_list("margin_db", flat=True))
    )
    assert np.allclose(np.sort(again["margin_db"]), stored, atol=2e-3)


@pytest.mark.django_db
def test_failure_raises_interference_alert_and_lnb_filter_whatif_passes(region, regulator):
    study = _run(regulator, coordination_km=30.0)
    es1 = region["stations"][0]
    result = study.station_results.get(earth_station=es1)
    assert not result.passes, "a 49 dBm n78 cell 2 km away must block a -60 dBm P1dB LNB"
    alert = Alert.objects.get(source=AlertSource.INTERFERENCE, object_id=str(es1.pk))
    assert alert.unit == es1.owner
    # An LNB band-pass filter fixes blocking but cannot remove in-band unwanted emissions.
    whatif = _run(
        regulator,
        coordination_km=30.0,
        mitigation={"kind": "lnb_filter", "rejection_db": 30, "earth_station_ids": [es1.pk]},
    )
    after = whatif.station_results.get(earth_station=es1)
    assert after.aggregate_blocking_margin_db == pytest.approx(
        result.aggregate_blocking_margin_db + 30, abs=1e-2
    )
    assert after.aggregate_blocking_margin_db > 0
    assert after.aggregate_inband_margin_db == pytest.approx(
        result.aggregate_inband_margin_db, abs=1e-2
    )
    assert not after.passes and not whatif.summary["passes"]
    # Turning the offending sector (azimuth 240°, facing the station) away makes it pass.
    offender = (
        StudyPair.objects.filter(study=study, earth_station=es1).order_by("margin_db").first().cell
    )
    assert offender.code == "S0-2"
    whatif = _run(
        regulator,
        coordination_km=30.0,
        mitigation={"kind": "azimuth_tilt", "azimuth_deg": 60, "cell_ids": [offender.pk]},
    )
    after = whatif.station_results.get(earth_station=es1)
    assert after.passes and whatif.summary["passes"], after.worst_margin_db
    # What-ifs do not raise alerts.
    assert Alert.objects.filter(source=AlertSource.INTERFERENCE).count() == 1


@pytest.mark.django_db
def test_power_reduction_whatif_shifts_margins_by_the_reduction(region, regulator):
    base = _run(regulator, coordination_km=30.0)
    cell_ids = [c.pk for c in region["cells"][:3]]
    whatif = _run(
        regulator,
        coordination_km=30.0,
        mitigation={"kind": "power_reduction", "reduction_db": 10, "cell_ids": cell_ids},
    )
    b = {(p.cell_id, p.earth_station_id): p for p in base.pairs.all()}
    for p in whatif.pairs.all():
        delta = p.blocking_margin_db - b[(p.cell_id, p.earth_station_id)].blocking_margin_db
        assert delta == pytest.approx(10.0 if p.cell_id in cell_ids else 0.0, abs=2e-3)


@pytest.mark.django_db
def test_cancel_before_run_marks_cancelled(region, regulator):
    study = services.study_create(user=regulator, name="c", scope=StudyScope.ALL, enqueue=False)
    services.study_cancel(user=regulator, study=study)
    study = services.study_execute(study_id=study.pk)
    assert study.status == StudyStatus.CANCELLED
    assert not study.pairs.exists()
