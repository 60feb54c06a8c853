"""Numba kernels for the per-profile reductions of P.452-18 (horizon, smooth Earth, Bullington).

Every maximum over the profile needed by the method is computed here in one compiled pass per
path over a flat concatenation of ragged profiles (``offsets`` delimit the paths). Everything
that is frequency- or time-percentage-dependent is left to vectorised NumPy in :mod:`.p452`.
Wavelength factors out of the Bullington ``nu`` maxima: ``nu_i = H_i * sqrt(0.002 d / lambda)
/ sqrt(d_i (d - d_i))``, so the kernel returns ``max H_i / sqrt(d_i (d - d_i))``.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

# Output columns of profile_kernel.
DTOT, HTS, HRS, DTM, DLM, OMEGA = 0, 1, 2, 3, 4, 5
HSTD, HSRD, HTE, HRE, HM = 6, 7, 8, 9, 10
THETA_T, THETA_R, THETA, DLT, DLR, PATHTYPE, STIM_H = 11, 12, 13, 14, 15, 16, 17
# Bullington maxima: block base + (0 stim, 1 srim, 2 nu0) for each (profile, radius) pair.
BULL_G_AE, BULL_G_AB, BULL_S_AE, BULL_S_AB = 18, 21, 24, 27
N_COLS = 30

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@nb.njit(**_JIT)
def _one_path(d, h, clutter, zone, htg, hrg, ae, ab, clutter_exclusion_km, o):
    n = d.size
    dtot = d[n - 1]
    hts = h[0] + htg
    hrs = h[n - 1] + hrg

    # Pass A: zone runs (P.452-18 §3.2.1 dtm/dlm, omega) and smooth-Earth integrals (eqs 161-164).
    v1 = 0.0
    v2 = 0.0
    run_t = 0.0
    run_l = 0.0
    dtm = 0.0
    dlm = 0.0
    sea = 0.0
    for i in range(n):
        if i == 0:
            half = 0.5 * (d[1] - d[0])
        elif i == n - 1:
            half = 0.5 * (d[n - 1] - d[n - 2])
        else:
            half = 0.5 * (d[i + 1] - d[i - 1])
        zi = zone[i]
        if zi == 1 or zi == 2:
            run_t += half
            dtm = max(dtm, run_t)
        else:
            run_t = 0.0
        if zi == 2:
            run_l += half
            dlm = max(dlm, run_l)
        else:
            run_l = 0.0
        if zi == 3:
            sea += half
        if i > 0:
            dd = d[i] - d[i - 1]
            v1 += dd * (h[i] + h[i - 1])
            v2 += dd * (h[i] * (2.0 * d[i] + d[i - 1]) + h[i - 1] * (d[i] + 2.0 * d[i - 1]))
    hst = (2.0 * v1 * dtot - v2) / (dtot * dtot)
    hsr = (v2 - v1 * dtot) / (dtot * dtot)

    # Pass B over intermediate points: obstruction, horizons, Bullington maxima on g.
    inv_dtot = 1.0 / dtot
    hobs = -np.inf
    a_obt = -np.inf
    a_obr = -np.inf
    xt_max = -np.inf
    it = 1
    xr_max = -np.inf
    ir = 1
    nuh_max = -np.inf
    inu = 1
    stim_h = -np.inf
    sg_e = -np.inf
    rg_e = -np.inf
    ng_e = -np.inf
    sg_b = -np.inf
    rg_b = -np.inf
    ng_b = -np.inf
    half_ae = 0.5 / ae
    c_e = 500.0 / ae
    c_b = 500.0 / ab
    lo = clutter_exclusion_km
    hi_lim = dtot - clutter_exclusion_km
    for i in range(1, n - 1):
        di = d[i]
        dr = dtot - di
        inv_di = 1.0 / di
        inv_dr = 1.0 / dr
        q = di * dr
        inv_sq = 1.0 / math.sqrt(q)
        hi = h[i]
        # Radio profile g = h + clutter except within 50 m of a terminal (P.452-18 §4.5.1).
        gi = hi if (di < lo or di > hi_lim) else hi + clutter[i]
        los = (hts * dr + hrs * di) * inv_dtot
        hh = hi - los
        hobs = max(hobs, hh)
        a_obt = max(a_obt, hh * inv_di)
        a_obr = max(a_obr, hh * inv_dr)
        # atan is monotonic: keep the argument, convert the maximum only (eqs 152, 157).
        xt = (hi - hts) / (1000.0 * di) - di * half_ae
        if xt > xt_max:
            xt_max = xt
            it = i
        xr = (hi - hrs) / (1000.0 * dr) - dr * half_ae
        if xr >= xr_max:
            xr_max = xr
            ir = i
        ce = c_e * q
        cb = c_b * q
        nuh = (hi + ce - los) * inv_sq
        if nuh >= nuh_max:
            nuh_max = nuh
            inu = i
        stim_h = max(stim_h, (hi + ce - hts) * inv_di)
        ge = gi + ce
        sg_e = max(sg_e, (ge - hts) * inv_di)
        rg_e = max(rg_e, (ge - hrs) * inv_dr)
        ng_e = max(ng_e, (ge - los) * inv_sq)
        gb = gi + cb
        sg_b = max(sg_b, (gb - hts) * inv_di)
        rg_b = max(rg_b, (gb - hrs) * inv_dr)
        ng_b = max(ng_b, (gb - los) * inv_sq)

    # Diffraction smooth-surface heights, eqs (165)-(167).
    if hobs <= 0.0:
        hstp = hst
        hsrp = hsr
    else:
        hstp = hst - hobs * a_obt / (a_obt + a_obr)
        hsrp = hsr - hobs * a_obr / (a_obt + a_obr)
    hstd = h[0] if hstp >= h[0] else hstp
    hsrd = h[n - 1] if hsrp > h[n - 1] else hsrp

    # Path classification and horizon parameters, eqs (150)-(159).
    theta_td = 1000.0 * math.atan((hrs - hts) / (1000.0 * dtot) - dtot * half_ae)
    theta_rd = 1000.0 * math.atan((hts - hrs) / (1000.0 * dtot) - dtot * half_ae)
    theta_t = max(1000.0 * math.atan(xt_max), theta_td)
    theta_r = max(1000.0 * math.atan(xr_max), theta_rd)
    pathtype = 2 if theta_t > theta_td else 1
    lt = it
    lr = ir
    dlt = d[lt]
    dlr = dtot - d[lr]
    if pathtype == 1:
        # LoS: horizon distances are those of the Bullington point (P.452-18 §5.1.6.1 note).
        theta_t = theta_td
        theta_r = theta_rd
        lt = inu
        dlt = d[lt]
        dlr = dtot - dlt
        lr = min(lt + 2, n - 2)
        while lr > 1 and not (dlr <= dtot - d[lr]):
            lr -= 1
    theta = 1000.0 * dtot / ae + theta_t + theta_r

    # Ducting/layer-reflection heights and roughness, eqs (168)-(171).
    hst2 = min(hst, h[0])
    hsr2 = min(hsr, h[n - 1])
    m = (hsr2 - hst2) * inv_dtot
    hte = htg + h[0] - hst2
    hre = hrg + h[n - 1] - hsr2
    i0 = min(lt, lr)
    i1 = max(lt, lr)
    hm = -np.inf
    for i in range(i0, i1 + 1):
        hm = max(hm, h[i] - (hst2 + m * d[i]))

    # Pass C: Bullington maxima on the smooth profile (h = 0, heights hts - hstd, hrs - hsrd).
    hts1 = hts - hstd
    hrs1 = hrs - hsrd
    ss_e = -np.inf
    rs_e = -np.inf
    ns_e = -np.inf
    ss_b = -np.inf
    rs_b = -np.inf
    ns_b = -np.inf
    for i in range(1, n - 1):
        di = d[i]
        dr = dtot - di
        inv_di = 1.0 / di
        inv_dr = 1.0 / dr
        q = di * dr
        inv_sq = 1.0 / math.sqrt(q)
        los1 = (hts1 * dr + hrs1 * di) * inv_dtot
        ce = c_e * q
        cb = c_b * q
        ss_e = max(ss_e, (ce - hts1) * inv_di)
        rs_e = max(rs_e, (ce - hrs1) * inv_dr)
        ns_e = max(ns_e, (ce - los1) * inv_sq)
        ss_b = max(ss_b, (cb - hts1) * inv_di)
        rs_b = max(rs_b, (cb - hrs1) * inv_dr)
        ns_b = max(ns_b, (cb - los1) * inv_sq)

    o[DTOT] = dtot
    o[HTS] = hts
    o[HRS] = hrs
    o[DTM] = dtm
    o[DLM] = dlm
    o[OMEGA] = sea * inv_dtot
    o[HSTD] = hstd
    o[HSRD] = hsrd
    o[HTE] = hte
    o[HRE] = hre
    o[HM] = hm
    o[THETA_T] = theta_t
    o[THETA_R] = theta_r
    o[THETA] = theta
    o[DLT] = dlt
    o[DLR] = dlr
    o[PATHTYPE] = pathtype
    o[STIM_H] = stim_h
    o[BULL_G_AE] = sg_e
    o[BULL_G_AE + 1] = rg_e
    o[BULL_G_AE + 2] = ng_e
    o[BULL_G_AB] = sg_b
    o[BULL_G_AB + 1] = rg_b
    o[BULL_G_AB + 2] = ng_b
    o[BULL_S_AE] = ss_e
    o[BULL_S_AE + 1] = rs_e
    o[BULL_S_AE + 2] = ns_e
    o[BULL_S_AB] = ss_b
    o[BULL_S_AB + 1] = rs_b
    o[BULL_S_AB + 2] = ns_b


@nb.njit(**_JIT)
def profile_kernel(d, h, clutter, zone, offsets, htg, hrg, ae, ab, clutter_exclusion_km):
    """Frequency-independent profile analysis of every path; returns an (n_paths, N_COLS) array."""
    n_paths = offsets.size - 1
    out = np.empty((n_paths, N_COLS))
    for k in range(n_paths):
        s = offsets[k]
        e = offsets[k + 1]
        _one_path(
            d[s:e],
            h[s:e],
            clutter[s:e],
            zone[s:e],
            htg[k],
            hrg[k],
            ae[k],
            ab,
            clutter_exclusion_km,
            out[k],
        )
    return out
