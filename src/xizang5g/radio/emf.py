"""Far-field EMF exposure and compliance distances against GB 8702-2014 public limits.

GB 8702-2014 "Controlling limits for electromagnetic environment" (电磁环境控制限值), Table 1,
public exposure, 0.1 MHz-300 GHz rows (f in MHz). For several frequencies the standard requires
the sum of the exposure ratios to stay below 1; for co-sited cells radiating in the same
direction this gives a closed-form compliance distance (:func:`cosited_compliance_distance_m`);
:func:`site_exposure` evaluates the public exposure around a mast over distance.
Far-field formulas only: S = EIRP g / (4 pi r^2), E = sqrt(S Z0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .antennas import cell_gain_dbi
from .constants import Z0_OHM
from .errors import RadioInputError

__all__ = [
    "DEFAULT_PROFILE_DISTANCES_M",
    "GB8702_PUBLIC_TABLE",
    "Z0_OHM",
    "SiteExposure",
    "compliance_distance_m",
    "cosited_compliance_distance_m",
    "exposure_ratio",
    "field_strength_v_m",
    "gb8702_public_e_limit_v_m",
    "gb8702_public_limits",
    "power_density_from_field_w_m2",
    "power_density_w_m2",
    "site_exposure",
]

GB8702_PUBLIC_TABLE = (
    # (f_low_MHz, f_high_MHz, E limit (V/m), equivalent plane-wave S limit (W/m^2))
    (0.1, 3.0, "40", "4"),
    (3.0, 30.0, "67 / f**0.5", "12 / f"),
    (30.0, 3000.0, "12", "0.4"),
    (3000.0, 15000.0, "0.22 * f**0.5", "f / 7500"),
    (15000.0, 300000.0, "27", "2"),
)
"""GB 8702-2014 Table 1 public exposure limits from 0.1 MHz to 300 GHz, f in MHz.

The rows join continuously (e.g. at 3000 MHz: 0.22 sqrt(3000) = 12.05 V/m and
3000 / 7500 = 0.4 W/m^2; at 15 GHz: 26.9 V/m and 2 W/m^2).
"""


def gb8702_public_limits(f_mhz):
    """(E limit V/m, S limit W/m^2) of GB 8702-2014 for public exposure at ``f_mhz``."""
    f = np.asarray(f_mhz, float)
    if np.any(~np.isfinite(f) | (f < 0.1) | (f > 300000.0)):
        raise RadioInputError("GB 8702 limits are tabulated here for 0.1 MHz-300 GHz")
    e = np.select(
        [f < 3.0, f < 30.0, f < 3000.0, f < 15000.0],
        [np.full_like(f, 40.0), 67.0 / np.sqrt(f), np.full_like(f, 12.0), 0.22 * np.sqrt(f)],
        27.0,
    )
    s = np.select(
        [f < 3.0, f < 30.0, f < 3000.0, f < 15000.0],
        [np.full_like(f, 4.0), 12.0 / f, np.full_like(f, 0.4), f / 7500.0],
        2.0,
    )
    return e, s


def gb8702_public_e_limit_v_m(f_mhz):
    """GB 8702-2014 Table 1 public limit on the electric field strength (V/m) at ``f_mhz``."""
    return gb8702_public_limits(f_mhz)[0]


def _eirp_w(eirp_dbm, gain_rel_db):
    return 10.0 ** ((np.asarray(eirp_dbm, float) + np.asarray(gain_rel_db, float) - 30.0) / 10.0)


def power_density_w_m2(eirp_dbm, distance_m, gain_rel_db=0.0):
    """Far-field power density (W/m^2) at ``distance_m``.

    ``eirp_dbm`` is the peak EIRP; ``gain_rel_db`` (<= 0) the pattern attenuation toward the
    point, e.g. ``pattern_dbi - peak_dbi``.
    """
    r = np.asarray(distance_m, float)
    if np.any(r <= 0):
        raise RadioInputError("distance must be > 0 m")
    return _eirp_w(eirp_dbm, gain_rel_db) / (4.0 * np.pi * r**2)


def field_strength_v_m(power_density):
    """RMS electric field (V/m) of a plane wave of the given power density (W/m^2)."""
    s = np.asarray(power_density, float)
    if np.any(~(s >= 0.0)):
        raise RadioInputError("power density must be >= 0 W/m^2")
    return np.sqrt(s * Z0_OHM)


def power_density_from_field_w_m2(e_v_m):
    """Plane-wave power density S = E^2 / Z0 (W/m^2) of an RMS electric field (V/m, >= 0)."""
    e = np.asarray(e_v_m, float)
    if np.any(~(e >= 0.0)) or np.any(~np.isfinite(e)):
        raise RadioInputError("field strength must be a finite value >= 0 V/m")
    return e**2 / Z0_OHM


def compliance_distance_m(eirp_dbm, f_mhz, gain_rel_db=0.0):
    """Distance (m) beyond which one cell meets the GB 8702-2014 public power-density limit."""
    _, s_lim = gb8702_public_limits(f_mhz)
    return np.sqrt(_eirp_w(eirp_dbm, gain_rel_db) / (4.0 * np.pi * s_lim))


def exposure_ratio(eirp_dbm, f_mhz, distance_m, gain_rel_db=0.0, axis=None):
    """Sum over cells of S_i / S_limit,i at ``distance_m`` (compliant when <= 1).

    Arrays broadcast; the sum runs over ``axis`` (all elements when ``None``).
    """
    _, s_lim = gb8702_public_limits(f_mhz)
    return np.sum(power_density_w_m2(eirp_dbm, distance_m, gain_rel_db) / s_lim, axis=axis)


def cosited_compliance_distance_m(eirp_dbm, f_mhz, gain_rel_db=0.0, axis=-1):
    """Compliance distance (m) for co-sited cells seen in the same direction.

    With S_i = EIRP_i g_i / (4 pi r^2) the summed ratio is 1 at
    r = sqrt(sum_i EIRP_i g_i / (4 pi S_limit,i)). ``axis`` indexes the cells.
    """
    _, s_lim = gb8702_public_limits(f_mhz)
    terms = _eirp_w(eirp_dbm, gain_rel_db) / (4.0 * np.pi * s_lim)
    return np.sqrt(np.sum(terms, axis=axis))


DEFAULT_PROFILE_DISTANCES_M = np.concatenate(
    [np.arange(1.0, 100.0, 1.0), np.arange(100.0, 1001.0, 10.0)]
)
"""Horizontal distances (m) of the public exposure profile: every metre to 100 m, then every
10 m to 1 km (the exposure maximum of a mast lies within a few hundred metres)."""
DEFAULT_PROFILE_DISTANCES_M.setflags(write=False)


@dataclass(frozen=True)
class SiteExposure:
    """Result of :func:`site_exposure`.

    Attributes
    ----------
    compliance_distance_m : float
        Distance on boresight beyond which the co-sited cells together meet the limits.
    max_ratio : float
        Largest summed exposure ratio (sum S_i / S_limit,i) on the profile; compliant <= 1.
    max_s_w_m2 : float
        Total power density (W/m^2) where that largest ratio occurs.
    at_m : float
        Horizontal distance (m) of the largest ratio.
    distances_m, ratios : ndarray
        The profile: horizontal distance (m) and summed exposure ratio there.
    """

    compliance_distance_m: float
    max_ratio: float
    max_s_w_m2: float
    at_m: float
    distances_m: np.ndarray
    ratios: np.ndarray


def site_exposure(
    *,
    eirp_dbm,
    f_mhz,
    g0_dbi,
    phi3_deg,
    height_m,
    mech_tilt_deg,
    elec_tilt_deg,
    public_height_m,
    distances_m=None,
) -> SiteExposure:
    """Public exposure around a mast of co-sited cells (far field, worst-case azimuth).

    Every cell is looked at along its own boresight azimuth (the worst case for each), at
    ``public_height_m`` above the ground and the given horizontal distances. Each cell's EIRP
    is attenuated by its F.1336 sector pattern toward the point
    (:func:`~xizang5g.radio.antennas.cell_gain_dbi`, mechanical and electrical tilt); the
    ratios S_i / S_limit,i are summed over the cells (GB 8702-2014 multi-frequency rule). The
    compliance distance is :func:`cosited_compliance_distance_m` on boresight.

    Parameters
    ----------
    eirp_dbm, f_mhz, g0_dbi, phi3_deg, height_m, mech_tilt_deg, elec_tilt_deg : array_like
        One value per cell: peak EIRP (dBm), frequency (MHz), peak gain (dBi), azimuth
        beamwidth (deg), antenna height above ground (m), downtilts (deg).
    public_height_m : float
        Height above ground of the exposed point (m), e.g. 1.7 m.
    distances_m : array_like, optional
        Horizontal distances (m, > 0); default :data:`DEFAULT_PROFILE_DISTANCES_M`.
    """
    eirp = np.atleast_1d(np.asarray(eirp_dbm, float))
    f = np.atleast_1d(np.asarray(f_mhz, float))
    if eirp.ndim != 1 or eirp.size == 0 or f.shape != eirp.shape:
        raise RadioInputError("eirp_dbm and f_mhz need one value per cell (at least one cell)")
    x = np.asarray(DEFAULT_PROFILE_DISTANCES_M if distances_m is None else distances_m, float)
    if x.ndim != 1 or x.size == 0 or np.any(~(x > 0.0)):
        raise RadioInputError("distances_m must be horizontal distances > 0 m")
    compliance_m = float(cosited_compliance_distance_m(eirp, f))
    x = x[:, None]
    dz = np.asarray(height_m, float)[None, :] - public_height_m
    r = np.sqrt(x**2 + dz**2)
    elevation = -np.degrees(np.arctan2(dz, x))  # the public point seen from the antenna
    g0 = np.asarray(g0_dbi, float)[None, :]
    gain = cell_gain_dbi(
        np.zeros_like(elevation),
        elevation,
        0.0,
        np.asarray(mech_tilt_deg, float)[None, :],
        np.asarray(elec_tilt_deg, float)[None, :],
        g0,
        np.asarray(phi3_deg, float)[None, :],
    )
    rel = gain - g0
    ratio = exposure_ratio(eirp[None, :], f[None, :], r, rel, axis=1)
    s = power_density_w_m2(eirp[None, :], r, rel).sum(axis=1)
    k = int(np.argmax(ratio))
    return SiteExposure(
        compliance_distance_m=compliance_m,
        max_ratio=float(ratio[k]),
        max_s_w_m2=float(s[k]),
        at_m=float(x[k, 0]),
        distances_m=x[:, 0].copy(),
        ratios=ratio,
    )
