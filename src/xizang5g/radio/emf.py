"""Far-field EMF exposure and compliance distances against GB 8702-2014 public limits.

GB 8702-2014 "Controlling limits for electromagnetic environment" (电磁环境控制限值), Table 1,
public exposure, 0.1 MHz-300 GHz rows (f in MHz). For several frequencies the standard requires
the sum of the exposure ratios to stay below 1; for co-sited cells radiating in the same
direction this gives a closed-form compliance distance (:func:`cosited_compliance_distance_m`).
Far-field formulas only: S = EIRP g / (4 pi r^2), E = sqrt(S Z0).
"""

from __future__ import annotations

import numpy as np

from .errors import RadioInputError

__all__ = [
    "GB8702_PUBLIC_TABLE",
    "Z0_OHM",
    "compliance_distance_m",
    "cosited_compliance_distance_m",
    "exposure_ratio",
    "field_strength_v_m",
    "gb8702_public_limits",
    "power_density_w_m2",
]

Z0_OHM = 376.730313668
"""Impedance of free space (ohm), CODATA 2018."""

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
    return np.sqrt(np.asarray(power_density, float) * Z0_OHM)


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
