"""Thin adapter between the network app and the radio engine (`xizang5g.radio`).

Propagation (ITU-R P.452-18) and terrain profiles come from the engine. This module only:

* builds the DEM from the registered terrain tiles (`dem_from_tiles`),
* turns registry rows into arrays (`CellArrays`, `StationArrays`),
* computes pair geometry (bearings, elevation angles, off-axis angles),
* evaluates antenna gains and the interference budget (in-band unwanted emissions and LNB
  blocking, with mitigation what-ifs) and EMF exposure.

The antenna, budget and EMF parts are written here because `radio.antennas`,
`radio.interference` and `radio.emf` had not landed when this app was built; they are
plain, documented formulas (standards named at each function) and are meant to be swapped
for the engine's versions when those modules are committed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from xizang5g.network import constants as C
from xizang5g.radio import p452, terrain

RADIO_DIR = Path(p452.__file__).resolve().parent
EARTH_RADIUS_KM = 6371.0
GEO_RADIUS_KM = 42164.0
SPEED_OF_LIGHT = 299_792_458.0


def engine_version() -> str:
    """Identify the engine build: a hash of the radio package sources (stored on every study)."""
    digest = hashlib.sha256()
    for path in sorted(RADIO_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"radio-p452-18@{digest.hexdigest()[:12]}"


# ------------------------------------------------------------------------------- terrain
class MosaicDem:
    """Several DEM tiles; each point is sampled from the first tile whose bounds hold it."""

    def __init__(self, tiles: list[tuple[tuple[float, float, float, float], object]]):
        if not tiles:
            raise ValueError("no terrain tile is registered")
        self.tiles = tiles

    def sample(self, lon, lat):
        lon, lat = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
        out = np.full(lon.shape, np.nan)
        for (west, south, east, north), dem in self.tiles:
            todo = np.isnan(out) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
            if todo.any():
                out[todo] = dem.sample(lon[todo], lat[todo])
        missing = np.isnan(out)
        if missing.any():  # outside every tile: clamp to the first tile (documented behaviour)
            out[missing] = self.tiles[0][1].sample(lon[missing], lat[missing])
        return out


@lru_cache(maxsize=4)
def _synthetic(seed: int, bounds: tuple, resolution_deg: float):
    return terrain.SyntheticPlateauDem(seed=seed, bounds=bounds, resolution_deg=resolution_deg)


@lru_cache(maxsize=16)
def _raster(path: str):
    return terrain.RasterDem(path)


def dem_for_tile(*, kind: str, path: str, bounds: tuple, params: dict):
    if kind == "synthetic":
        return _synthetic(
            int(params.get("seed", 0)), tuple(bounds), float(params.get("resolution_deg", 1 / 240))
        )
    return _raster(path)


def dem_from_tiles(tiles) -> MosaicDem:
    """A DEM over the registered, active tiles (`TerrainTile` rows or equivalent dicts)."""
    items = []
    for tile in tiles:
        get = tile.get if isinstance(tile, dict) else lambda k, t=tile: getattr(t, k)
        bounds = (get("west"), get("south"), get("east"), get("north"))
        items.append(
            (
                bounds,
                dem_for_tile(
                    kind=get("kind"), path=get("path"), bounds=bounds, params=get("params")
                ),
            )
        )
    return MosaicDem(items)


# ------------------------------------------------------------------------------- geometry
def bearing_deg(lon1, lat1, lon2, lat2):
    """Initial great-circle bearing from point 1 to point 2 (deg clockwise from north)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def elevation_deg(d_km, h_from_m, h_to_m):
    """Elevation angle (deg) of the far terminal seen from the near one, 4/3 Earth radius."""
    d = np.maximum(np.asarray(d_km, float), 1e-6)
    ae = EARTH_RADIUS_KM * 4.0 / 3.0
    dh_km = (np.asarray(h_to_m, float) - np.asarray(h_from_m, float)) / 1000.0
    return np.degrees(np.arctan(dh_km / d - d / (2.0 * ae)))


def geo_pointing(lon, lat, sat_lon):
    """Azimuth and elevation (deg) from an earth station toward a geostationary satellite."""
    phi = np.radians(lat)
    dl = np.radians(np.asarray(sat_lon, float) - np.asarray(lon, float))
    cos_g = np.cos(phi) * np.cos(dl)
    r = EARTH_RADIUS_KM / GEO_RADIUS_KM
    el = np.degrees(np.arctan2(cos_g - r, np.sqrt(np.maximum(1.0 - cos_g**2, 1e-12))))
    az = (np.degrees(np.arctan2(np.tan(dl), np.sin(phi))) + 180.0) % 360.0
    return az, el


def off_axis_deg(az1, el1, az2, el2):
    """Angle (deg) between two directions given as azimuth/elevation pairs."""
    a1, e1, a2, e2 = (np.radians(v) for v in (az1, el1, az2, el2))
    c = np.sin(e1) * np.sin(e2) + np.cos(e1) * np.cos(e2) * np.cos(a1 - a2)
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


# ------------------------------------------------------------------------------- antennas
def es_gain_dbi(diameter_m, f_mhz, off_axis, efficiency=0.65, pattern="s465"):
    """Earth-station receive gain (dBi) at ``off_axis`` degrees.

    Main lobe: RR Appendix 8 Annex III (G = Gmax - 2.5e-3 (D φ/λ)², down to G1 = 2 + 15 log D/λ).
    Side lobes: ITU-R S.465-6 (32 - 25 log φ, -10 dBi from 48°) or ITU-R S.580-6 (29 - 25 log φ
    up to 20°, then S.465).
    """
    lam = SPEED_OF_LIGHT / (np.asarray(f_mhz, float) * 1e6)
    d_lam = np.asarray(diameter_m, float) / lam
    phi = np.maximum(np.asarray(off_axis, float), 1e-6)
    gmax = 10.0 * np.log10(np.asarray(efficiency, float) * (np.pi * d_lam) ** 2)
    g1 = 2.0 + 15.0 * np.log10(d_lam)
    phi_m = 20.0 / d_lam * np.sqrt(np.maximum(gmax - g1, 0.0))
    phi_r = np.where(d_lam >= 100.0, 15.85 * d_lam**-0.6, 100.0 / d_lam)
    phi_min = np.where(
        d_lam >= 50.0, np.maximum(1.0, 100.0 / d_lam), np.maximum(2.0, 114.0 * d_lam**-1.09)
    )
    side_465 = np.where(phi < 48.0, 32.0 - 25.0 * np.log10(phi), -10.0)
    side_580 = np.where(phi <= 20.0, 29.0 - 25.0 * np.log10(phi), side_465)
    side_580 = np.where((phi > 20.0) & (phi <= 26.3), -3.5, side_580)
    side = np.where(np.asarray(pattern) == "s580", side_580, side_465)
    main = gmax - 2.5e-3 * (d_lam * phi) ** 2
    gain = np.where(phi < phi_m, main, np.where(phi < np.maximum(phi_r, phi_min), g1, side))
    return np.minimum(gain, gmax)


def cell_gain_dbi(gain_dbi, off_az, off_el, beamwidth_deg=65.0, v_beamwidth_deg=10.0):
    """Sector antenna gain (dBi): 3GPP TR 38.901 Table 7.3-1 / ITU-R M.2101 element form.

    A_H = -min(12 (φ/φ3dB)², 30), A_V = -min(12 (θ/θ3dB)², 30), A = -min(-(A_H + A_V), 30),
    with φ the horizontal and θ the vertical angle from boresight (after tilt).
    """
    a_h = -np.minimum(12.0 * (np.asarray(off_az, float) / beamwidth_deg) ** 2, 30.0)
    a_v = -np.minimum(12.0 * (np.asarray(off_el, float) / v_beamwidth_deg) ** 2, 30.0)
    return np.asarray(gain_dbi, float) - np.minimum(-(a_h + a_v), 30.0)


def wrap180(angle):
    return (np.asarray(angle, float) + 180.0) % 360.0 - 180.0


# ------------------------------------------------------------------------------- budget
@dataclass
class Budget:
    """Per-pair results of the interference budget (all arrays of the pair count)."""

    gt_dbi: np.ndarray
    gr_dbi: np.ndarray
    i_inband_dbm: np.ndarray  # unwanted emission power in the ES band, per MHz (dBm/MHz)
    inband_margin_db: np.ndarray
    blocking_dbm: np.ndarray  # carrier power at the LNB input (dBm)
    blocking_margin_db: np.ndarray

    @property
    def margin_db(self):
        return np.minimum(self.inband_margin_db, self.blocking_margin_db)


def noise_psd_dbm_mhz(noise_temp_k):
    """Receiver noise power density kT (dBm/MHz)."""
    return C.BOLTZMANN_DBW_HZ_K + 10.0 * np.log10(np.asarray(noise_temp_k, float)) + 60.0 + 30.0


def overlap_fraction(f_mhz, bw_mhz, rx_low, rx_high):
    lo = np.maximum(f_mhz - bw_mhz / 2.0, rx_low)
    hi = np.minimum(f_mhz + bw_mhz / 2.0, rx_high)
    return np.clip((hi - lo) / bw_mhz, 0.0, 1.0)


def budget(
    *,
    lb_db,
    power_dbm,
    bw_mhz,
    f_mhz,
    aclr_db,
    gt_dbi,
    gr_dbi,
    noise_temp_k,
    i_n_db,
    rx_low_mhz,
    rx_high_mhz,
    lnb_p1db_dbm,
    filter_rejection_db,
) -> Budget:
    """In-band (unwanted emission) and blocking margins of each cell → earth-station pair.

    In band: I = P - 10 log B - ACLR + Gt + Gr - Lb (dBm/MHz), co-channel (ACLR = 0) when the
    carrier overlaps the receive band; margin = (I/N)criterion - (I - N), N = kT per MHz.
    Blocking: the carrier outside the receive band reaches the LNB as P + Gt + Gr - Lb - filter
    rejection; margin = (P1dB - 10 dB back-off) - that power (ITU-R S.2368, ECC Report 254).
    """
    overlap = overlap_fraction(f_mhz, bw_mhz, rx_low_mhz, rx_high_mhz)
    cochannel = overlap > 0.0
    aclr = np.where(cochannel, 0.0, aclr_db)
    coupling = gt_dbi + gr_dbi - lb_db
    i_psd = power_dbm - 10.0 * np.log10(bw_mhz) - aclr + coupling
    inband_margin = i_n_db - (i_psd - noise_psd_dbm_mhz(noise_temp_k))
    carrier = power_dbm + coupling - np.where(cochannel, 0.0, filter_rejection_db)
    blocking_margin = (lnb_p1db_dbm - C.BLOCKING_BACKOFF_DB) - carrier
    return Budget(gt_dbi, gr_dbi, i_psd, inband_margin, carrier, blocking_margin)


def power_sum_dbm(values_dbm) -> float:
    values = np.asarray(values_dbm, float)
    if values.size == 0:
        return float("-inf")
    top = values.max()
    return float(top + 10.0 * np.log10(np.sum(10.0 ** ((values - top) / 10.0))))


# ------------------------------------------------------------------------------- propagation
def path_loss(
    *,
    dem,
    tx_lon,
    tx_lat,
    rx_lon,
    rx_lat,
    f_mhz,
    htg_m,
    hrg_m,
    p_percent,
    spacing_m,
    chunk: int = 20000,
):
    """P.452-18 basic transmission loss (dB) for many paths, profiles from ``dem``; chunked."""
    tx_lon, tx_lat, rx_lon, rx_lat, f_mhz, htg_m, hrg_m = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(v, float))
            for v in (tx_lon, tx_lat, rx_lon, rx_lat, f_mhz, htg_m, hrg_m)
        )
    )
    out = np.empty(tx_lon.size)
    for s in range(0, tx_lon.size, chunk):
        e = min(tx_lon.size, s + chunk)
        prof = terrain.profiles(tx_lon[s:e], tx_lat[s:e], rx_lon[s:e], rx_lat[s:e], spacing_m, dem)
        batch = p452.PathBatch.from_flat(
            prof.d_km,
            prof.h_m,
            prof.offsets,
            zone=2,
            f_ghz=f_mhz[s:e] / 1000.0,
            p_percent=p_percent,
            htg_m=htg_m[s:e],
            hrg_m=hrg_m[s:e],
            tx_lon=tx_lon[s:e],
            tx_lat=tx_lat[s:e],
            rx_lon=rx_lon[s:e],
            rx_lat=rx_lat[s:e],
            press_hpa=C.PLATEAU_PRESSURE_HPA,
            temp_c=C.PLATEAU_TEMPERATURE_C,
            delta_n=C.DELTA_N,
            n0=C.N0,
        )
        out[s:e] = p452.transmission_loss(batch)
    return out


def single_path_loss(
    *, dem, tx_lon, tx_lat, rx_lon, rx_lat, f_mhz, htg_m, hrg_m, p_percent, spacing_m
):
    """The same path through the engine's single-path entry point (used to cross-check)."""
    prof = terrain.profiles(tx_lon, tx_lat, rx_lon, rx_lat, spacing_m, dem)
    return p452.transmission_loss_single(
        f_ghz=f_mhz / 1000.0,
        p_percent=p_percent,
        d_km=prof.d_km,
        h_m=prof.h_m,
        clutter_m=np.zeros_like(prof.d_km),
        zone=2,
        htg_m=htg_m,
        hrg_m=hrg_m,
        tx_lon=tx_lon,
        tx_lat=tx_lat,
        rx_lon=rx_lon,
        rx_lat=rx_lat,
        gt_dbi=0.0,
        gr_dbi=0.0,
        pol=1,
        dct_km=500.0,
        dcr_km=500.0,
        press_hpa=C.PLATEAU_PRESSURE_HPA,
        temp_c=C.PLATEAU_TEMPERATURE_C,
        delta_n=C.DELTA_N,
        n0=C.N0,
    )


# ------------------------------------------------------------------------------- EMF
def emf_s_limit_w_m2(f_mhz):
    """GB 8702-2014 Table 1 public limit on equivalent plane-wave power density (W/m²)."""
    f = np.asarray(f_mhz, float)
    return np.where(f <= 3000.0, C.EMF_S_LIMIT_30_3000_W_M2, f / C.EMF_S_DIVISOR_3000_15000_MHZ)


def emf_e_limit_v_m(f_mhz):
    """GB 8702-2014 Table 1 public limit on electric field strength (V/m)."""
    f = np.asarray(f_mhz, float)
    return np.where(f <= 3000.0, C.EMF_E_LIMIT_30_3000_V_M, 0.22 * np.sqrt(f))


GROUND_REFLECTION = 1.6**2
"""Power-density factor for in-phase ground reflection (FCC OET Bulletin 65, eq. 6)."""


def emf_site(
    *,
    power_dbm,
    gain_dbi,
    height_m,
    downtilt_deg,
    f_mhz,
    beamwidth_deg,
    public_height_m,
    distances_m=None,
):
    """Exposure of co-sited cells (arrays over cells), far-field, worst-case boresight azimuth.

    Returns the compliance distance (m) of the summed exposure ratio on boresight, and the
    maximum public-area exposure ratio (sum over cells of S/S_limit) at ``public_height_m``
    above ground over horizontal distances ``distances_m``.
    """
    eirp_w = 10.0 ** ((np.asarray(power_dbm, float) + np.asarray(gain_dbi, float) - 30.0) / 10.0)
    s_lim = emf_s_limit_w_m2(f_mhz)
    compliance_m = float(np.sqrt(np.sum(eirp_w * GROUND_REFLECTION / (4.0 * np.pi * s_lim))))
    if distances_m is None:
        distances_m = np.concatenate([np.arange(1.0, 100.0, 1.0), np.arange(100.0, 1001.0, 10.0)])
    x = np.asarray(distances_m, float)[:, None]
    dz = np.asarray(height_m, float)[None, :] - public_height_m
    r2 = x**2 + dz**2
    depression = np.degrees(np.arctan2(dz, x))
    off_el = depression - np.asarray(downtilt_deg, float)[None, :]
    rel = cell_gain_dbi(0.0, 0.0, off_el, beamwidth_deg=np.asarray(beamwidth_deg, float)[None, :])
    s = eirp_w[None, :] * 10.0 ** (rel / 10.0) * GROUND_REFLECTION / (4.0 * np.pi * r2)
    ratio = (s / s_lim[None, :]).sum(axis=1)
    k = int(np.argmax(ratio))
    return {
        "compliance_distance_m": compliance_m,
        "max_ratio": float(ratio[k]),
        "max_s_w_m2": float(s[k].sum()),
        "at_m": float(x[k, 0]),
        "profile_m": x[:, 0].tolist(),
        "profile_ratio": ratio.tolist(),
    }


def field_strength_to_power_density(e_v_m):
    """Plane-wave power density S = E² / 377 (W/m²)."""
    return np.asarray(e_v_m, float) ** 2 / 376.73
