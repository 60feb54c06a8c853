"""Power levels in decibels: thermal noise, sums of powers, power per resource element.

* :func:`noise_power_dbm` - thermal noise k T B.
* :func:`power_sum_dbm` - the sum of powers given in dBm (along an axis).
* :func:`aggregate_power_dbm` - sums of powers grouped by an index (e.g. every cell's
  interference at each earth station).
* :func:`rsrp_dbm` - 5G NR SS-RSRP, the power of one resource element.

Every function broadcasts over NumPy arrays; ``-inf`` dBm stands for no power.
"""

from __future__ import annotations

import numpy as np

from .constants import BOLTZMANN_DBM_PER_K_HZ
from .errors import RadioInputError

__all__ = [
    "aggregate_power_dbm",
    "noise_power_dbm",
    "power_sum_dbm",
    "rsrp_dbm",
]

NR_OCCUPIED_FRACTION = 0.95
"""Share of a 5G NR channel taken by resource blocks, for N_RB = floor(0.95 B / (12 df)): within
4 % of 3GPP TS 38.101-1 Table 5.3.2-1 (e.g. 263 for 273 RB at 100 MHz, 30 kHz; 105 for 106 RB
at 20 MHz, 15 kHz), i.e. within 0.2 dB of RSRP."""

NR_SCS_LOW_BAND_LIMIT_MHZ = 1000.0
"""Below this carrier frequency the subcarrier spacing is taken as 15 kHz, above it 30 kHz (the
usual FR1 choice: 15 kHz in n28, 30 kHz in n41/n78/n79)."""


def _finite_or_minus_inf(values_dbm, name: str) -> np.ndarray:
    values = np.asarray(values_dbm, float)
    if np.any(np.isnan(values) | (values == np.inf)):
        raise RadioInputError(f"{name} must be finite dBm values (or -inf for no power)")
    return values


def noise_power_dbm(noise_temp_k, bandwidth_mhz):
    """Thermal noise power k T B (dBm).

    Parameters
    ----------
    noise_temp_k : array_like
        System noise temperature T (K), > 0.
    bandwidth_mhz : array_like
        Noise bandwidth B (MHz), > 0.

    Returns
    -------
    ndarray
        -198.6 + 10 log10(T) + 10 log10(B Hz); -174.0 dBm for 1 Hz at 290 K.
    """
    t = np.asarray(noise_temp_k, float)
    b = np.asarray(bandwidth_mhz, float)
    if np.any(~(t > 0.0) | ~np.isfinite(t)):
        raise RadioInputError("noise_temp_k must be a finite temperature > 0 K")
    if np.any(~(b > 0.0) | ~np.isfinite(b)):
        raise RadioInputError("bandwidth_mhz must be finite and > 0 MHz")
    return BOLTZMANN_DBM_PER_K_HZ + 10.0 * np.log10(t) + 10.0 * np.log10(b * 1e6)


def power_sum_dbm(values_dbm, axis=None):
    """Sum of powers given in dBm: 10 log10(sum 10^(P/10)).

    Parameters
    ----------
    values_dbm : array_like
        Powers (dBm); ``-inf`` adds nothing.
    axis : int, optional
        Axis to sum along; all elements when ``None``.

    Returns
    -------
    float or ndarray
        The total (dBm); ``-inf`` for an empty sum. Computed relative to the largest term, so
        very small or very large levels neither underflow nor overflow.
    """
    values = _finite_or_minus_inf(values_dbm, "values_dbm")
    if values.size == 0:
        return -np.inf
    top = np.max(values, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        total = shift + 10.0 * np.log10(
            np.sum(10.0 ** ((values - shift) / 10.0), axis=axis, keepdims=True)
        )
    total = np.where(np.isfinite(top), total, -np.inf)
    return total.item() if axis is None else np.squeeze(total, axis=axis)


def aggregate_power_dbm(index, values_dbm, size: int):
    """Sums of powers (dBm) grouped by ``index``: ``out[k]`` = sum of ``values_dbm[index == k]``.

    Parameters
    ----------
    index : array_like of int
        Group of each value, within [0, size).
    values_dbm : array_like
        Powers (dBm), same shape as ``index``.
    size : int
        Number of groups; a group without values gets ``-inf``.

    Returns
    -------
    ndarray
        ``size`` totals (dBm).
    """
    index = np.asarray(index, np.int64)
    values = _finite_or_minus_inf(values_dbm, "values_dbm")
    if index.shape != values.shape:
        raise RadioInputError("index and values_dbm must have the same shape")
    if index.size and (index.min() < 0 or index.max() >= size):
        raise RadioInputError(f"index must lie within [0, {size})")
    top = np.full(size, -np.inf)
    if index.size == 0:
        return top
    np.maximum.at(top, index, values)
    shift = np.where(np.isfinite(top), top, 0.0)
    linear = np.bincount(index, weights=10.0 ** ((values - shift[index]) / 10.0), minlength=size)
    with np.errstate(divide="ignore"):
        return np.where(
            linear > 0.0, shift + 10.0 * np.log10(np.where(linear > 0, linear, 1.0)), -np.inf
        )


def rsrp_dbm(power_dbm, bw_mhz, f_mhz, gain_dbi, lb_db):
    """5G NR SS-RSRP (dBm): received power of one resource element (3GPP TS 38.215 §5.1.1).

    RSRP = P - 10 log10(12 N_RB) + G - Lb, the conducted power P spread evenly over the
    12 N_RB subcarriers of the channel. N_RB = floor(0.95 B / (12 df)) with df = 15 kHz below
    1 GHz and 30 kHz above (:data:`NR_OCCUPIED_FRACTION`).

    Parameters
    ----------
    power_dbm : array_like
        Conducted channel power (dBm).
    bw_mhz, f_mhz : array_like
        Channel bandwidth (MHz, at least one resource block) and carrier frequency (MHz), > 0.
    gain_dbi, lb_db : array_like
        Antenna gain toward the point (dBi) and basic transmission loss (dB).
    """
    bw = np.asarray(bw_mhz, float)
    f = np.asarray(f_mhz, float)
    if np.any(~(f > 0.0)):
        raise RadioInputError("f_mhz must be > 0 MHz")
    scs_khz = np.where(f < NR_SCS_LOW_BAND_LIMIT_MHZ, 15.0, 30.0)
    n_rb = np.floor(bw * 1000.0 * NR_OCCUPIED_FRACTION / (12.0 * scs_khz))
    if np.any(~(n_rb >= 1.0)):
        raise RadioInputError("bw_mhz is too narrow for one 5G NR resource block")
    return np.asarray(power_dbm, float) - 10.0 * np.log10(12.0 * n_rb) + gain_dbi - lb_db
