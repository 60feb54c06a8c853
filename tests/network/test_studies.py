"""Interference studies: pair-by-pair agreement with the engine, aggregates, what-ifs, cancel."""

import numpy as np
import pytest

from xizang5g.core.choices import AlertSource
from xizang5g.core.models import Alert
from xizang5g.network import constants as C
from xizang5g.network import engine, services
from xizang5g.network.choices import StudyScope, StudyStatus
from xizang5g.network.models import StudyPair, TerrainTile
from xizang5g.radio import interference


def _run(regulator, **kw):
    study = services.study_create(
        user=regulator, name="t", scope=StudyScope.ALL, enqueue=False, **kw
    )
    return services.study_execute(study_id=study.pk)


def _engine_pair(pair, dem, study, **mitigation):
    """The engine's own one-pair assessment (`radio.interference.assess_pair`)."""
    cell, es = pair.cell, pair.earth_station
    return interference.assess_pair(
        interference.BaseStationCell(
            lon=cell.site.lon,
            lat=cell.site.lat,
            antenna_height_m=cell.height_m,
            azimuth_deg=cell.azimuth_deg,
            tilt_deg=cell.mech_tilt_deg,
            tx_power_dbm=cell.power_dbm,
            f_low_mhz=cell.f_mhz - cell.bw_mhz / 2,
            f_high_mhz=cell.f_mhz + cell.bw_mhz / 2,
            g0_dbi=cell.gain_dbi,
            phi3_deg=cell.beamwidth_deg,
        ),
        interference.EarthStation(
            lon=es.lon,
            lat=es.lat,
            antenna_height_m=es.antenna_height_m,
            dish_diameter_m=es.diameter_m,
            satellite_lon=es.orbital_lon_deg,
            carrier_low_mhz=es.carrier_low_mhz,
            carrier_high_mhz=es.carrier_high_mhz,
        ),
        dem,
        criteria=interference.ProtectionCriteria(
            i_over_n_db=es.i_n_criterion_db,
            in_band_time_percent=study.p_percent,
            es_noise_temp_k=es.noise_temp_k,
            lnb_max_input_dbm=es.lnb_p1db_dbm - C.BLOCKING_BACKOFF_DB,
            blocking_time_percent=study.p_blocking_percent,
        ),
        mitigation=interference.Mitigation(**mitigation) if mitigation else None,
        delta_n=C.DELTA_N,
        n0=C.N0,
        press_hpa=C.PLATEAU_PRESSURE_HPA,
        temp_c=C.PLATEAU_TEMPERATURE_C,
        spacing_m=C.PROFILE_STEP_KM * 1000,
    )


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
        # Lb through the engine's single-path entry point.
        lb = engine.single_path_loss(
            dem=dem,
            tx_lon=cell.site.lon,
            tx_lat=cell.site.lat,
            rx_lon=es.lon,
            rx_lat=es.lat,
            f_mhz=(es.carrier_low_mhz + es.carrier_high_mhz) / 2,
            htg_m=cell.height_m,
            hrg_m=es.antenna_height_m,
            p_percent=study.p_percent,
            spacing_m=C.PROFILE_STEP_KM * 1000,
        )
        assert pair.lb_db == pytest.approx(lb, abs=2e-3)
        # Margins through the engine's one-pair budget (troposcatter coupling uses the
        # antenna gains there and 0 dBi in studies: a few mdB on these short paths).
        direct = _engine_pair(pair, dem, study)
        assert pair.gt_dbi == pytest.approx(direct.g_bs_toward_es_dbi, abs=2e-3)
        assert pair.gr_dbi == pytest.approx(direct.g_es_toward_bs_inband_dbi, abs=2e-3)
        assert pair.inband_margin_db == pytest.approx(direct.in_band_margin_db, abs=0.02)
        assert pair.blocking_margin_db == pytest.approx(direct.blocking_margin_db, abs=0.02)
        assert pair.passes == direct.protected
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
def test_failure_raises_alert_and_lnb_filter_whatif_changes_the_verdict(region, regulator):
    study = _run(regulator, coordination_km=30.0)
    es1 = region["stations"][0]
    result = study.station_results.get(earth_station=es1)
    assert not result.passes, "a 49 dBm n78 sector 2 km away must block a P1dB -55 dBm LNB"
    assert result.aggregate_blocking_margin_db < 0 < result.aggregate_inband_margin_db
    alert = Alert.objects.get(source=AlertSource.INTERFERENCE, object_id=str(es1.pk))
    assert alert.unit == es1.owner
    whatif = _run(
        regulator,
        coordination_km=30.0,
        mitigation={"kind": "lnb_filter", "rejection_db": 30, "earth_station_ids": [es1.pk]},
    )
    after = whatif.station_results.get(earth_station=es1)
    assert after.aggregate_blocking_margin_db == pytest.approx(
        result.aggregate_blocking_margin_db + 30, abs=1e-2
    )
    assert after.aggregate_inband_margin_db == pytest.approx(
        result.aggregate_inband_margin_db, abs=1e-2
    )
    assert after.passes and whatif.summary["passes"]
    # The same what-if straight through the engine agrees for the worst pair.
    worst = (
        StudyPair.objects.filter(study=study, earth_station=es1)
        .select_related("cell__site", "earth_station")
        .first()
    )
    dem = engine.dem_from_tiles(TerrainTile.objects.filter(is_active=True))
    direct = _engine_pair(worst, dem, study, filter_rejection_db=30.0)
    mitigated = whatif.pairs.get(cell=worst.cell, earth_station=es1)
    assert mitigated.blocking_margin_db == pytest.approx(direct.blocking_margin_db, abs=0.02)
    # What-ifs are hypothetical: they raise no alerts.
    assert Alert.objects.filter(source=AlertSource.INTERFERENCE).count() == 1


@pytest.mark.django_db
def test_power_reduction_and_azimuth_whatifs(region, regulator):
    base = _run(regulator, coordination_km=30.0)
    cell_ids = [c.pk for c in region["cells"][:3]]
    whatif = _run(
        regulator,
        coordination_km=30.0,
        mitigation={"kind": "power_reduction", "reduction_db": 10, "cell_ids": cell_ids},
    )
    b = {(p.cell_id, p.earth_station_id): p for p in base.pairs.all()}
    for p in whatif.pairs.all():
        before = b[(p.cell_id, p.earth_station_id)]
        delta = 10.0 if p.cell_id in cell_ids else 0.0
        assert p.blocking_margin_db - before.blocking_margin_db == pytest.approx(delta, abs=2e-3)
        assert p.inband_margin_db - before.inband_margin_db == pytest.approx(delta, abs=2e-3)
    es1 = region["stations"][0]
    offender = base.pairs.filter(earth_station=es1).order_by("margin_db").first().cell
    turned = _run(
        regulator,
        coordination_km=30.0,
        mitigation={
            "kind": "azimuth_tilt",
            "azimuth_deg": (offender.azimuth_deg + 180) % 360,
            "cell_ids": [offender.pk],
        },
    )
    old = base.pairs.get(cell=offender, earth_station=es1)
    new = turned.pairs.get(cell=offender, earth_station=es1)
    assert new.gt_dbi < old.gt_dbi - 10  # the main lobe no longer faces the station
    assert new.lb_db == pytest.approx(old.lb_db, abs=1e-6)


@pytest.mark.django_db
def test_cancel_before_run_marks_cancelled(region, regulator):
    study = services.study_create(user=regulator, name="c", scope=StudyScope.ALL, enqueue=False)
    services.study_cancel(user=regulator, study=study)
    study = services.study_execute(study_id=study.pk)
    assert study.status == StudyStatus.CANCELLED
    assert not study.pairs.exists()


@pytest.mark.django_db
def test_only_regulators_start_studies(region, ct_editor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.study_create(user=ct_editor, name="x", scope=StudyScope.ALL, enqueue=False)
