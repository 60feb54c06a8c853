"""Thin adapter between the network app and the radio engine (`xizang5g.radio`).

All radio maths comes from the engine: P.452-18 (`p452`), profiles (`terrain`), antenna
patterns (`antennas`: S.465, S.580, F.1336), the interference budget (`interference`:
in-band I/N and LNB blocking margins, mitigations) and EMF (`emf`: GB 8702-2014). This module
only builds the DEM from the registered terrain tiles, runs the engine over many paths in
chunks, and composes the engine's functions over registry columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from xizang5g.network import constants as C
from xizang5g.radio import antennas, emf, interference, p452, terrain

RADIO_DIR = Path(p452.__file__).resolve().parent
EARTH_RADIUS_KM = 6371.0


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


def dem_from_tiles(tiles):
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
    if len(items) == 1:
        return items[0][1]  # one tile: the engine's DEM itself (its compiled sampling path)
    return MosaicDem(items)


# ------------------------------------------------------------------------------- geometry
bearing_deg = terrain.initial_bearing_deg


def elevation_deg(d_km, h_from_m, h_to_m):
    """Elevation angle (deg) of the far terminal seen from the near one, 4/3 Earth radius."""
    d = np.maximum(np.asarray(d_km, float), 1e-6)
    ae = EARTH_RADIUS_KM * 4.0 / 3.0
    dh_km = (np.asarray(h_to_m, float) - np.asarray(h_from_m, float)) / 1000.0
    return np.degrees(np.arctan(dh_km / d - d / (2.0 * ae)))


# ------------------------------------------------------------------------------- antennas
def cell_gain_dbi(
    *, bearing, elevation, azimuth_deg, mech_tilt_deg, elec_tilt_deg, g0_dbi, phi3_deg
):
    """BS sector gain (dBi) toward a direction: F.1336-5 sector pattern, mechanical tilt by
    F.1336 recommends 3.4 (`antennas.sector_angles_deg`), electrical tilt as an elevation
    offset of the beam."""
    az_rel, el_rel = antennas.sector_angles_deg(bearing, elevation, azimuth_deg, mech_tilt_deg)
    el_rel = np.clip(el_rel + np.asarray(elec_tilt_deg, float), -90.0, 90.0)
    return antennas.f1336_sector_gain_dbi(
        az_rel, el_rel, np.asarray(g0_dbi, float), np.asarray(phi3_deg, float)
    )


def es_gain_dbi(*, off_axis_deg, diameter_m, f_mhz, efficiency, pattern):
    """Earth-station gain (dBi): S.465-6, or S.580-6 where registered (and D/λ >= 50)."""
    f_ghz = np.asarray(f_mhz, float) / 1000.0
    off, diameter, f_ghz, efficiency, pattern = np.broadcast_arrays(
        np.asarray(off_axis_deg, float),
        np.asarray(diameter_m, float),
        f_ghz,
        np.asarray(efficiency, float),
        np.asarray(pattern),
    )
    gain = antennas.s465_gain_dbi(off, diameter, f_ghz, efficiency=efficiency)
    d_lambda = diameter * f_ghz / 0.299792458
    use580 = (pattern == "s580") & (d_lambda >= 50.0)
    if use580.any():
        gain = gain.copy()
        gain[use580] = antennas.s580_gain_dbi(
            off[use580], diameter[use580], f_ghz[use580], efficiency=efficiency[use580]
        )
    return gain


# ------------------------------------------------------------------------------- budget
DEFAULT_MASK = interference.DEFAULT_EMISSION_MASK


def oob_power_dbm(*, mask_points, power_dbm, ch_low_mhz, ch_high_mhz, rx_low_mhz, rx_high_mhz):
    """Unwanted BS power (dBm) inside the ES carrier, from the cell's emission mask.

    The mask is the engine's `EmissionMask` (conducted dBm/MHz vs offset from the channel
    edge). When the carrier overlaps the BS channel (co-channel) the in-channel power density
    over the overlap is used instead.
    """
    overlap = max(0.0, min(ch_high_mhz, rx_high_mhz) - max(ch_low_mhz, rx_low_mhz))
    if overlap > 0.0:
        return power_dbm - 10.0 * np.log10(ch_high_mhz - ch_low_mhz) + 10.0 * np.log10(overlap)
    mask = (
        interference.EmissionMask(
            tuple(p[0] for p in mask_points), tuple(p[1] for p in mask_points)
        )
        if mask_points
        else DEFAULT_MASK
    )
    return mask.power_in_band_dbm(ch_low_mhz, ch_high_mhz, rx_low_mhz, rx_high_mhz)


def margins(**kwargs):
    """The engine's vectorised budget (`interference.budget_margins`) with per-pair criteria."""
    criteria = interference.ProtectionCriteria(
        i_over_n_db=kwargs.pop("i_over_n_db"),
        es_noise_temp_k=kwargs.pop("noise_temp_k"),
        lnb_max_input_dbm=kwargs.pop("lnb_max_input_dbm"),
    )
    return interference.budget_margins(criteria=criteria, **kwargs)


def noise_dbm(noise_temp_k, bandwidth_mhz):
    return interference.noise_power_dbm(noise_temp_k, bandwidth_mhz)


def power_sum_dbm(values_dbm) -> float:
    values = np.asarray(values_dbm, float)
    if values.size == 0:
        return float("-inf")
    top = values.max()
    return float(top + 10.0 * np.log10(np.sum(10.0 ** ((values - top) / 10.0))))


# ------------------------------------------------------------------------------- propagation
@dataclass
class Loss:
    lb_db: np.ndarray
    theta_t_mrad: np.ndarray
    theta_r_mrad: np.ndarray


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
    chunk: int = 4000,
    threads: int = 2,
) -> Loss:
    """P.452-18 Lb (dB) and horizon angles for many paths, profiles from ``dem``.

    Paths run in chunks (bounded memory) on ``threads`` threads: the profile kernel and the
    engine's Numba kernels release the GIL, so both cores work.
    """
    from concurrent.futures import ThreadPoolExecutor

    tx_lon, tx_lat, rx_lon, rx_lat, f_mhz, htg_m, hrg_m, p_percent = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(v, float))
            for v in (tx_lon, tx_lat, rx_lon, rx_lat, f_mhz, htg_m, hrg_m, p_percent)
        )
    )
    n = tx_lon.size
    out = Loss(np.empty(n), np.empty(n), np.empty(n))

    def run(s: int) -> None:
        e = min(n, s + chunk)
        prof = terrain.profiles(tx_lon[s:e], tx_lat[s:e], rx_lon[s:e], rx_lat[s:e], spacing_m, dem)
        d, h, offsets = prof.d_km, prof.h_m, prof.offsets
        batch = p452.PathBatch.from_flat(
            d,
            h,
            offsets,
            zone=2,
            f_ghz=f_mhz[s:e] / 1000.0,
            p_percent=p_percent[s:e],
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
        res = p452.transmission_loss(batch, return_intermediates=True)
        out.lb_db[s:e] = res.lb_db
        out.theta_t_mrad[s:e] = res.theta_t_mrad
        out.theta_r_mrad[s:e] = res.theta_r_mrad

    starts = list(range(0, n, chunk))
    if threads <= 1 or len(starts) <= 1:
        for s in starts:
            run(s)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, starts))
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
def emf_e_limit_v_m(f_mhz):
    """GB 8702-2014 Table 1 public limit on electric field strength (V/m)."""
    return emf.gb8702_public_limits(f_mhz)[0]


def field_strength_to_power_density(e_v_m):
    """Plane-wave power density S = E² / Z0 (W/m²)."""
    return np.asarray(e_v_m, float) ** 2 / emf.Z0_OHM


def emf_site(
    *,
    eirp_dbm,
    g0_dbi,
    phi3_deg,
    height_m,
    mech_tilt_deg,
    elec_tilt_deg,
    f_mhz,
    public_height_m,
    distances_m=None,
):
    """Exposure of co-sited cells (arrays over cells), far field, worst-case boresight azimuth.

    Compliance distance: `emf.cosited_compliance_distance_m` on boresight. Public exposure:
    summed `emf.exposure_ratio` at ``public_height_m`` above ground over horizontal distances,
    each cell attenuated by its F.1336 elevation pattern toward the point.
    """
    eirp = np.asarray(eirp_dbm, float)
    f = np.asarray(f_mhz, float)
    compliance_m = float(emf.cosited_compliance_distance_m(eirp, f))
    if distances_m is None:
        distances_m = np.concatenate([np.arange(1.0, 100.0, 1.0), np.arange(100.0, 1001.0, 10.0)])
    x = np.asarray(distances_m, float)[:, None]
    dz = np.asarray(height_m, float)[None, :] - public_height_m
    r = np.sqrt(x**2 + dz**2)
    elevation = -np.degrees(np.arctan2(dz, x))  # the public point seen from the antenna
    gain = cell_gain_dbi(
        bearing=np.zeros_like(elevation),
        elevation=elevation,
        azimuth_deg=0.0,
        mech_tilt_deg=np.asarray(mech_tilt_deg, float)[None, :],
        elec_tilt_deg=np.asarray(elec_tilt_deg, float)[None, :],
        g0_dbi=np.asarray(g0_dbi, float)[None, :],
        phi3_deg=np.asarray(phi3_deg, float)[None, :],
    )
    rel = gain - np.asarray(g0_dbi, float)[None, :]
    ratio = emf.exposure_ratio(eirp[None, :], f[None, :], r, rel, axis=1)
    s = emf.power_density_w_m2(eirp[None, :], r, rel).sum(axis=1)
    k = int(np.argmax(ratio))
    return {
        "compliance_distance_m": compliance_m,
        "max_ratio": float(ratio[k]),
        "max_s_w_m2": float(s[k]),
        "at_m": float(x[k, 0]),
        "profile_m": x[:, 0].tolist(),
        "profile_ratio": [round(float(v), 6) for v in ratio],
    }
