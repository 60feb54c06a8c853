"""ITU-R P.452-18 clear-air interference prediction, vectorised over many paths.

Public entry points
-------------------
* :class:`PathBatch` - many paths with ragged terrain profiles and per-path parameters.
* :func:`transmission_loss` - basic transmission loss Lb(p) (dB) for every path of a batch,
  optionally with all the intermediates of the ITU validation files (:class:`P452Result`).
* :func:`transmission_loss_single` - one path, keyword arguments, returns Lb (dB).

Section and equation numbers refer to Recommendation ITU-R P.452-18 (10/2023), Annex 1 and its
Attachment 2 (path profile analysis) and Attachment 3 (inverse normal approximation).
Clutter follows the -18 revision: the caller gives the representative clutter height at every
profile point; the engine forms the radio profile g = h + clutter and keeps g = h within 50 m
of either terminal (§4.5.1). No separate terminal clutter loss is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from . import _kernels as K
from .constants import (
    ALPHA_MIN,
    DELTA_N_LIMIT,
    DUCT_EPSILON,
    EARTH_RADIUS_KM,
    ETA,
    FJ_THETA,
    FJ_XI,
    FK_DSW_KM,
    FK_KAPPA,
    GROUND_LAND,
    GROUND_SEA,
    INV_NORM_C,
    INV_NORM_D,
    INV_NORM_X_MIN,
    K_BETA,
    KNIFE_EDGE_NU_MIN,
    MULTIPATH_COEFF_DB,
    RHO_TROPOSCATTER_G_M3,
    SPEED_OF_LIGHT_MM,
    TERMINAL_CLUTTER_EXCLUSION_KM,
    rho_line_of_sight_g_m3,
)
from .p452_paths import PathBatch
from .p676 import specific_attenuation_db_km

__all__ = [
    "P452Result",
    "PathBatch",
    "beta0_percent",
    "effective_earth_radius_km",
    "great_circle_midpoint_lat",
    "inv_cum_norm",
    "transmission_loss",
    "transmission_loss_single",
]

_DEFAULT_CHUNK_PATHS = 4096


# ====================================================================== results
@dataclass(frozen=True, eq=False)
class P452Result:
    """Lb and every intermediate of the ITU P.452-18 validation files, one value per path.

    Units: distances km, heights m, angles mrad, losses dB; ``omega`` is a fraction,
    ``beta0`` a percentage, ``path_type`` 1 (line of sight) or 2 (trans-horizon).
    """

    ae_km: np.ndarray
    dtot_km: np.ndarray
    hts_m: np.ndarray
    hrs_m: np.ndarray
    theta_t_mrad: np.ndarray
    theta_r_mrad: np.ndarray
    theta_mrad: np.ndarray
    hm_m: np.ndarray
    hte_m: np.ndarray
    hre_m: np.ndarray
    hstd_m: np.ndarray
    hsrd_m: np.ndarray
    dlt_km: np.ndarray
    dlr_km: np.ndarray
    path_type: np.ndarray
    dtm_km: np.ndarray
    dlm_km: np.ndarray
    beta0_percent: np.ndarray
    omega: np.ndarray
    lbfsg_db: np.ndarray
    lb0p_db: np.ndarray
    lb0b_db: np.ndarray
    ldsph_db: np.ndarray
    ld50_db: np.ndarray
    ldp_db: np.ndarray
    lbs_db: np.ndarray
    lba_db: np.ndarray
    lb_db: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """All fields as a ``{name: array}`` dictionary."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def concatenate(cls, parts: Sequence[P452Result]) -> P452Result:
        """Join results of consecutive chunks."""
        names = [f.name for f in fields(cls)]
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


# ====================================================================== building blocks
def effective_earth_radius_km(delta_n):
    """Median effective Earth radius ae (km), P.452-18 eqs (5)-(6a)."""
    return EARTH_RADIUS_KM * DELTA_N_LIMIT / (DELTA_N_LIMIT - np.asarray(delta_n, dtype=float))


def beta0_percent(lat_deg, dtm_km, dlm_km):
    """Time percentage beta0 (%) of refractivity lapse rates above 100 N/km, eqs (2)-(4).

    Parameters
    ----------
    lat_deg : array_like
        Path-centre latitude (deg).
    dtm_km : array_like
        Longest continuous land (inland + coastal) section of the path (km).
    dlm_km : array_like
        Longest continuous inland section of the path (km).
    """
    phi = np.abs(np.asarray(lat_deg, dtype=float))
    dtm = np.asarray(dtm_km, dtype=float)
    tau = 1.0 - np.exp(-4.12e-4 * np.asarray(dlm_km, dtype=float) ** 2.41)
    mu1 = (10.0 ** (-dtm / (16.0 - 6.6 * tau)) + 10.0 ** (-5.0 * (0.496 + 0.354 * tau))) ** 0.2
    mu1 = np.minimum(mu1, 1.0)
    low = phi <= 70.0
    log_mu1 = np.log10(mu1)
    mu4 = np.where(low, 10.0 ** ((-0.935 + 0.0176 * phi) * log_mu1), 10.0 ** (0.3 * log_mu1))
    return np.where(low, 10.0 ** (-0.015 * phi + 1.67), 4.17) * mu1 * mu4


def inv_cum_norm(x):
    """Approximation I(x) of the inverse complementary normal CDF, P.452-18 Attachment 3.

    Valid for 1e-6 <= x <= 0.5 (smaller arguments are clamped to 1e-6).
    """
    x = np.maximum(np.asarray(x, dtype=float), INV_NORM_X_MIN)
    t = np.sqrt(-2.0 * np.log(x))
    c0, c1, c2 = INV_NORM_C
    d1, d2, d3 = INV_NORM_D
    xi = ((c2 * t + c1) * t + c0) / (((d3 * t + d2) * t + d1) * t + 1.0)
    return xi - t


def great_circle_midpoint_lat(tx_lon, tx_lat, rx_lon, rx_lat, dpnt_km):
    """Latitude (deg) of the point dpnt_km from Tx toward Rx on the great circle.

    ITU-R P.2001 Attachment H (H.2-H.3) with the mean Earth radius 6371 km, as P.452-18 uses
    for the path-centre latitude.
    """
    lat_t = np.radians(tx_lat)
    lat_r = np.radians(rx_lat)
    dlon = np.radians(np.asarray(rx_lon, dtype=float) - np.asarray(tx_lon, dtype=float))
    r = np.sin(lat_t) * np.sin(lat_r) + np.cos(lat_t) * np.cos(lat_r) * np.cos(dlon)
    x1 = np.sin(lat_r) - r * np.sin(lat_t)
    y1 = np.cos(lat_t) * np.cos(lat_r) * np.sin(dlon)
    coincident = (np.abs(x1) < 1e-9) & (np.abs(y1) < 1e-9)
    # For coincident terminals P.2001 H.2.6 falls back to the Rx longitude as "bearing".
    bearing = np.where(coincident, np.radians(rx_lon), np.arctan2(y1, x1))
    phi_pnt = np.asarray(dpnt_km, dtype=float) / EARTH_RADIUS_KM
    s = np.sin(lat_t) * np.cos(phi_pnt) + np.cos(lat_t) * np.sin(phi_pnt) * np.cos(bearing)
    return np.degrees(np.arcsin(np.clip(s, -1.0, 1.0)))


def _knife_edge_db(nu):
    # J(nu), eq. (13); zero below nu = -0.78.
    return np.where(
        nu > KNIFE_EDGE_NU_MIN,
        6.9 + 20.0 * np.log10(np.sqrt((nu - 0.1) ** 2 + 1.0) + nu - 0.1),
        0.0,
    )


def _bullington_db(stim, srim, nu0, hts, hrs, dtot, lam):
    # §4.2.1, eqs (14)-(22), from the profile maxima computed by the kernel.
    s_tr = (hrs - hts) / dtot
    los = stim < s_tr
    with np.errstate(divide="ignore", invalid="ignore"):
        nu_los = nu0 * np.sqrt(0.002 * dtot / lam)
        dbp = (hrs - hts + srim * dtot) / (stim + srim)
        nu_b = (hts + stim * dbp - (hts * (dtot - dbp) + hrs * dbp) / dtot) * np.sqrt(
            0.002 * dtot / (lam * dbp * (dtot - dbp))
        )
        luc = _knife_edge_db(np.where(los, nu_los, nu_b))
    return luc + (1.0 - np.exp(-luc / 6.0)) * (10.0 + 0.02 * dtot)


def _first_term_db(d, hte, hre, a, f, omega, pol):
    # §4.2.2.1, eqs (29)-(37), blended between land and sea by omega.
    out = 0.0
    for (eps_r, sigma), weight in ((GROUND_LAND, 1.0 - omega), (GROUND_SEA, omega)):
        sig2 = (18.0 * sigma / f) ** 2
        k = 0.036 * (a * f) ** (-1.0 / 3.0) * ((eps_r - 1.0) ** 2 + sig2) ** -0.25
        k = np.where(pol == 2, k * np.sqrt(eps_r**2 + sig2), k)
        k2 = k * k
        beta = (1.0 + 1.6 * k2 + 0.67 * k2 * k2) / (1.0 + 4.5 * k2 + 1.53 * k2 * k2)
        x = 21.88 * beta * (f / a**2) ** (1.0 / 3.0) * d
        y_fac = 0.9575 * beta * (f**2 / a) ** (1.0 / 3.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            far = 11.0 + 10.0 * np.log10(x) - 17.6 * x
            near = -20.0 * np.log10(x) - 5.6488 * x**1.425
            fx = np.where(x >= 1.6, far, near)
        g_min = 2.0 + 20.0 * np.log10(k)
        g_t = np.maximum(_height_gain_db(beta * y_fac * hte), g_min)
        g_r = np.maximum(_height_gain_db(beta * y_fac * hre), g_min)
        out = out + weight * (-fx - g_t - g_r)
    return out


def _height_gain_db(b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            b > 2.0,
            17.6 * np.sqrt(np.abs(b - 1.1)) - 5.0 * np.log10(np.abs(b - 1.1)) - 8.0,
            20.0 * np.log10(b + 0.1 * b**3),
        )


def _spherical_earth_db(d, hte, hre, ap, f, omega, pol):
    # §4.2.2, eqs (23)-(28).
    lam = SPEED_OF_LIGHT_MM / f
    with np.errstate(divide="ignore", invalid="ignore"):
        dlos = np.sqrt(2.0 * ap) * (np.sqrt(0.001 * hte) + np.sqrt(0.001 * hre))
        beyond = d >= dlos
        c = (hte - hre) / (hte + hre)
        m = 250.0 * d * d / (ap * (hte + hre))
        b = (
            2.0
            * np.sqrt((m + 1.0) / (3.0 * m))
            * np.cos(np.pi / 3.0 + np.arccos(1.5 * c * np.sqrt(3.0 * m / (m + 1.0) ** 3)) / 3.0)
        )
        dse1 = 0.5 * d * (1.0 + b)
        dse2 = d - dse1
        hse = (hte - 500.0 * dse1 * dse1 / ap) * dse2 + (hre - 500.0 * dse2 * dse2 / ap) * dse1
        hse = hse / d
        hreq = 17.456 * np.sqrt(dse1 * dse2 * lam / d)
        aem = 500.0 * (d / (np.sqrt(hte) + np.sqrt(hre))) ** 2
        a_ft = np.where(beyond, ap, aem)
        ldft = _first_term_db(d, hte, hre, a_ft, f, omega, pol)
        within = np.where(hse > hreq, 0.0, (1.0 - hse / hreq) * np.maximum(ldft, 0.0))
    return np.where(beyond, ldft, within)


def _delta_bullington_db(prof, blk_g, blk_s, ap, f, lam, omega, pol):
    # §4.2.3, eqs (38)-(40): Lbulla + max(Ldsph - Lbulls, 0).
    dtot, hts, hrs = prof[:, K.DTOT], prof[:, K.HTS], prof[:, K.HRS]
    hts1 = hts - prof[:, K.HSTD]
    hrs1 = hrs - prof[:, K.HSRD]
    lbulla = _bullington_db(
        prof[:, blk_g], prof[:, blk_g + 1], prof[:, blk_g + 2], hts, hrs, dtot, lam
    )
    lbulls = _bullington_db(
        prof[:, blk_s], prof[:, blk_s + 1], prof[:, blk_s + 2], hts1, hrs1, dtot, lam
    )
    ldsph = _spherical_earth_db(dtot, hts1, hrs1, ap, f, omega, pol)
    return lbulla + np.maximum(ldsph - lbulls, 0.0), ldsph


def _anomalous_db(prof, f, p, b0, ae, omega, dct, dcr, dlm, gas_db_km):
    # §4.4, eqs (46)-(56): ducting / layer reflection.
    dtot = prof[:, K.DTOT]
    dlt, dlr = prof[:, K.DLT], prof[:, K.DLR]
    hts, hrs = prof[:, K.HTS], prof[:, K.HRS]
    theta_t, theta_r = prof[:, K.THETA_T], prof[:, K.THETA_R]
    a_lf = np.where(f < 0.5, 45.375 - 137.0 * f + 92.5 * f * f, 0.0)
    f13 = f ** (1.0 / 3.0)

    def site_shielding(theta, dl):
        th = theta - 0.1 * dl
        with np.errstate(invalid="ignore", divide="ignore"):
            loss = 20.0 * np.log10(1.0 + 0.361 * th * np.sqrt(f * dl)) + 0.264 * th * f13
        return np.where(th > 0.0, loss, 0.0)

    def sea_coupling(dc, dl, hs):
        ok = (dc <= 5.0) & (dc <= dl) & (omega >= 0.75)
        corr = -3.0 * np.exp(-0.25 * dc * dc) * (1.0 + np.tanh(0.07 * (50.0 - hs)))
        return np.where(ok, corr, 0.0)

    a_f = (
        102.45
        + 20.0 * np.log10(f)
        + 20.0 * np.log10(dlt + dlr)
        + a_lf
        + site_shielding(theta_t, dlt)
        + site_shielding(theta_r, dlr)
        + sea_coupling(dct, dlt, hts)
        + sea_coupling(dcr, dlr, hrs)
    )
    gamma_d = 5e-5 * ae * f13
    theta1 = 1e3 * dtot / ae + np.minimum(theta_t, 0.1 * dlt) + np.minimum(theta_r, 0.1 * dlr)
    d_i = np.minimum(dtot - dlt - dlr, 40.0)
    hm = prof[:, K.HM]
    mu3 = np.where(hm > 10.0, np.exp(-4.6e-5 * (hm - 10.0) * (43.0 + 6.0 * d_i)), 1.0)
    tau = 1.0 - np.exp(-4.12e-4 * dlm**2.41)
    alpha = np.maximum(-0.6 - DUCT_EPSILON * 1e-9 * dtot**3.1 * tau, ALPHA_MIN)
    mu2 = np.minimum(
        (500.0 / ae * dtot**2 / (np.sqrt(prof[:, K.HTE]) + np.sqrt(prof[:, K.HRE])) ** 2) ** alpha,
        1.0,
    )
    beta = b0 * mu2 * mu3
    lb = np.log10(beta)
    gamma = (
        1.076
        / (2.0058 - lb) ** 1.012
        * np.exp(-(9.51 - 4.8 * lb + 0.198 * lb**2) * 1e-6 * dtot**1.13)
    )
    a_p = -12.0 + (1.2 + 3.7e-3 * dtot) * np.log10(p / beta) + 12.0 * (p / beta) ** gamma
    return a_f + gamma_d * theta1 + a_p + gas_db_km * dtot


def _troposcatter_db(dtot, theta, f, p, n0, gt, gr, gas_db_km):
    # §4.3, eq. (45) with the gaseous term at rho = 3 g/m^3.
    l_f = 25.0 * np.log10(f) - 2.5 * np.log10(f / 2.0) ** 2
    l_c = 0.051 * np.exp(0.055 * (gt + gr))
    return (
        190.0
        + l_f
        + 20.0 * np.log10(dtot)
        + 0.573 * theta
        - 0.15 * n0
        + l_c
        + gas_db_km * dtot
        - 10.1 * (-np.log10(p / 50.0)) ** 0.7
    )


# ====================================================================== main entry points
def transmission_loss(
    paths: PathBatch, *, return_intermediates: bool = False, chunk_paths: int = _DEFAULT_CHUNK_PATHS
):
    """Basic transmission loss Lb(p) not exceeded for p % of time, P.452-18 §4.6, per path.

    Parameters
    ----------
    paths : PathBatch
        The paths (validated at construction).
    return_intermediates : bool
        If True, return a :class:`P452Result` with Lb and every intermediate quantity.
    chunk_paths : int
        Paths processed per chunk (bounds temporary memory; results do not depend on it).

    Returns
    -------
    numpy.ndarray or P452Result
        Lb in dB (shape ``(n_paths,)``), or the full result.
    """
    if not isinstance(paths, PathBatch):
        raise TypeError("paths must be a PathBatch (see PathBatch.from_profiles)")
    n = len(paths)
    parts = []
    for start in range(0, n, max(1, int(chunk_paths))):
        parts.append(_compute(paths.subset(start, min(n, start + chunk_paths))))
    res = parts[0] if len(parts) == 1 else P452Result.concatenate(parts)
    return res if return_intermediates else res.lb_db


def _compute(b: PathBatch) -> P452Result:
    f, p, pol = b.f_ghz, b.p_percent, b.pol
    ae = effective_earth_radius_km(b.delta_n)
    ab = EARTH_RADIUS_KM * K_BETA
    prof = K.profile_kernel(
        b.d_km,
        b.h_m,
        b.clutter_m,
        b.zone,
        b.offsets,
        b.htg_m,
        b.hrg_m,
        ae,
        ab,
        TERMINAL_CLUTTER_EXCLUSION_KM,
    )
    dtot, hts, hrs = prof[:, K.DTOT], prof[:, K.HTS], prof[:, K.HRS]
    omega, dtm, dlm = prof[:, K.OMEGA], prof[:, K.DTM], prof[:, K.DLM]
    dlt, dlr = prof[:, K.DLT], prof[:, K.DLR]
    lat_mid = great_circle_midpoint_lat(b.tx_lon, b.tx_lat, b.rx_lon, b.rx_lat, 0.5 * dtot)
    b0 = beta0_percent(lat_mid, dtm, dlm)

    # Gaseous specific attenuation (eq. 9): rho = 7.5 + 2.5 omega for LoS/ducting, 3 for scatter.
    temp_k = b.temp_c + 273.15
    gas_los = specific_attenuation_db_km(f, b.press_hpa, rho_line_of_sight_g_m3(omega), temp_k)
    gas_ts = specific_attenuation_db_km(f, b.press_hpa, RHO_TROPOSCATTER_G_M3, temp_k)

    # Line of sight with multipath/focusing, §4.1 eqs (8)-(12), on the slant distance.
    d3d = np.sqrt(dtot**2 + ((hts - hrs) / 1000.0) ** 2)
    lbfsg = 92.4 + 20.0 * np.log10(f) + 20.0 * np.log10(d3d) + gas_los * d3d
    fm = MULTIPATH_COEFF_DB * (1.0 - np.exp(-0.1 * (dlt + dlr)))
    lb0p = lbfsg + fm * np.log10(p / 50.0)
    lb0b = lbfsg + fm * np.log10(b0 / 50.0)

    # Diffraction, §4.2.4 eqs (41)-(42).
    lam = SPEED_OF_LIGHT_MM / f
    ld50, ldsph = _delta_bullington_db(prof, K.BULL_G_AE, K.BULL_S_AE, ae, f, lam, omega, pol)
    ldb, _ = _delta_bullington_db(prof, K.BULL_G_AB, K.BULL_S_AB, ab, f, lam, omega, pol)
    fi = np.where(p > b0, inv_cum_norm(p / 100.0) / inv_cum_norm(b0 / 100.0), 1.0)
    ldp = np.where(p >= 50.0, ld50, ld50 + fi * (ldb - ld50))

    lbs = _troposcatter_db(dtot, prof[:, K.THETA], f, p, b.n0, b.gt_dbi, b.gr_dbi, gas_ts)
    lba = _anomalous_db(prof, f, p, b0, ae, omega, b.dct_km, b.dcr_km, dlm, gas_los)

    # Combination, §4.6 eqs (57)-(64).
    s_tr = (hrs - hts) / dtot
    fj = 1.0 - 0.5 * (1.0 + np.tanh(3.0 * FJ_XI * (prof[:, K.STIM_H] - s_tr) / FJ_THETA))
    fk = 1.0 - 0.5 * (1.0 + np.tanh(3.0 * FK_KAPPA * (dtot - FK_DSW_KM) / FK_DSW_KM))
    lbd50 = lbfsg + ld50
    lbd = lb0p + ldp
    fi_b = inv_cum_norm(p / 100.0) / inv_cum_norm(b0 / 100.0)
    lminb0p = np.where(
        p < b0, lb0p + (1.0 - omega) * ldp, lbd50 + (lb0b + (1.0 - omega) * ldp - lbd50) * fi_b
    )
    lminbap = ETA * np.logaddexp(lba / ETA, lb0p / ETA)
    lbda = np.where(lminbap <= lbd, lminbap + (lbd - lminbap) * fk, lbd)
    lbam = lbda + (lminb0p - lbda) * fj
    c = 0.2 * np.log(10.0)
    lb = -np.logaddexp(-c * lbs, -c * lbam) / c

    return P452Result(
        ae_km=ae,
        dtot_km=dtot.copy(),
        hts_m=hts.copy(),
        hrs_m=hrs.copy(),
        theta_t_mrad=prof[:, K.THETA_T].copy(),
        theta_r_mrad=prof[:, K.THETA_R].copy(),
        theta_mrad=prof[:, K.THETA].copy(),
        hm_m=prof[:, K.HM].copy(),
        hte_m=prof[:, K.HTE].copy(),
        hre_m=prof[:, K.HRE].copy(),
        hstd_m=prof[:, K.HSTD].copy(),
        hsrd_m=prof[:, K.HSRD].copy(),
        dlt_km=dlt.copy(),
        dlr_km=dlr.copy(),
        path_type=prof[:, K.PATHTYPE].astype(np.int8),
        dtm_km=dtm.copy(),
        dlm_km=dlm.copy(),
        beta0_percent=b0,
        omega=omega.copy(),
        lbfsg_db=lbfsg,
        lb0p_db=lb0p,
        lb0b_db=lb0b,
        ldsph_db=ldsph,
        ld50_db=ld50,
        ldp_db=ldp,
        lbs_db=lbs,
        lba_db=lba,
        lb_db=lb,
    )


def transmission_loss_single(
    *,
    f_ghz: float,
    p_percent: float,
    d_km,
    h_m,
    clutter_m,
    zone,
    htg_m: float,
    hrg_m: float,
    tx_lon: float,
    tx_lat: float,
    rx_lon: float,
    rx_lat: float,
    gt_dbi: float,
    gr_dbi: float,
    pol: int,
    dct_km: float,
    dcr_km: float,
    press_hpa: float,
    temp_c: float,
    delta_n: float,
    n0: float,
) -> float:
    """Lb (dB) of one path, P.452-18; see :class:`PathBatch` for the meaning of each field.

    ``clutter_m`` is the representative clutter height at each profile point (the engine forms
    g = h + clutter and applies the 50 m terminal rule); ``zone`` is per point (1 coastal land,
    2 inland, 3 sea) or a single int; ``pol`` is 1 horizontal or 2 vertical.
    """
    batch = PathBatch.from_profiles(
        [d_km],
        [h_m],
        clutter_m=[clutter_m],
        zone=[zone],
        f_ghz=f_ghz,
        p_percent=p_percent,
        htg_m=htg_m,
        hrg_m=hrg_m,
        tx_lon=tx_lon,
        tx_lat=tx_lat,
        rx_lon=rx_lon,
        rx_lat=rx_lat,
        gt_dbi=gt_dbi,
        gr_dbi=gr_dbi,
        pol=pol,
        dct_km=dct_km,
        dcr_km=dcr_km,
        press_hpa=press_hpa,
        temp_c=temp_c,
        delta_n=delta_n,
        n0=n0,
    )
    return float(transmission_loss(batch)[0])
