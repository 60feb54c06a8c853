"""5G base station -> C-band earth station interference budgets, vectorised over pairs.

Two checks per base-station cell / earth-station pair, each returned as a margin in dB
(positive = protected):

* in-band interference: the BS unwanted (out-of-band) emission falling inside the ES receive
  carrier (:func:`unwanted_power_in_carrier_dbm`), I, compared with the ES noise N = k T B: margin = (I/N)_criterion - I/N, with the
  P.452 loss at the ES frequency for ``in_band_time_percent``;
* blocking / saturation: total 5G power at the LNB input compared with the LNB threshold,
  with the P.452 loss at the 5G frequency for ``blocking_time_percent``.

The vectorised core (:func:`link_gains_dbi`, :func:`budget_margins`) works on arrays of any
size (regional studies of 1e5-1e6 pairs: feed P.452 a :class:`~xizang5g.radio.p452.PathBatch`
and pass the arrays here). :func:`assess_pair` is the small dataclass API for one pair: it
extracts the profile, runs P.452-18 twice, points the antennas along the path, and evaluates
the budget, optionally with mitigations (:class:`Mitigation`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .antennas import (
    S465,
    cell_gain_dbi,
    earth_station_gain_dbi,
    gso_look_angles_deg,
    mrad_to_deg,
    off_axis_angle_deg,
)
from .errors import RadioInputError
from .levels import noise_power_dbm
from .p452 import PathBatch, transmission_loss
from .terrain import Dem, initial_bearing_deg, profiles

__all__ = [
    "DEFAULT_EMISSION_MASK",
    "BaseStationCell",
    "EarthStation",
    "EmissionMask",
    "Mitigation",
    "PairAssessment",
    "ProtectionCriteria",
    "assess_pair",
    "budget_margins",
    "link_gains_dbi",
    "unwanted_power_in_carrier_dbm",
]


@dataclass(frozen=True)
class ProtectionCriteria:
    """Protection criteria of the earth station; every value is user-set.

    Attributes
    ----------
    i_over_n_db : float
        Long-term interference criterion I/N (dB). Default -10 dB: the long-term criterion of
        Rec. ITU-R SF.1006 (interference from terrestrial stations into FSS earth stations,
        not to be exceeded for more than 20 % of time); Rec. ITU-R S.1432 budgets are similar.
    in_band_time_percent : float
        Time percentage p for the in-band P.452 loss. Default 20 % (SF.1006 long term).
    es_noise_temp_k : float
        ES receive system noise temperature (K) for N = k T B. Default 100 K, an illustrative
        C-band receive-only value (antenna ~40 K + LNB ~60 K); use the station's figure.
    lnb_max_input_dbm : float
        Highest total 5G power at the LNB input that still allows normal operation (dBm).
        Default -20 dBm: the MIIT (2020) technical requirement for C-band earth-station LNB
        anti-interference (normal operation with a -20 dBm signal in 3300-3600 MHz).
    blocking_time_percent : float
        Time percentage p for the blocking P.452 loss. Default 1 %: an engineering choice
        (saturation is a short-term effect; no ITU-R percentage is defined for it).
    """

    i_over_n_db: float = -10.0
    in_band_time_percent: float = 20.0
    es_noise_temp_k: float = 100.0
    lnb_max_input_dbm: float = -20.0
    blocking_time_percent: float = 1.0


@dataclass(frozen=True)
class EmissionMask:
    """BS unwanted-emission mask: conducted PSD (dBm/MHz) vs offset from the channel edge (MHz).

    Linear interpolation between points, constant beyond the last point. Offsets must be
    finite, >= 0 and ascending; levels finite.
    """

    offsets_mhz: tuple[float, ...]
    level_dbm_per_mhz: tuple[float, ...]

    def __post_init__(self):
        offsets = np.asarray(self.offsets_mhz, float)
        levels = np.asarray(self.level_dbm_per_mhz, float)
        if offsets.ndim != 1 or offsets.size == 0 or offsets.shape != levels.shape:
            raise RadioInputError("an emission mask needs as many levels as offsets (>= 1 point)")
        if not (np.all(np.isfinite(offsets)) and np.all(np.isfinite(levels))):
            raise RadioInputError("emission mask offsets and levels must be finite numbers")
        if offsets[0] < 0.0 or np.any(np.diff(offsets) < 0.0):
            raise RadioInputError("emission mask offsets must be >= 0 MHz and ascending")

    @classmethod
    def from_points(cls, points) -> EmissionMask:
        """A mask from ``[[offset_mhz, dBm_per_mhz], ...]`` (the registry's JSON form)."""
        try:
            pairs = [(float(offset), float(level)) for offset, level in points]
        except (TypeError, ValueError) as exc:
            raise RadioInputError(
                "an emission mask is a list of [offset MHz, dBm/MHz] pairs"
            ) from exc
        return cls(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    def level(self, offset_mhz):
        """PSD (dBm/MHz) at ``offset_mhz`` from the nearest channel edge."""
        return np.interp(np.abs(offset_mhz), self.offsets_mhz, self.level_dbm_per_mhz)

    def power_in_band_dbm(self, ch_low_mhz, ch_high_mhz, rx_low_mhz, rx_high_mhz, step_mhz=0.5):
        """Unwanted power (dBm) falling in ``[rx_low, rx_high]`` (outside the BS channel)."""
        if rx_high_mhz <= rx_low_mhz:
            raise RadioInputError("receiver band must have rx_high_mhz > rx_low_mhz")
        n = max(2, int(np.ceil((rx_high_mhz - rx_low_mhz) / step_mhz)))
        edges = np.linspace(rx_low_mhz, rx_high_mhz, n + 1)
        mid = 0.5 * (edges[1:] + edges[:-1])
        width = np.diff(edges)
        inside = (mid >= ch_low_mhz) & (mid <= ch_high_mhz)
        if inside.any():
            raise RadioInputError("receiver band overlaps the BS channel: not an OOB case")
        offset = np.where(mid > ch_high_mhz, mid - ch_high_mhz, ch_low_mhz - mid)
        mw = 10.0 ** (self.level(offset) / 10.0) * width
        return float(10.0 * np.log10(mw.sum()))


DEFAULT_EMISSION_MASK = EmissionMask(offsets_mhz=(0.0, 1.0), level_dbm_per_mhz=(-30.0, -30.0))
"""Flat -30 dBm/MHz: the 3GPP TS 38.104 Category B spurious-emission limit (1-12.75 GHz) that
applies beyond the 40 MHz operating-band-unwanted-emission range, i.e. in 3700-4200 MHz for a
3400-3600 MHz BS. Replace it with the measured mask or the regulator's limit for a study."""


@dataclass(frozen=True)
class Mitigation:
    """What-if mitigations.

    Attributes
    ----------
    filter_rejection_db : float
        Band-pass filter at the LNB input: rejection of the 5G band (dB); lowers the blocking
        power only (the OOB emission lies inside the ES band and passes the filter).
    power_reduction_db : float
        BS transmit power reduction (dB); lowers both the OOB emission and the 5G power.
    new_azimuth_deg, new_tilt_deg : float or None
        New BS sector azimuth / mechanical downtilt (deg); None keeps the current value.
    """

    filter_rejection_db: float = 0.0
    power_reduction_db: float = 0.0
    new_azimuth_deg: float | None = None
    new_tilt_deg: float | None = None


def unwanted_power_in_carrier_dbm(
    *, mask, power_dbm, ch_low_mhz, ch_high_mhz, rx_low_mhz, rx_high_mhz
) -> float:
    """BS power (dBm) falling inside an earth-station carrier ``[rx_low, rx_high]``.

    Parameters
    ----------
    mask : EmissionMask or None
        The cell's unwanted-emission mask (conducted dBm/MHz vs offset from the channel edge);
        ``None`` means :data:`DEFAULT_EMISSION_MASK`.
    power_dbm : float
        Conducted in-channel power (dBm), spread evenly over the channel.
    ch_low_mhz, ch_high_mhz : float
        BS channel edges (MHz).
    rx_low_mhz, rx_high_mhz : float
        ES carrier edges (MHz).

    Returns
    -------
    float
        When the carrier overlaps the channel (co-channel), the in-channel power over the
        overlap: P - 10 log10(channel width) + 10 log10(overlap). Otherwise the mask
        integrated over the carrier (:meth:`EmissionMask.power_in_band_dbm`).
    """
    if not ch_high_mhz > ch_low_mhz:
        raise RadioInputError("the BS channel must have ch_high_mhz > ch_low_mhz")
    if not rx_high_mhz > rx_low_mhz:
        raise RadioInputError("the receiver band must have rx_high_mhz > rx_low_mhz")
    overlap = min(ch_high_mhz, rx_high_mhz) - max(ch_low_mhz, rx_low_mhz)
    if overlap > 0.0:
        return float(
            power_dbm - 10.0 * np.log10(ch_high_mhz - ch_low_mhz) + 10.0 * np.log10(overlap)
        )
    mask = DEFAULT_EMISSION_MASK if mask is None else mask
    return mask.power_in_band_dbm(ch_low_mhz, ch_high_mhz, rx_low_mhz, rx_high_mhz)


def link_gains_dbi(
    *,
    bearing_bs_to_es_deg,
    bearing_es_to_bs_deg,
    horizon_bs_mrad,
    horizon_es_mrad,
    bs_azimuth_deg,
    bs_tilt_deg,
    bs_g0_dbi,
    bs_phi3_deg,
    es_point_az_deg,
    es_point_el_deg,
    es_diameter_m,
    f_ghz,
    es_pattern=S465,
):
    """(BS gain toward the ES, ES gain toward the BS) in dBi along the interference path.

    Elevations are the P.452 horizon angles of each terminal (``theta_t``/``theta_r`` of
    :class:`~xizang5g.radio.p452.P452Result`, mrad); the BS uses the F.1336 sector pattern
    with mechanical tilt (:func:`~xizang5g.radio.antennas.cell_gain_dbi`), the ES its pattern
    (``"s465"`` or ``"s580"``, :func:`~xizang5g.radio.antennas.earth_station_gain_dbi`) at its
    off-axis angle from the satellite pointing direction. All arguments broadcast.
    """
    g_bs = cell_gain_dbi(
        bearing_bs_to_es_deg,
        mrad_to_deg(horizon_bs_mrad),
        bs_azimuth_deg,
        bs_tilt_deg,
        g0_dbi=bs_g0_dbi,
        phi3_deg=bs_phi3_deg,
    )
    off = off_axis_angle_deg(
        es_point_az_deg, es_point_el_deg, bearing_es_to_bs_deg, mrad_to_deg(horizon_es_mrad)
    )
    return g_bs, earth_station_gain_dbi(off, es_diameter_m, f_ghz, es_pattern)


def budget_margins(
    *,
    bs_power_dbm,
    oob_power_dbm,
    g_bs_inband_dbi,
    g_es_inband_dbi,
    lb_inband_db,
    g_bs_5g_dbi,
    g_es_5g_dbi,
    lb_5g_db,
    es_bandwidth_mhz,
    criteria: ProtectionCriteria | None = None,
    feeder_loss_db=0.0,
    filter_rejection_db=0.0,
    power_reduction_db=0.0,
):
    """Vectorised interference budget; returns a dict of arrays (dB / dBm).

    Parameters
    ----------
    bs_power_dbm : array_like
        BS conducted in-channel power (dBm).
    oob_power_dbm : array_like
        BS unwanted power inside the ES carrier bandwidth (dBm), e.g. from
        :meth:`EmissionMask.power_in_band_dbm`.
    g_bs_inband_dbi, g_es_inband_dbi, lb_inband_db : array_like
        Gains toward each other and P.452 loss at the ES frequency.
    g_bs_5g_dbi, g_es_5g_dbi, lb_5g_db : array_like
        Same at the 5G frequency.
    es_bandwidth_mhz : array_like
        ES carrier bandwidth for I and N (MHz).
    criteria : ProtectionCriteria
    feeder_loss_db, filter_rejection_db, power_reduction_db : array_like
        BS feeder loss, LNB band-pass filter rejection of the 5G band, BS power reduction.

    Returns
    -------
    dict
        ``i_dbm, n_dbm, i_over_n_db, in_band_margin_db, lnb_input_dbm, blocking_margin_db,
        worst_margin_db`` and ``protected`` (bool).
    """
    c = criteria or ProtectionCriteria()
    i_dbm = (
        np.asarray(oob_power_dbm, float)
        - power_reduction_db
        - feeder_loss_db
        + g_bs_inband_dbi
        + g_es_inband_dbi
        - lb_inband_db
    )
    n_dbm = noise_power_dbm(c.es_noise_temp_k, es_bandwidth_mhz)
    i_over_n = i_dbm - n_dbm
    in_band_margin = c.i_over_n_db - i_over_n
    p_lnb = (
        np.asarray(bs_power_dbm, float)
        - power_reduction_db
        - feeder_loss_db
        + g_bs_5g_dbi
        + g_es_5g_dbi
        - lb_5g_db
        - filter_rejection_db
    )
    blocking_margin = c.lnb_max_input_dbm - p_lnb
    worst = np.minimum(in_band_margin, blocking_margin)
    return {
        "i_dbm": i_dbm,
        "n_dbm": np.broadcast_to(n_dbm, np.shape(i_dbm)),
        "i_over_n_db": i_over_n,
        "in_band_margin_db": in_band_margin,
        "lnb_input_dbm": p_lnb,
        "blocking_margin_db": blocking_margin,
        "worst_margin_db": worst,
        "protected": worst >= 0.0,
    }


# ---------------------------------------------------------------------- one-pair API
@dataclass(frozen=True)
class BaseStationCell:
    """One 5G sector (F.1336 sector pattern; defaults are typical 3.5 GHz macro values)."""

    lon: float
    lat: float
    antenna_height_m: float = 30.0
    azimuth_deg: float = 0.0
    tilt_deg: float = 6.0
    tx_power_dbm: float = 53.0  # 200 W conducted, typical 64T64R macro total
    f_low_mhz: float = 3400.0
    f_high_mhz: float = 3500.0
    g0_dbi: float = 18.0
    phi3_deg: float = 65.0
    feeder_loss_db: float = 0.0
    emission_mask: EmissionMask = DEFAULT_EMISSION_MASK


@dataclass(frozen=True)
class EarthStation:
    """One C-band receive earth station pointing at a geostationary satellite."""

    lon: float
    lat: float
    antenna_height_m: float = 5.0
    dish_diameter_m: float = 3.0
    satellite_lon: float = 105.5
    carrier_low_mhz: float = 3700.0
    carrier_high_mhz: float = 3736.0
    pattern: str = S465


@dataclass(frozen=True)
class PairAssessment:
    """Result of :func:`assess_pair` (dB, dBm, dBi, km)."""

    distance_km: float
    path_type: int
    lb_inband_db: float
    lb_5g_db: float
    g_bs_toward_es_dbi: float
    g_es_toward_bs_inband_dbi: float
    g_es_toward_bs_5g_dbi: float
    oob_power_dbm: float
    i_dbm: float
    n_dbm: float
    i_over_n_db: float
    in_band_margin_db: float
    lnb_input_dbm: float
    blocking_margin_db: float
    worst_margin_db: float
    protected: bool


def assess_pair(
    cell: BaseStationCell,
    es: EarthStation,
    dem: Dem,
    *,
    criteria: ProtectionCriteria | None = None,
    mitigation: Mitigation | None = None,
    delta_n: float = 45.0,
    n0: float = 320.0,
    press_hpa: float = 1013.25,
    temp_c: float = 15.0,
    spacing_m: float = 50.0,
    zone: int = 2,
) -> PairAssessment:
    """Interference budget of one BS cell against one earth station over DEM terrain.

    ``delta_n`` / ``n0`` default to illustrative plateau values; use
    :class:`~xizang5g.radio.refractivity.RefractivityMaps` path-centre values when available.
    """
    c = criteria or ProtectionCriteria()
    m = mitigation or Mitigation()
    cell = replace(
        cell,
        azimuth_deg=cell.azimuth_deg if m.new_azimuth_deg is None else m.new_azimuth_deg,
        tilt_deg=cell.tilt_deg if m.new_tilt_deg is None else m.new_tilt_deg,
    )
    prof = profiles(cell.lon, cell.lat, es.lon, es.lat, spacing_m, dem)
    f_es = 0.5 * (es.carrier_low_mhz + es.carrier_high_mhz) / 1000.0
    f_5g = 0.5 * (cell.f_low_mhz + cell.f_high_mhz) / 1000.0
    f = np.array([f_es, f_5g])
    sat_az, sat_el = gso_look_angles_deg(es.lon, es.lat, es.satellite_lon)
    bearing_bs = initial_bearing_deg(cell.lon, cell.lat, es.lon, es.lat)
    bearing_es = initial_bearing_deg(es.lon, es.lat, cell.lon, cell.lat)

    def run(gt, gr):
        batch = PathBatch.from_profiles(
            [prof.d_km] * 2,
            [prof.h_m] * 2,
            zone=zone,
            f_ghz=f,
            p_percent=[c.in_band_time_percent, c.blocking_time_percent],
            htg_m=cell.antenna_height_m,
            hrg_m=es.antenna_height_m,
            tx_lon=cell.lon,
            tx_lat=cell.lat,
            rx_lon=es.lon,
            rx_lat=es.lat,
            gt_dbi=gt,
            gr_dbi=gr,
            delta_n=delta_n,
            n0=n0,
            press_hpa=press_hpa,
            temp_c=temp_c,
        )
        return transmission_loss(batch, return_intermediates=True)

    res = run(0.0, 0.0)  # horizon angles do not depend on the gains
    g_bs, g_es = link_gains_dbi(
        bearing_bs_to_es_deg=bearing_bs,
        bearing_es_to_bs_deg=bearing_es,
        horizon_bs_mrad=res.theta_t_mrad,
        horizon_es_mrad=res.theta_r_mrad,
        bs_azimuth_deg=cell.azimuth_deg,
        bs_tilt_deg=cell.tilt_deg,
        bs_g0_dbi=cell.g0_dbi,
        bs_phi3_deg=cell.phi3_deg,
        es_point_az_deg=sat_az,
        es_point_el_deg=sat_el,
        es_diameter_m=es.dish_diameter_m,
        f_ghz=f,
        es_pattern=es.pattern,
    )
    res = run(g_bs, g_es)  # troposcatter coupling loss uses the gains
    oob = unwanted_power_in_carrier_dbm(
        mask=cell.emission_mask,
        power_dbm=cell.tx_power_dbm,
        ch_low_mhz=cell.f_low_mhz,
        ch_high_mhz=cell.f_high_mhz,
        rx_low_mhz=es.carrier_low_mhz,
        rx_high_mhz=es.carrier_high_mhz,
    )
    b = budget_margins(
        bs_power_dbm=cell.tx_power_dbm,
        oob_power_dbm=oob,
        g_bs_inband_dbi=g_bs[0],
        g_es_inband_dbi=g_es[0],
        lb_inband_db=res.lb_db[0],
        g_bs_5g_dbi=g_bs[1],
        g_es_5g_dbi=g_es[1],
        lb_5g_db=res.lb_db[1],
        es_bandwidth_mhz=es.carrier_high_mhz - es.carrier_low_mhz,
        criteria=c,
        feeder_loss_db=cell.feeder_loss_db,
        filter_rejection_db=m.filter_rejection_db,
        power_reduction_db=m.power_reduction_db,
    )
    return PairAssessment(
        distance_km=float(res.dtot_km[0]),
        path_type=int(res.path_type[0]),
        lb_inband_db=float(res.lb_db[0]),
        lb_5g_db=float(res.lb_db[1]),
        g_bs_toward_es_dbi=float(g_bs[0]),
        g_es_toward_bs_inband_dbi=float(g_es[0]),
        g_es_toward_bs_5g_dbi=float(g_es[1]),
        oob_power_dbm=oob,
        **{k: float(v) if k != "protected" else bool(v) for k, v in b.items()},
    )
