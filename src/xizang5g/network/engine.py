"""Thin adapter between the network app and the radio engine (`xizang5g.radio`).

All radio maths lives in the engine: P.452-18 (`p452`), profiles and Earth geometry
(`terrain`), antenna patterns and their selection by code (`antennas`: s465, s580, f1336,
m2101), levels (`levels`: kTB, power sums, RSRP), the interference budget (`interference`:
in-band I/N and LNB blocking margins, unwanted power from an emission mask) and EMF (`emf`:
GB 8702-2014). This module only builds the DEM from the registered terrain tiles, runs the
engine over many paths in chunks, and hands registry columns (JSON masks, per-station criteria,
co-sited cells) to the engine's functions.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from xizang5g.network import constants as C
from xizang5g.radio import antennas, emf, interference, p452, terrain

__all__ = [
    "Loss",
    "MosaicDem",
    "antennas",
    "dem_from_tiles",
    "emf_e_limit_v_m",
    "emf_site",
    "engine_version",
    "field_strength_to_power_density",
    "margins",
    "path_loss",
    "single_path_loss",
    "terrain",
    "unwanted_power_dbm",
]

RADIO_DIR = Path(p452.__file__).resolve().parent


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


# ------------------------------------------------------------------------------- budget
def unwanted_power_dbm(*, mask_points, power_dbm, ch_low_mhz, ch_high_mhz, rx_low_mhz, rx_high_mhz):
    """Unwanted BS power (dBm) inside the ES carrier, from the cell's registered mask.

    ``mask_points`` is the cell's JSON `[[offset MHz, dBm/MHz], …]`; empty means the engine's
    default mask (`interference.DEFAULT_EMISSION_MASK`).
    """
    mask = interference.EmissionMask.from_points(mask_points) if mask_points else None
    return interference.unwanted_power_in_carrier_dbm(
        mask=mask,
        power_dbm=power_dbm,
        ch_low_mhz=ch_low_mhz,
        ch_high_mhz=ch_high_mhz,
        rx_low_mhz=rx_low_mhz,
        rx_high_mhz=rx_high_mhz,
    )


def margins(*, i_over_n_db, noise_temp_k, lnb_max_input_dbm, **kwargs):
    """The engine's vectorised budget (`interference.budget_margins`) with each pair's
    criteria taken from its earth station's registry columns."""
    criteria = interference.ProtectionCriteria(
        i_over_n_db=i_over_n_db,
        es_noise_temp_k=noise_temp_k,
        lnb_max_input_dbm=lnb_max_input_dbm,
    )
    return interference.budget_margins(criteria=criteria, **kwargs)


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
emf_e_limit_v_m = emf.gb8702_public_e_limit_v_m
field_strength_to_power_density = emf.power_density_from_field_w_m2


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
) -> dict:
    """Exposure around a mast of co-sited cells (`emf.site_exposure`) as the plain data an
    `EmfAssessment` row stores."""
    result = emf.site_exposure(
        eirp_dbm=eirp_dbm,
        f_mhz=f_mhz,
        g0_dbi=g0_dbi,
        phi3_deg=phi3_deg,
        height_m=height_m,
        mech_tilt_deg=mech_tilt_deg,
        elec_tilt_deg=elec_tilt_deg,
        public_height_m=public_height_m,
        distances_m=distances_m,
    )
    return {
        "compliance_distance_m": result.compliance_distance_m,
        "max_ratio": result.max_ratio,
        "max_s_w_m2": result.max_s_w_m2,
        "at_m": result.at_m,
        "profile_m": result.distances_m.tolist(),
        "profile_ratio": [round(float(v), 6) for v in result.ratios],
    }
