"""Terrain, refractivity maps, antenna patterns, interference budget and EMF checks."""

from __future__ import annotations

import numpy as np
import pytest

from xizang5g.radio import RadioInputError
from xizang5g.radio.antennas import (
    f1336_sector_gain_dbi,
    m2101_array_gain_dbi,
    m2101_element_gain_dbi,
    off_axis_angle_deg,
    s465_gain_dbi,
    s580_gain_dbi,
    sector_angles_deg,
)
from xizang5g.radio.emf import (
    compliance_distance_m,
    cosited_compliance_distance_m,
    exposure_ratio,
    field_strength_v_m,
    gb8702_public_limits,
    power_density_w_m2,
)
from xizang5g.radio.interference import (
    BaseStationCell,
    EarthStation,
    Mitigation,
    ProtectionCriteria,
    assess_pair,
    budget_margins,
)
from xizang5g.radio.levels import noise_power_dbm
from xizang5g.radio.p452 import PathBatch, transmission_loss
from xizang5g.radio.refractivity import MAP_SHAPE, RefractivityMaps
from xizang5g.radio.terrain import (
    Dem,
    RasterDem,
    SyntheticPlateauDem,
    destination_point,
    great_circle_distance_km,
    profiles,
)

pytestmark = []


@pytest.fixture(scope="module")
def dem():
    return SyntheticPlateauDem(seed=3)


def test_synthetic_dem_is_deterministic_plateau(dem):
    assert isinstance(dem, Dem)
    lon = np.linspace(88.1, 91.9, 500)
    lat = np.linspace(28.6, 31.4, 500)
    h = dem.sample(lon, lat)
    assert h.min() >= 3500.0 and h.max() <= 5500.0
    np.testing.assert_array_equal(h, SyntheticPlateauDem(seed=3).sample(lon, lat))
    assert not np.array_equal(h, SyntheticPlateauDem(seed=4).sample(lon, lat))


def test_profiles_are_ragged_great_circles(dem):
    tx_lon, tx_lat = np.array([90.0, 90.5]), np.array([29.5, 30.0])
    rx_lon, rx_lat = destination_point(tx_lon, tx_lat, np.array([45.0, 200.0]), [20.0, 3.0])
    ps = profiles(tx_lon, tx_lat, rx_lon, rx_lat, [90.0, 30.0], dem)
    assert len(ps) == 2
    for i, (dist, spacing) in enumerate([(20.0, 90.0), (3.0, 30.0)]):
        s = slice(ps.offsets[i], ps.offsets[i + 1])
        d = ps.d_km[s]
        assert d[0] == 0.0 and d[-1] == pytest.approx(dist, abs=1e-9)
        assert np.all(np.diff(d) > 0) and np.diff(d).max() <= spacing / 1000.0 + 1e-12
        assert ps.lon[s][0] == pytest.approx(tx_lon[i]) and ps.lat[s][-1] == pytest.approx(
            rx_lat[i]
        )
        np.testing.assert_allclose(ps.h_m[s], dem.sample(ps.lon[s], ps.lat[s]))
    # Points lie on the great circle: distances add up.
    mid = ps.offsets[1] // 2
    a = great_circle_distance_km(tx_lon[0], tx_lat[0], ps.lon[mid], ps.lat[mid])
    b = great_circle_distance_km(ps.lon[mid], ps.lat[mid], rx_lon[0], rx_lat[0])
    assert a + b == pytest.approx(20.0, abs=1e-6)
    batch = PathBatch.from_flat(
        ps.d_km,
        ps.h_m,
        ps.offsets,
        f_ghz=3.5,
        p_percent=10.0,
        htg_m=30.0,
        hrg_m=10.0,
        tx_lon=tx_lon,
        tx_lat=tx_lat,
        rx_lon=rx_lon,
        rx_lat=rx_lat,
        delta_n=45.0,
        n0=320.0,
    )
    assert np.all(np.isfinite(transmission_loss(batch)))


def test_raster_dem_geotiff_and_hgt_bilinear(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    # A plane is reproduced exactly by bilinear interpolation.
    res = 1.0 / 1200.0
    lon0, lat0 = 90.0, 30.0
    cols, rows = np.meshgrid(np.arange(1201), np.arange(1201))
    plane = 4000.0 + 3.0 * cols - 2.0 * rows
    tif = tmp_path / "plane.tif"
    with rasterio.open(
        tif,
        "w",
        driver="GTiff",
        height=1201,
        width=1201,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(lon0 - res / 2, lat0 + 1 + res / 2, res, res),
    ) as dst:
        dst.write(plane.astype(np.float32), 1)
    # SRTM .hgt: big-endian int16, 1201 x 1201, named after the SW corner.
    hgt = tmp_path / "N30E090.hgt"
    plane.astype(">i2").tofile(hgt)
    lon = np.array([90.1234, 90.5, 90.9])
    lat = np.array([30.2, 30.77, 30.05])
    expected = 4000.0 + 3.0 * (lon - lon0) / res - 2.0 * (lat0 + 1 - lat) / res
    for path in (tif, hgt):
        got = RasterDem(path).sample(lon, lat)
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_refractivity_maps_bilinear(tmp_path):
    rows, cols = np.meshgrid(np.arange(MAP_SHAPE[0]), np.arange(MAP_SHAPE[1]), indexing="ij")
    dn = 40.0 + 0.1 * rows + 0.01 * cols
    n0 = 300.0 + rows
    np.savetxt(tmp_path / "DN50.TXT", dn)
    np.savetxt(tmp_path / "N050.TXT", n0)
    maps = RefractivityMaps.from_files(tmp_path / "DN50.TXT", tmp_path / "N050.TXT")
    # lat 30 N -> row (90 - 30)/1.5 = 40; lon 91.5 E -> col 61.
    assert maps.delta_n(91.5, 30.0) == pytest.approx(40.0 + 4.0 + 0.61)
    assert maps.n0(91.5, 29.25) == pytest.approx(300.0 + 40.5)
    dn_c, _ = maps.path_centre(91.0, 30.0, 92.0, 30.0)
    assert dn_c == pytest.approx(maps.delta_n(91.5, 30.0), abs=0.01)
    np.savetxt(tmp_path / "bad.txt", np.zeros((3, 3)))
    with pytest.raises(RadioInputError):
        RefractivityMaps.from_files(tmp_path / "bad.txt", tmp_path / "N050.TXT")


def test_earth_station_patterns():
    phi = np.array([0.0, 5.0, 10.0, 30.0, 60.0, 180.0])
    g = s465_gain_dbi(phi, 3.0, 4.0)
    assert g[0] == pytest.approx(10 * np.log10(0.65 * (np.pi * 3.0 * 4.0 / 0.299792458) ** 2))
    np.testing.assert_allclose(g[1:4], 32.0 - 25.0 * np.log10(phi[1:4]))
    assert g[4] == g[5] == -10.0
    assert np.all(np.diff(g) <= 0)
    g580 = s580_gain_dbi(np.array([10.0, 22.0, 30.0, 90.0]), 4.5, 4.0)
    np.testing.assert_allclose(g580, [29.0 - 25.0, -3.5, 32.0 - 25.0 * np.log10(30.0), -10.0])
    with pytest.raises(RadioInputError):
        s580_gain_dbi(10.0, 1.0, 4.0)


def test_sector_patterns():
    g = f1336_sector_gain_dbi([0.0, 32.5, 180.0], 0.0, 18.0, 65.0)
    assert g[0] == pytest.approx(18.0)
    assert g[1] == pytest.approx(15.0, abs=0.1)  # 3 dB at half the beamwidth
    assert g[2] < 0.0
    assert f1336_sector_gain_dbi(0.0, -10.0) < 18.0
    assert m2101_element_gain_dbi(0.0, 0.0) == pytest.approx(6.4)
    assert m2101_element_gain_dbi(32.5, 0.0) == pytest.approx(3.4)
    assert m2101_element_gain_dbi(180.0, 0.0) == pytest.approx(6.4 - 30.0)
    peak = m2101_array_gain_dbi(0.0, -6.0, steer_tilt_deg=6.0)
    assert peak == pytest.approx(6.4 + 10 * np.log10(64) - 12 * (6 / 65) ** 2, abs=0.05)
    assert np.isfinite(m2101_array_gain_dbi(30.0, 0.0))
    # Down-tilt: a point 6 deg below the horizon on boresight sits on the tilted axis.
    az, el = sector_angles_deg(100.0, -6.0, 100.0, 6.0)
    assert az == pytest.approx(0.0, abs=1e-6) and el == pytest.approx(0.0, abs=1e-9)
    assert off_axis_angle_deg(10.0, 40.0, 10.0, 0.0) == pytest.approx(40.0)


def test_budget_margins_and_mitigations():
    base = {
        "bs_power_dbm": 53.0,
        "oob_power_dbm": -14.4,
        "g_bs_inband_dbi": 15.0,
        "g_es_inband_dbi": 0.0,
        "lb_inband_db": np.array([95.0, 160.0]),
        "g_bs_5g_dbi": 15.0,
        "g_es_5g_dbi": 0.0,
        "lb_5g_db": np.array([118.0, 158.0]),
        "es_bandwidth_mhz": 36.0,
    }
    b = budget_margins(**base)
    n = noise_power_dbm(100.0, 36.0)
    assert n == pytest.approx(-228.599 + 30 + 20.0 + 75.563, abs=0.01)
    np.testing.assert_allclose(b["i_over_n_db"], -14.4 + 15.0 - base["lb_inband_db"] - n)
    np.testing.assert_allclose(b["lnb_input_dbm"], 53.0 + 15.0 - base["lb_5g_db"])
    np.testing.assert_allclose(b["blocking_margin_db"], -20.0 - b["lnb_input_dbm"])
    assert list(b["protected"]) == [False, True]
    f = budget_margins(**base, filter_rejection_db=30.0)
    np.testing.assert_allclose(f["blocking_margin_db"], b["blocking_margin_db"] + 30.0)
    np.testing.assert_allclose(f["in_band_margin_db"], b["in_band_margin_db"])
    r = budget_margins(**base, power_reduction_db=6.0)
    np.testing.assert_allclose(r["in_band_margin_db"], b["in_band_margin_db"] + 6.0)
    strict = budget_margins(**base, criteria=ProtectionCriteria(i_over_n_db=-12.2))
    np.testing.assert_allclose(strict["in_band_margin_db"], b["in_band_margin_db"] - 2.2)


def test_assess_pair_end_to_end(dem):
    es = EarthStation(lon=90.5, lat=29.8)
    lon, lat = destination_point(90.5, 29.8, 250.0, 2.0)
    toward = BaseStationCell(lon=float(lon), lat=float(lat), azimuth_deg=70.0)
    a = assess_pair(toward, es, dem)
    assert a.distance_km == pytest.approx(2.0, abs=1e-6)
    away = assess_pair(toward, es, dem, mitigation=Mitigation(new_azimuth_deg=250.0))
    assert away.g_bs_toward_es_dbi < a.g_bs_toward_es_dbi
    assert away.worst_margin_db > a.worst_margin_db
    filt = assess_pair(toward, es, dem, mitigation=Mitigation(filter_rejection_db=40.0))
    assert filt.blocking_margin_db == pytest.approx(a.blocking_margin_db + 40.0)


def test_emf_gb8702():
    e, s = gb8702_public_limits(np.array([1.0, 10.0, 100.0, 3500.0, 20000.0]))
    np.testing.assert_allclose(s, [4.0, 1.2, 0.4, 3500.0 / 7500.0, 2.0])
    np.testing.assert_allclose(e[3], 0.22 * np.sqrt(3500.0))
    # Table continuity at the row joins (within the standard's rounding).
    for f in (3.0, 30.0, 3000.0, 15000.0):
        lo = gb8702_public_limits(f * (1 - 1e-9))
        hi = gb8702_public_limits(f * (1 + 1e-9))
        assert lo[1] == pytest.approx(hi[1], rel=0.04)
        assert lo[0] == pytest.approx(hi[0], rel=0.04)
    with pytest.raises(RadioInputError):
        gb8702_public_limits(0.01)
    s100 = power_density_w_m2(70.0, 100.0)  # 10 kW EIRP at 100 m
    assert s100 == pytest.approx(1e4 / (4 * np.pi * 1e4))
    assert field_strength_v_m(s100) == pytest.approx(np.sqrt(s100 * 376.730313668))
    r = compliance_distance_m(70.0, 3500.0)
    assert exposure_ratio(70.0, 3500.0, r) == pytest.approx(1.0)
    eirp = np.array([70.0, 65.0, 60.0])
    f = np.array([3500.0, 2600.0, 900.0])
    rc = cosited_compliance_distance_m(eirp, f)
    assert exposure_ratio(eirp, f, rc) == pytest.approx(1.0)
    assert rc > compliance_distance_m(eirp, f).max()
