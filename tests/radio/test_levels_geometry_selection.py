"""Levels (kTB, power sums, RSRP), Earth geometry, pattern selection by code and the EMF
conversions, against published reference values and exact relations."""

from __future__ import annotations

import numpy as np
import pytest

from xizang5g.radio import RadioInputError
from xizang5g.radio.antennas import (
    BASE_STATION_PATTERNS,
    EARTH_STATION_PATTERNS,
    PATTERNS,
    cell_gain_dbi,
    earth_station_gain_dbi,
    s465_gain_dbi,
    s580_gain_dbi,
)
from xizang5g.radio.constants import C_M_GHZ, EARTH_RADIUS_KM, K_STANDARD_ATMOSPHERE
from xizang5g.radio.emf import (
    compliance_distance_m,
    exposure_ratio,
    field_strength_v_m,
    gb8702_public_e_limit_v_m,
    gb8702_public_limits,
    power_density_from_field_w_m2,
    power_density_w_m2,
    site_exposure,
)
from xizang5g.radio.interference import (
    DEFAULT_EMISSION_MASK,
    EarthStation,
    EmissionMask,
    link_gains_dbi,
    unwanted_power_in_carrier_dbm,
)
from xizang5g.radio.levels import aggregate_power_dbm, noise_power_dbm, power_sum_dbm, rsrp_dbm
from xizang5g.radio.terrain import (
    destination_point,
    elevation_angle_deg,
    unit_chord,
    unit_vectors,
)


# --------------------------------------------------------------------------- levels
def test_thermal_noise_reference_values():
    # kT at the reference temperature 290 K: -174 dBm/Hz (ITU-R P.372, the usual link budget figure).
    assert noise_power_dbm(290.0, 1e-6) == pytest.approx(-173.98, abs=0.01)
    assert noise_power_dbm(290.0, 1.0) == pytest.approx(-113.98, abs=0.01)  # -114 dBm in 1 MHz
    # Ten times the temperature or the bandwidth adds 10 dB.
    assert noise_power_dbm(1000.0, 36.0) - noise_power_dbm(100.0, 36.0) == pytest.approx(10.0)
    np.testing.assert_allclose(noise_power_dbm(100.0, [1.0, 10.0]), [-118.60, -108.60], atol=0.01)


@pytest.mark.parametrize(
    ("temp_k", "bw_mhz"), [(0.0, 1.0), (-5.0, 1.0), (100.0, 0.0), (np.nan, 1.0), (100.0, np.inf)]
)
def test_thermal_noise_refuses_impossible_inputs(temp_k, bw_mhz):
    with pytest.raises(RadioInputError):
        noise_power_dbm(temp_k, bw_mhz)


def test_power_sums():
    assert power_sum_dbm([10.0, 10.0]) == pytest.approx(10.0 + 10 * np.log10(2))  # +3.01 dB
    assert power_sum_dbm([0.0, -10.0]) == pytest.approx(10 * np.log10(1.1))
    assert power_sum_dbm([]) == -np.inf
    assert power_sum_dbm([-np.inf, -np.inf]) == -np.inf
    assert power_sum_dbm([-np.inf, 7.0]) == pytest.approx(7.0)
    # Levels far outside float range in linear units still add up (relative to the largest).
    assert power_sum_dbm([4000.0, 4000.0]) == pytest.approx(4003.0103, abs=1e-4)
    rows = power_sum_dbm([[0.0, 0.0], [-np.inf, 3.0]], axis=1)
    np.testing.assert_allclose(rows, [10 * np.log10(2), 3.0])
    with pytest.raises(RadioInputError):
        power_sum_dbm([1.0, np.nan])


def test_aggregate_power_by_group():
    total = aggregate_power_dbm([0, 0, 2, 2, 2], [10.0, 10.0, 0.0, 0.0, -np.inf], 4)
    np.testing.assert_allclose(total[[0, 2]], [10 + 10 * np.log10(2), 10 * np.log10(2)])
    assert total[1] == -np.inf and total[3] == -np.inf  # groups without any power
    np.testing.assert_array_equal(aggregate_power_dbm([], [], 3), [-np.inf] * 3)
    with pytest.raises(RadioInputError, match="within"):
        aggregate_power_dbm([3], [1.0], 3)
    with pytest.raises(RadioInputError, match="same shape"):
        aggregate_power_dbm([0, 1], [1.0], 3)


def test_rsrp_per_resource_element():
    # 100 MHz at 30 kHz: 263 resource blocks (TS 38.101-1 lists 273: within 0.2 dB).
    assert rsrp_dbm(46.0, 100.0, 3500.0, 0.0, 0.0) == pytest.approx(46.0 - 10 * np.log10(12 * 263))
    assert 10 * np.log10(273 / 263) < 0.2
    # 20 MHz at 15 kHz below 1 GHz: 105 resource blocks (the table: 106).
    level = rsrp_dbm(43.0, 20.0, 700.0, 15.0, 120.0)
    assert level == pytest.approx(43.0 - 10 * np.log10(12 * 105) + 15.0 - 120.0)
    with pytest.raises(RadioInputError, match="resource block"):
        rsrp_dbm(43.0, 0.1, 3500.0, 0.0, 100.0)


# --------------------------------------------------------------------------- geometry
def test_elevation_at_the_radio_horizon():
    """A 100 m mast over a smooth 4/3 Earth: the ground point on its radio horizon lies at the
    dip angle below the mast's horizontal, and sees the mast top exactly on its own horizon."""
    h_m = 100.0
    ae = EARTH_RADIUS_KM * K_STANDARD_ATMOSPHERE
    dip = np.arccos(ae / (ae + h_m / 1000.0))
    d_km = ae * dip
    assert d_km == pytest.approx(4.12 * np.sqrt(h_m), rel=1e-3)  # the 4.12 sqrt(h) km rule
    assert elevation_angle_deg(d_km, h_m, 0.0) == pytest.approx(-np.degrees(dip), abs=1e-9)
    assert elevation_angle_deg(d_km, 0.0, h_m) == pytest.approx(0.0, abs=1e-9)
    # Without refraction (k = 1) the horizon dip of 100 m is 0.321 deg.
    bare = elevation_angle_deg(
        EARTH_RADIUS_KM * np.arccos(EARTH_RADIUS_KM / (EARTH_RADIUS_KM + 0.1)), 100.0, 0.0, 1.0
    )
    assert bare == pytest.approx(-0.321, abs=1e-3)


def test_elevation_short_paths_match_the_flat_approximation():
    """Over short paths near the reference surface, tan(el) = dh / d - d / (2 a_e)."""
    d = np.array([0.5, 2.0, 10.0])
    h_to = np.array([30.0, 0.0, 1000.0])
    ae = EARTH_RADIUS_KM * 4.0 / 3.0
    approx = np.degrees(np.arctan((h_to - 100.0) / 1000.0 / d - d / (2.0 * ae)))
    np.testing.assert_allclose(elevation_angle_deg(d, 100.0, h_to), approx, rtol=2e-4)
    assert elevation_angle_deg(10.0, 0.0, 1000.0) == pytest.approx(5.711 - 0.0337, abs=2e-3)
    with pytest.raises(RadioInputError, match="d_km"):
        elevation_angle_deg(0.0, 10.0, 20.0)
    with pytest.raises(RadioInputError, match="finite"):
        elevation_angle_deg(1.0, np.nan, 20.0)


def test_unit_chord_matches_points_that_far_apart():
    lon, lat = destination_point(91.1, 29.65, 37.0, 60.0)
    a = unit_vectors(91.1, 29.65)
    b = unit_vectors(lon, lat)
    assert np.linalg.norm(a - b) == pytest.approx(unit_chord(60.0), rel=1e-10)
    assert unit_vectors([90.0, 91.0], [29.0, 30.0]).shape == (2, 3)


# --------------------------------------------------------------------------- pattern selection
def test_one_identifier_per_pattern():
    assert set(PATTERNS) == {"s465", "s580", "f1336", "m2101"}
    assert set(EARTH_STATION_PATTERNS) | set(BASE_STATION_PATTERNS) == set(PATTERNS)
    assert PATTERNS["s580"] == "ITU-R S.580-6"


def test_earth_station_gain_by_code():
    phi = np.array([2.0, 10.0, 22.0, 30.0])
    # A 4.5 m dish at 4 GHz (D/lambda = 60): S.580 applies.
    np.testing.assert_allclose(
        earth_station_gain_dbi(phi, 4.5, 4.0, "s580"), s580_gain_dbi(phi, 4.5, 4.0)
    )
    np.testing.assert_allclose(
        earth_station_gain_dbi(phi, 4.5, 4.0, "s465"), s465_gain_dbi(phi, 4.5, 4.0)
    )
    # A 1.8 m dish (D/lambda = 24) registered as S.580 is judged by S.465.
    assert 1.8 * 4.0 / C_M_GHZ < 50.0
    np.testing.assert_allclose(
        earth_station_gain_dbi(phi, 1.8, 4.0, "s580"), s465_gain_dbi(phi, 1.8, 4.0)
    )
    # Per element, mixed codes.
    mixed = earth_station_gain_dbi(22.0, [4.5, 4.5], 4.0, ["s465", "s580"])
    np.testing.assert_allclose(mixed, [32.0 - 25.0 * np.log10(22.0), -3.5])


@pytest.mark.parametrize("name", ["S.580", "S.465", "m2101", "", "s 465"])
def test_unknown_earth_station_pattern_is_refused(name):
    with pytest.raises(ValueError, match="unknown antenna pattern") as info:
        earth_station_gain_dbi(10.0, 3.0, 4.0, name)
    assert repr(name) in str(info.value) and "s465, s580" in str(info.value)


def test_link_gains_use_the_same_codes():
    common = {
        "bearing_bs_to_es_deg": 90.0,
        "bearing_es_to_bs_deg": 270.0,
        "horizon_bs_mrad": 0.0,
        "horizon_es_mrad": 0.0,
        "bs_azimuth_deg": 90.0,
        "bs_tilt_deg": 0.0,
        "bs_g0_dbi": 18.0,
        "bs_phi3_deg": 65.0,
        "es_point_az_deg": 180.0,
        "es_point_el_deg": 50.0,
        "es_diameter_m": 4.5,
        "f_ghz": 4.0,
    }
    g_bs, g_es = link_gains_dbi(**common, es_pattern="s580")
    assert g_bs == pytest.approx(18.0)
    # The ES looks south at 50 deg; the BS lies due west on its horizon: 90 deg off axis.
    assert g_es == pytest.approx(-10.0)
    with pytest.raises(ValueError, match=r"unknown antenna pattern 'S\.580'"):
        link_gains_dbi(**common, es_pattern="S.580")
    assert EarthStation(lon=90.0, lat=30.0).pattern == "s465"


def test_cell_gain_on_the_tilted_boresight_is_the_peak():
    # Mechanical 4 deg + electrical 2 deg: the beam points 6 deg below the horizon.
    assert cell_gain_dbi(120.0, -6.0, 120.0, 4.0, 2.0, 17.0, 65.0) == pytest.approx(17.0)
    assert cell_gain_dbi(120.0, 0.0, 120.0, 4.0, 2.0, 17.0, 65.0) < 17.0
    assert cell_gain_dbi(300.0, -6.0, 120.0, 4.0, 2.0, 17.0, 65.0) < 0.0  # behind the sector
    with pytest.raises(RadioInputError, match="elevation"):
        cell_gain_dbi(0.0, 95.0, 0.0, 0.0)
    with pytest.raises(RadioInputError, match="phi3_deg"):
        cell_gain_dbi(0.0, 0.0, 0.0, 0.0, phi3_deg=0.0)


# --------------------------------------------------------------------------- unwanted power
def test_unwanted_power_co_channel_and_out_of_band():
    # Co-channel: 50 dBm over 100 MHz, 40 MHz of it inside the carrier.
    co = unwanted_power_in_carrier_dbm(
        mask=None,
        power_dbm=50.0,
        ch_low_mhz=3400.0,
        ch_high_mhz=3500.0,
        rx_low_mhz=3460.0,
        rx_high_mhz=3520.0,
    )
    assert co == pytest.approx(50.0 - 20.0 + 10 * np.log10(40.0))
    # Out of band, default flat -30 dBm/MHz over a 36 MHz carrier: -14.44 dBm.
    oob = unwanted_power_in_carrier_dbm(
        mask=None,
        power_dbm=50.0,
        ch_low_mhz=3400.0,
        ch_high_mhz=3500.0,
        rx_low_mhz=3700.0,
        rx_high_mhz=3736.0,
    )
    assert oob == pytest.approx(-30.0 + 10 * np.log10(36.0))
    assert DEFAULT_EMISSION_MASK.level(150.0) == -30.0
    sloped = EmissionMask.from_points([[0, -20], [10, -40]])
    assert sloped.level(5.0) == pytest.approx(-30.0)
    with pytest.raises(RadioInputError, match="ch_high_mhz"):
        unwanted_power_in_carrier_dbm(
            mask=None,
            power_dbm=50.0,
            ch_low_mhz=3500.0,
            ch_high_mhz=3400.0,
            rx_low_mhz=3700.0,
            rx_high_mhz=3736.0,
        )


@pytest.mark.parametrize(
    "points", [[[0, -20], [10]], [["a", -20]], [[5, -20], [1, -30]], [[-1, -20]], [], [[0, "nan"]]]
)
def test_emission_mask_refuses_bad_points(points):
    with pytest.raises(RadioInputError):
        EmissionMask.from_points(points)


# --------------------------------------------------------------------------- EMF
def test_free_space_field_strength_relation():
    # ITU-R P.525: E = sqrt(30 p) / d for an isotropic EIRP p (W) at d (m); Z0 ~ 120 pi.
    s = power_density_w_m2(60.0, 100.0)  # 1 kW EIRP at 100 m
    assert field_strength_v_m(s) == pytest.approx(np.sqrt(30.0 * 1000.0) / 100.0, rel=1e-3)
    assert power_density_from_field_w_m2(field_strength_v_m(s)) == pytest.approx(s)
    assert power_density_from_field_w_m2(6.0) == pytest.approx(36.0 / 376.730313668)
    with pytest.raises(RadioInputError):
        power_density_from_field_w_m2(-1.0)
    with pytest.raises(RadioInputError):
        field_strength_v_m(-1.0)


def test_gb8702_limits_reference_values():
    assert gb8702_public_e_limit_v_m(900.0) == pytest.approx(12.0)
    assert gb8702_public_e_limit_v_m(3500.0) == pytest.approx(13.015, abs=1e-3)
    assert gb8702_public_e_limit_v_m(28000.0) == pytest.approx(27.0)
    # The E and S columns of Table 1 describe the same plane wave (rounded in the standard).
    f = np.array([1.0, 10.0, 100.0, 3500.0, 20000.0])
    e, s = gb8702_public_limits(f)
    np.testing.assert_allclose(power_density_from_field_w_m2(e), s, rtol=0.07)


def test_site_exposure_of_one_cell_at_antenna_height():
    eirp, f = np.array([65.0]), np.array([3500.0])
    result = site_exposure(
        eirp_dbm=eirp,
        f_mhz=f,
        g0_dbi=[17.0],
        phi3_deg=[65.0],
        height_m=[1.7],
        mech_tilt_deg=[0.0],
        elec_tilt_deg=[0.0],
        public_height_m=1.7,
        distances_m=[1.0, 5.0, 50.0],
    )
    # The public point on boresight at the antenna's height: the bare far-field ratio.
    np.testing.assert_allclose(
        result.ratios, exposure_ratio(eirp, f, [[1.0], [5.0], [50.0]], axis=1)
    )
    assert result.at_m == 1.0 and result.max_ratio == pytest.approx(result.ratios[0])
    assert result.compliance_distance_m == pytest.approx(compliance_distance_m(65.0, 3500.0))
    with pytest.raises(RadioInputError, match="distances_m"):
        site_exposure(
            eirp_dbm=eirp,
            f_mhz=f,
            g0_dbi=[17.0],
            phi3_deg=[65.0],
            height_m=[30.0],
            mech_tilt_deg=[0.0],
            elec_tilt_deg=[0.0],
            public_height_m=1.7,
            distances_m=[0.0, 10.0],
        )
