"""Antenna patterns (vectorised) and the geometry that points them along a path.

Pattern identifiers
    One lower-case code per pattern, used by this package, the registry and its database:
    ``"s465"``, ``"s580"`` (earth stations), ``"f1336"``, ``"m2101"`` (base stations); see
    :data:`PATTERNS`. Selecting functions refuse any other name with a :class:`ValueError`.
Earth-station receive patterns
    :func:`s465_gain_dbi`  Rec. ITU-R S.465-6 reference pattern (2-31 GHz).
    :func:`s580_gain_dbi`  Rec. ITU-R S.580-6 side-lobe design objective (D/lambda >= 50).
    :func:`earth_station_gain_dbi`  either of them per station, by pattern code.
Base-station sector patterns
    :func:`f1336_sector_gain_dbi`  Rec. ITU-R F.1336-5 recommends 3.1.1 (peak side-lobe
    sectoral pattern, 400 MHz-6 GHz) with mechanical tilt (recommends 3.4).
    :func:`cell_gain_dbi`  the F.1336 sector of a cell pointed in azimuth, mechanical and
    electrical tilt, toward a direction.
    :func:`m2101_element_gain_dbi`, :func:`m2101_array_gain_dbi`  Rec. ITU-R M.2101-0
    Annex 1 §5 (3GPP TR 37.840 element and composite beam-formed array).
Geometry
    :func:`off_axis_angle_deg`, :func:`sector_angles_deg`, :func:`gso_look_angles_deg`.
Angles in degrees, gains in dBi; every function broadcasts over NumPy arrays.
"""

from __future__ import annotations

import numpy as np

from .constants import C_M_GHZ, EARTH_EQUATORIAL_RADIUS_KM, GSO_RADIUS_KM
from .errors import RadioInputError

__all__ = [
    "BASE_STATION_PATTERNS",
    "EARTH_STATION_PATTERNS",
    "PATTERNS",
    "cell_gain_dbi",
    "check_patterns",
    "dish_peak_gain_dbi",
    "earth_station_gain_dbi",
    "f1336_sector_gain_dbi",
    "gso_look_angles_deg",
    "m2101_array_gain_dbi",
    "m2101_element_gain_dbi",
    "mrad_to_deg",
    "off_axis_angle_deg",
    "s465_gain_dbi",
    "s580_gain_dbi",
    "sector_angles_deg",
]

ARRAY_FACTOR_FLOOR = 1e-6

S465 = "s465"
S580 = "s580"
F1336 = "f1336"
M2101 = "m2101"
PATTERNS = {
    S465: "ITU-R S.465-6",
    S580: "ITU-R S.580-6",
    F1336: "ITU-R F.1336-5",
    M2101: "ITU-R M.2101-0",
}
"""Every antenna pattern by its one identifier, with the Recommendation it implements."""
EARTH_STATION_PATTERNS = (S465, S580)
BASE_STATION_PATTERNS = (F1336, M2101)

S580_MIN_D_OVER_LAMBDA = 50.0
"""S.580-6 applies to antennas with D/lambda >= 50 (its recommends 1)."""


def check_patterns(pattern, allowed=tuple(PATTERNS)):
    """The pattern code(s) as a string array, or :class:`RadioInputError` naming an unknown one.

    Parameters
    ----------
    pattern : str or array_like of str
        Pattern identifiers, e.g. ``"s465"`` (see :data:`PATTERNS`).
    allowed : tuple of str
        The identifiers accepted here (e.g. :data:`EARTH_STATION_PATTERNS`).
    """
    codes = np.asarray(pattern, dtype=object).astype(str)
    unknown = sorted({str(code) for code in np.unique(codes)} - set(allowed))
    if unknown:
        raise RadioInputError(
            f"unknown antenna pattern {unknown[0]!r}; expected one of: {', '.join(allowed)}"
        )
    return codes


def mrad_to_deg(x_mrad):
    """Milliradians (P.452 horizon angles) to degrees."""
    return np.degrees(np.asarray(x_mrad, float) / 1000.0)


def _check_dish(diameter_m, f_ghz, efficiency):
    if np.any(~(np.asarray(diameter_m, float) > 0.0)) or np.any(~(np.asarray(f_ghz, float) > 0.0)):
        raise RadioInputError("dish diameter_m and f_ghz must be > 0")
    eff = np.asarray(efficiency, float)
    if np.any(~((eff > 0.0) & (eff <= 1.0))):
        raise RadioInputError("antenna efficiency must be within (0, 1]")


def dish_peak_gain_dbi(diameter_m, f_ghz, efficiency=0.65):
    """Peak gain of a parabolic dish, 10 log10(eta (pi D / lambda)^2) (dBi)."""
    _check_dish(diameter_m, f_ghz, efficiency)
    d_lambda = np.asarray(diameter_m, float) * np.asarray(f_ghz, float) / C_M_GHZ
    return 10.0 * np.log10(efficiency * (np.pi * d_lambda) ** 2)


def _dish_common(phi_deg, diameter_m, f_ghz, g_max_dbi, efficiency):
    phi = np.abs(np.asarray(phi_deg, float))
    if np.any(~(phi <= 180.0)):
        raise RadioInputError("off-axis angle must be within [-180, 180] deg")
    _check_dish(diameter_m, f_ghz, efficiency)
    d_lambda = np.asarray(diameter_m, float) * np.asarray(f_ghz, float) / C_M_GHZ
    g_max = dish_peak_gain_dbi(diameter_m, f_ghz, efficiency) if g_max_dbi is None else g_max_dbi
    # Main lobe per RR Appendix 8 / S.580 annex: G = Gmax - 2.5e-3 (D phi / lambda)^2.
    main = np.asarray(g_max, float) - 2.5e-3 * (d_lambda * phi) ** 2
    return phi, d_lambda, main


def s465_gain_dbi(phi_deg, diameter_m, f_ghz, g_max_dbi=None, efficiency=0.65):
    """Earth-station reference pattern of Rec. ITU-R S.465-6 (dBi).

    G = 32 - 25 log10(phi) for phi_min <= phi < 48 deg and -10 dBi for 48-180 deg, with
    phi_min = max(1, 100 lambda/D) if D/lambda >= 50, else max(2, 114 (D/lambda)^-1.09).
    Inside phi_min the main lobe G = Gmax - 2.5e-3 (D phi/lambda)^2 is used, never below the
    side-lobe envelope value at phi_min (S.465 gives no main-lobe formula itself).

    Parameters
    ----------
    phi_deg : array_like
        Off-axis angle (deg).
    diameter_m, f_ghz : array_like
        Dish diameter (m) and frequency (GHz).
    g_max_dbi : array_like, optional
        Peak gain; default from the diameter with ``efficiency``.
    """
    phi, d_lambda, main = _dish_common(phi_deg, diameter_m, f_ghz, g_max_dbi, efficiency)
    phi_min = np.where(
        d_lambda >= 50.0,
        np.maximum(1.0, 100.0 / d_lambda),
        np.maximum(2.0, 114.0 * d_lambda**-1.09),
    )
    with np.errstate(divide="ignore"):
        side = np.where(phi < 48.0, 32.0 - 25.0 * np.log10(phi), -10.0)
    floor_main = 32.0 - 25.0 * np.log10(phi_min)
    return np.where(phi < phi_min, np.maximum(main, floor_main), side)


def s580_gain_dbi(phi_deg, diameter_m, f_ghz, g_max_dbi=None, efficiency=0.65):
    """Side-lobe design objective of Rec. ITU-R S.580-6 (dBi), for D/lambda >= 50.

    29 - 25 log10(phi) for phi_min <= phi <= 20 deg, -3.5 dBi for 20-26.3 deg,
    32 - 25 log10(phi) for 26.3-48 deg, -10 dBi beyond; phi_min = max(1, 100 lambda/D).
    Main lobe inside phi_min as in :func:`s465_gain_dbi`.
    """
    phi, d_lambda, main = _dish_common(phi_deg, diameter_m, f_ghz, g_max_dbi, efficiency)
    if np.any(d_lambda < S580_MIN_D_OVER_LAMBDA):
        raise RadioInputError("S.580 applies to antennas with D/lambda >= 50; use S.465")
    phi_min = np.maximum(1.0, 100.0 / d_lambda)
    with np.errstate(divide="ignore"):
        lg = np.log10(phi)
    side = np.select(
        [phi <= 20.0, phi <= 26.3, phi < 48.0], [29.0 - 25.0 * lg, -3.5, 32.0 - 25.0 * lg], -10.0
    )
    floor_main = 29.0 - 25.0 * np.log10(phi_min)
    return np.where(phi < phi_min, np.maximum(main, floor_main), side)


def earth_station_gain_dbi(phi_deg, diameter_m, f_ghz, pattern=S465, *, efficiency=0.65):
    """Earth-station gain (dBi) by pattern code, element by element.

    ``"s465"`` uses :func:`s465_gain_dbi`. ``"s580"`` uses :func:`s580_gain_dbi` where the
    antenna is large enough for S.580-6 (D/lambda >= 50) and the S.465-6 reference pattern
    elsewhere (a small dish registered as S.580 is judged by the pattern that applies to it).

    Parameters
    ----------
    phi_deg : array_like
        Off-axis angle from the pointing direction (deg).
    diameter_m, f_ghz : array_like
        Dish diameter (m) and frequency (GHz), > 0.
    pattern : str or array_like of str
        ``"s465"`` or ``"s580"`` per element; any other code raises :class:`RadioInputError`.
    efficiency : array_like
        Aperture efficiency in (0, 1] for the peak gain.

    Returns
    -------
    ndarray
        Gain (dBi), the broadcast shape of the inputs.
    """
    codes = check_patterns(pattern, EARTH_STATION_PATTERNS)
    phi, diameter, f, eff, codes = np.broadcast_arrays(
        np.asarray(phi_deg, float),
        np.asarray(diameter_m, float),
        np.asarray(f_ghz, float),
        np.asarray(efficiency, float),
        codes,
    )
    gain = np.array(s465_gain_dbi(phi, diameter, f, efficiency=eff), dtype=float)
    use580 = (codes == S580) & (diameter * f / C_M_GHZ >= S580_MIN_D_OVER_LAMBDA)
    if use580.any():
        gain[use580] = s580_gain_dbi(
            phi[use580], diameter[use580], f[use580], efficiency=eff[use580]
        )
    return gain


def f1336_sector_gain_dbi(
    azimuth_deg, elevation_deg, g0_dbi=18.0, phi3_deg=65.0, *, kp=0.7, kh=0.7, kv=0.3
):
    """Sectoral pattern of Rec. ITU-R F.1336-5 recommends 3.1.1 (peak side-lobe), dBi.

    Parameters
    ----------
    azimuth_deg, elevation_deg : array_like
        Direction relative to the antenna boresight (deg), e.g. from :func:`sector_angles_deg`.
    g0_dbi : float
        Peak gain. The elevation beamwidth follows F.1336 eq. (1b): theta3 = 31000 *
        10^(-0.1 G0) / phi3.
    phi3_deg : float
        Azimuth 3 dB beamwidth (deg).
    kp, kh, kv : float
        Side-lobe / azimuth / elevation pattern factors; the defaults 0.7, 0.7, 0.3 are the
        F.1336 values for typical antennas (recommends 3.1.1).
    """
    az = np.abs(np.mod(np.asarray(azimuth_deg, float) + 180.0, 360.0) - 180.0)
    el = np.asarray(elevation_deg, float)
    if np.any(np.abs(el) > 90.0):
        raise RadioInputError("elevation must be within [-90, 90] deg")
    theta3 = 31000.0 * 10.0 ** (-0.1 * g0_dbi) / phi3_deg
    g180 = -12.0 + 10.0 * np.log10(1.0 + 8.0 * kp) - 15.0 * np.log10(180.0 / theta3)
    lam_kh = 3.0 * (1.0 - 0.5**-kh)

    def g_hr(xh):
        return np.maximum(
            np.where(xh <= 0.5, -12.0 * xh**2, -12.0 * xh ** (2.0 - kh) - lam_kh), g180
        )

    xh = az / phi3_deg
    r = (g_hr(xh) - g_hr(180.0 / phi3_deg)) / (g_hr(0.0) - g_hr(180.0 / phi3_deg))
    xv = np.abs(el) / theta3
    xk = np.sqrt(1.0 - 0.36 * kv)
    c = (
        10.0
        * np.log10((180.0 / theta3) ** 1.5 * (4.0**-1.5 + kv) / (1.0 + 8.0 * kp))
        / np.log10(22.5 / theta3)
    )
    lam_kv = 12.0 - c * np.log10(4.0) - 10.0 * np.log10(4.0**-1.5 + kv)
    with np.errstate(divide="ignore"):
        g_vr = np.select(
            [xv < xk, xv < 4.0, xv < 90.0 / theta3],
            [
                -12.0 * xv**2,
                -12.0 + 10.0 * np.log10(xv**-1.5 + kv),
                -lam_kv - c * np.log10(xv),
            ],
            g180,
        )
    return g0_dbi + g_hr(xh) + r * g_vr


def cell_gain_dbi(
    bearing_deg,
    elevation_deg,
    azimuth_deg,
    mech_tilt_deg,
    elec_tilt_deg=0.0,
    g0_dbi=18.0,
    phi3_deg=65.0,
):
    """Gain (dBi) of a base-station sector toward a direction, F.1336-5 sector pattern.

    The direction is taken into the frame of the mechanically down-tilted antenna
    (:func:`sector_angles_deg`, F.1336 recommends 3.4); the electrical tilt then lowers the
    beam within that frame, i.e. it is added to the relative elevation.

    Parameters
    ----------
    bearing_deg, elevation_deg : array_like
        Direction from the antenna: bearing clockwise from north and elevation above the
        horizontal (deg, within [-90, 90]).
    azimuth_deg : array_like
        Antenna boresight azimuth (deg).
    mech_tilt_deg, elec_tilt_deg : array_like
        Mechanical and electrical downtilt (deg, positive below the horizon).
    g0_dbi, phi3_deg : array_like
        Peak gain (dBi) and azimuth 3 dB beamwidth (deg, > 0).
    """
    el = np.asarray(elevation_deg, float)
    if np.any(~(np.abs(el) <= 90.0)):
        raise RadioInputError("elevation_deg must be within [-90, 90] deg")
    if np.any(~(np.asarray(phi3_deg, float) > 0.0)):
        raise RadioInputError("phi3_deg (azimuth beamwidth) must be > 0 deg")
    az_rel, el_rel = sector_angles_deg(bearing_deg, el, azimuth_deg, mech_tilt_deg)
    el_rel = np.clip(el_rel + np.asarray(elec_tilt_deg, float), -90.0, 90.0)
    return f1336_sector_gain_dbi(
        az_rel, el_rel, np.asarray(g0_dbi, float), np.asarray(phi3_deg, float)
    )


def m2101_element_gain_dbi(
    azimuth_deg,
    elevation_deg,
    g_e_max_dbi=6.4,
    phi3_deg=65.0,
    theta3_deg=65.0,
    am_db=30.0,
    sla_v_db=30.0,
):
    """Single-element pattern of Rec. ITU-R M.2101-0 Annex 1 Table 4 (3GPP TR 37.840), dBi.

    A_E,H = -min(12 (phi/phi3)^2, Am), A_E,V = -min(12 ((theta - 90)/theta3)^2, SLA_v) with
    theta the zenith angle (90 - elevation); A_E = -min(-(A_E,H + A_E,V), Am).
    Defaults (6.4 dBi, 65 deg, 65 deg, 30 dB, 30 dB) are the IMT-2020 macro values for the
    3.3-4.99 GHz range used in ITU-R sharing studies (WP 5D characteristics).
    """
    az = np.mod(np.asarray(azimuth_deg, float) + 180.0, 360.0) - 180.0
    el = np.asarray(elevation_deg, float)
    a_h = -np.minimum(12.0 * (az / phi3_deg) ** 2, am_db)
    a_v = -np.minimum(12.0 * (el / theta3_deg) ** 2, sla_v_db)
    return g_e_max_dbi - np.minimum(-(a_h + a_v), am_db)


def m2101_array_gain_dbi(
    azimuth_deg,
    elevation_deg,
    *,
    n_h=8,
    n_v=8,
    d_h=0.5,
    d_v=0.5,
    steer_azimuth_deg=0.0,
    steer_tilt_deg=0.0,
    **element_kw,
):
    """Composite beam-formed array gain of Rec. ITU-R M.2101-0 Annex 1 §5 (dBi).

    ``d_h``, ``d_v`` are element spacings in wavelengths; ``steer_tilt_deg`` is the electrical
    downtilt (positive below the horizon). A_A = A_E + 10 log10 |sum w v|^2, with the array
    factor floored at -60 dB in exact nulls.
    """
    az = np.asarray(azimuth_deg, float)
    el = np.asarray(elevation_deg, float)
    az, el = np.broadcast_arrays(az, el)
    theta = np.radians(90.0 - el)  # zenith angle
    phi = np.radians(az)
    t_e = np.radians(steer_tilt_deg)
    p_e = np.radians(steer_azimuth_deg)
    m = np.arange(n_h)[:, None]
    n = np.arange(n_v)[None, :]
    flat_th = theta.reshape(-1, 1, 1)
    flat_ph = phi.reshape(-1, 1, 1)
    phase = (
        2.0
        * np.pi
        * (
            n * d_v * (np.cos(flat_th) + np.sin(t_e))
            + m * d_h * (np.sin(flat_th) * np.sin(flat_ph) - np.cos(t_e) * np.sin(p_e))
        )
    )
    af = np.abs(np.exp(1j * phase).sum(axis=(1, 2))) ** 2 / (n_h * n_v)
    # Ideal arrays have exact nulls; floor the array factor at -60 dB to keep finite gains.
    af = np.maximum(af, ARRAY_FACTOR_FLOOR)
    with np.errstate(divide="ignore"):
        array_db = 10.0 * np.log10(af).reshape(az.shape)
    return m2101_element_gain_dbi(az, el, **element_kw) + array_db


def off_axis_angle_deg(point_az_deg, point_el_deg, target_az_deg, target_el_deg):
    """Angle (deg) between a pointing direction and a target direction (az/el in deg)."""
    pa, pe, ta, te = (
        np.radians(np.asarray(v, float))
        for v in (point_az_deg, point_el_deg, target_az_deg, target_el_deg)
    )
    cos_a = np.sin(pe) * np.sin(te) + np.cos(pe) * np.cos(te) * np.cos(ta - pa)
    return np.degrees(np.arccos(np.clip(cos_a, -1.0, 1.0)))


def sector_angles_deg(bearing_deg, elevation_deg, antenna_azimuth_deg, mechanical_tilt_deg):
    """Direction (bearing, elevation) in the frame of a mechanically down-tilted antenna.

    Rec. ITU-R F.1336-5 recommends 3.4: theta_e = asin(sin(theta) cos(beta) + cos(theta)
    cos(phi) sin(beta)), phi_e = acos((-sin(theta) sin(beta) + cos(theta) cos(phi) cos(beta))
    / cos(theta_e)), with phi the azimuth from boresight and beta the downtilt (positive down).

    Returns
    -------
    (azimuth_deg, elevation_deg) relative to boresight; azimuth keeps the sign of phi.
    """
    phi = np.radians(
        np.mod(np.asarray(bearing_deg, float) - antenna_azimuth_deg + 180.0, 360.0) - 180.0
    )
    th = np.radians(np.asarray(elevation_deg, float))
    beta = np.radians(np.asarray(mechanical_tilt_deg, float))
    s = np.sin(th) * np.cos(beta) + np.cos(th) * np.cos(phi) * np.sin(beta)
    th_e = np.arcsin(np.clip(s, -1.0, 1.0))
    c = (-np.sin(th) * np.sin(beta) + np.cos(th) * np.cos(phi) * np.cos(beta)) / np.maximum(
        np.cos(th_e), 1e-12
    )
    ph_e = np.arccos(np.clip(c, -1.0, 1.0)) * np.where(phi < 0.0, -1.0, 1.0)
    return np.degrees(ph_e), np.degrees(th_e)


def gso_look_angles_deg(es_lon, es_lat, sat_lon):
    """(azimuth, elevation) in degrees from an earth station to a geostationary satellite."""
    lat = np.radians(np.asarray(es_lat, float))
    dlon = np.radians(np.asarray(sat_lon, float) - np.asarray(es_lon, float))
    cos_g = np.cos(lat) * np.cos(dlon)
    ratio = EARTH_EQUATORIAL_RADIUS_KM / GSO_RADIUS_KM
    el = np.degrees(np.arctan2(cos_g - ratio, np.sqrt(np.maximum(1.0 - cos_g**2, 0.0))))
    az = np.degrees(np.arctan2(np.sin(dlon), -np.sin(lat) * np.cos(dlon)))
    return np.mod(az, 360.0), el
