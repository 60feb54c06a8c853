"""Specific attenuation of dry air and water vapour (ITU-R P.676-11 Annex 1, line-by-line).

P.452-18 eq. (9) obtains the gaseous absorption from P.676; the ITU-R reference implementation
that produced the P.452-18 validation data uses the P.676-11 Annex 1 summation of oxygen and
water-vapour resonance lines, so this module does the same (valid 1-1000 GHz; P.452 uses it for
0.1-50 GHz).
"""

from __future__ import annotations

import numpy as np

from .constants import P676_OXYGEN, P676_WATER_VAPOUR


def _line_shape(f_ghz, f0, df, delta):
    # P.676-11 eq. (5): Van Vleck-Weisskopf line shape with interference term delta.
    return (f_ghz / f0) * (
        (df - delta * (f0 - f_ghz)) / ((f0 - f_ghz) ** 2 + df**2)
        + (df - delta * (f0 + f_ghz)) / ((f0 + f_ghz) ** 2 + df**2)
    )


def specific_attenuation_db_km(f_ghz, press_hpa, rho_g_m3, temp_k):
    """Total specific attenuation gamma_o + gamma_w (dB/km), broadcast over all inputs.

    Parameters
    ----------
    f_ghz : array_like
        Frequency (GHz).
    press_hpa : array_like
        Dry-air pressure (hPa).
    rho_g_m3 : array_like
        Water-vapour density (g/m^3).
    temp_k : array_like
        Temperature (K).

    Returns
    -------
    numpy.ndarray
        gamma_o + gamma_w in dB/km (P.676-11 Annex 1 eqs (1)-(9)).
    """
    f, p, rho, t = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (f_ghz, press_hpa, rho_g_m3, temp_k))
    )
    shape = f.shape
    f, p, rho, t = (x.reshape(-1, 1) for x in (f, p, rho, t))
    theta = 300.0 / t
    e = rho * t / 216.7  # water-vapour partial pressure, eq. (4)

    ox = P676_OXYGEN
    f0, a1, a2, a3, a4, a5, a6 = (ox[:, k] for k in range(7))
    s_o = a1 * 1e-7 * p * theta**3 * np.exp(a2 * (1.0 - theta))
    df_o = a3 * 1e-4 * (p * theta ** (0.8 - a4) + 1.1 * e * theta)
    df_o = np.sqrt(df_o * df_o + 2.25e-6)  # Zeeman splitting of oxygen lines, eq. (6b)
    delta_o = (a5 + a6 * theta) * 1e-4 * (p + e) * theta**0.8
    sum_o = np.sum(s_o * _line_shape(f, f0, df_o, delta_o), axis=1)

    # Dry-air continuum (Debye spectrum and pressure-induced nitrogen), eqs (8)-(9).
    d = 5.6e-4 * (p + e) * theta**0.8
    debye = 6.14e-5 / (d * (1.0 + (f / d) ** 2))
    nitrogen = 1.4e-12 * p * theta**1.5 / (1.0 + 1.9e-5 * f**1.5)
    ndf = f * p * theta**2 * (debye + nitrogen)
    gamma_o = 0.182 * f[:, 0] * (sum_o + ndf[:, 0])

    wv = P676_WATER_VAPOUR
    f0w, b1, b2, b3, b4, b5, b6 = (wv[:, k] for k in range(7))
    s_w = b1 * 1e-1 * e * theta**3.5 * np.exp(b2 * (1.0 - theta))
    df_w = b3 * 1e-4 * (p * theta**b4 + b5 * e * theta**b6)
    df_w = 0.535 * df_w + np.sqrt(0.217 * df_w * df_w + 2.1316e-12 * f0w * f0w / theta)
    sum_w = np.sum(s_w * _line_shape(f, f0w, df_w, 0.0), axis=1)
    gamma_w = 0.182 * f[:, 0] * sum_w

    return (gamma_o + gamma_w).reshape(shape)
