"""Interference studies and coverage predictions as pure NumPy: pair selection, profiles,
the engine, margins, per-station aggregates and the best signal at receiving points.

Everything here works on column arrays (also used by the benchmark) and touches no database:
`network.services.study_runs` snapshots a study's inputs, runs `compute_from_inputs` and stores
the results; `network.services.coverage` and `network.selectors.coverage_grid` feed the coverage
functions the registry's in-service cells.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable

import numpy as np
from django.utils.translation import gettext_noop

from xizang5g.core.texts import Text
from xizang5g.network import constants as C
from xizang5g.network import engine
from xizang5g.network.choices import MitigationKind
from xizang5g.radio import antennas, levels, p452, terrain

CELL_KEYS = (
    "id",
    "site_id",
    "operator_id",
    "lon",
    "lat",
    "ground_m",
    "f_mhz",
    "bw_mhz",
    "power_dbm",
    "gain_dbi",
    "height_m",
    "azimuth_deg",
    "mech_tilt_deg",
    "elec_tilt_deg",
    "beamwidth_deg",
    "emission_mask",
)
ES_KEYS = (
    "id",
    "lon",
    "lat",
    "ground_m",
    "antenna_height_m",
    "diameter_m",
    "pattern",
    "efficiency",
    "orbital_lon_deg",
    "carrier_low_mhz",
    "carrier_high_mhz",
    "noise_temp_k",
    "lnb_p1db_dbm",
    "filter_rejection_db",
    "i_n_criterion_db",
)
OBJECT_KEYS = ("pattern", "emission_mask")
INT_KEYS = ("id", "site_id", "operator_id")


def select_pairs(es_lon, es_lat, cell_lon, cell_lat, radius_km):
    """All (earth station, cell) index pairs closer than ``radius_km`` (great circle)."""
    from scipy.spatial import cKDTree  # scipy.spatial takes seconds to load: pairs need it

    if len(es_lon) == 0 or len(cell_lon) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    chord = float(terrain.unit_chord(radius_km))
    tree_c = cKDTree(terrain.unit_vectors(cell_lon, cell_lat))
    tree_e = cKDTree(terrain.unit_vectors(es_lon, es_lat))
    found = tree_e.sparse_distance_matrix(tree_c, chord, output_type="ndarray")
    order = np.lexsort((found["j"], found["i"]))
    return found["i"][order].astype(np.int64), found["j"][order].astype(np.int64)


def apply_mitigation(cells: dict, stations: dict, mitigation: dict | None):
    """Copies of the column arrays with a what-if applied, plus the engine's per-cell
    ``power_reduction_db`` and per-station extra ``filter_rejection_db`` arrays."""
    cells = {k: np.array(v, copy=True) for k, v in cells.items()}
    stations = {k: np.array(v, copy=True) for k, v in stations.items()}
    reduction = np.zeros(cells["id"].size)
    extra_filter = np.zeros(stations["id"].size)
    if not mitigation:
        return cells, stations, reduction, extra_filter
    kind = mitigation["kind"]
    if kind == MitigationKind.LNB_FILTER:
        ids = mitigation.get("earth_station_ids")
        mask = np.isin(stations["id"], ids) if ids else np.ones(stations["id"].size, bool)
        extra_filter[mask] = float(mitigation["rejection_db"])
        return cells, stations, reduction, extra_filter
    ids = mitigation.get("cell_ids")
    mask = np.isin(cells["id"], ids) if ids else np.ones(cells["id"].size, bool)
    if kind == MitigationKind.POWER_REDUCTION:
        reduction[mask] = float(mitigation["reduction_db"])
    elif kind == MitigationKind.AZIMUTH_TILT:
        if mitigation.get("azimuth_deg") not in (None, ""):
            cells["azimuth_deg"][mask] = float(mitigation["azimuth_deg"]) % 360.0
        if mitigation.get("downtilt_deg") not in (None, ""):
            cells["mech_tilt_deg"][mask] = float(mitigation["downtilt_deg"])
            cells["elec_tilt_deg"][mask] = 0.0
    elif kind == MitigationKind.SITE_MOVE:
        cells["lon"][mask] = float(mitigation["lon"])
        cells["lat"][mask] = float(mitigation["lat"])
        cells["ground_m"][mask] = np.nan  # re-sampled from the DEM at the new place
    return cells, stations, reduction, extra_filter


_POOL_STATE: dict = {}


def _chunk_losses(bounds):
    """Worker: profiles once per geometry of the chunk, then P.452 for the in-band path and
    every blocking frequency of each geometry in one engine batch."""
    g0, g1, b0, b1 = bounds
    st = _POOL_STATE
    prof = terrain.profiles(
        st["tx_lon"][g0:g1],
        st["tx_lat"][g0:g1],
        st["rx_lon"][g0:g1],
        st["rx_lat"][g0:g1],
        st["spacing_m"],
        st["dem"],
    )
    d, h, off = prof.d_km, prof.h_m, prof.offsets
    n_g = g1 - g0
    gl = st["b_geom"][b0:b1] - g0  # blocking paths -> local geometry
    lengths = np.diff(off)
    if b1 - b0 == n_g and np.array_equal(gl, np.arange(n_g)):
        d_b, h_b, off_b = d, h, off
    else:
        off_b = np.zeros(gl.size + 1, dtype=np.int64)
        np.cumsum(lengths[gl], out=off_b[1:])
        idx = np.repeat(off[gl] - off_b[:-1], lengths[gl]) + np.arange(off_b[-1])
        d_b, h_b = d[idx], h[idx]
    geo = np.concatenate([np.arange(g0, g1), st["b_geom"][b0:b1]])
    batch = p452.PathBatch.from_flat(
        np.concatenate([d, d_b]),
        np.concatenate([h, h_b]),
        np.concatenate([off, off_b[1:] + off[-1]]),
        zone=2,
        f_ghz=np.concatenate([st["f_in"][g0:g1], st["b_f"][b0:b1]]) / 1000.0,
        p_percent=np.concatenate([np.full(n_g, st["p_in"]), np.full(b1 - b0, st["p_block"])]),
        htg_m=st["htg"][geo],
        hrg_m=st["hrg"][geo],
        tx_lon=st["tx_lon"][geo],
        tx_lat=st["tx_lat"][geo],
        rx_lon=st["rx_lon"][geo],
        rx_lat=st["rx_lat"][geo],
        press_hpa=C.PLATEAU_PRESSURE_HPA,
        temp_c=C.PLATEAU_TEMPERATURE_C,
        delta_n=C.DELTA_N,
        n0=C.N0,
    )
    res = p452.transmission_loss(batch, return_intermediates=True)
    return g0, b0, res.lb_db[:n_g], res.theta_t_mrad[:n_g], res.theta_r_mrad[:n_g], res.lb_db[n_g:]


def _losses(
    *, dem, cells, stations, ci, ei, p_in, p_block, spacing_m, progress, span, chunk=3000, workers=2
):
    """Lb at the ES carrier (in-band) and at each cell's frequency (blocking) for every pair.

    Azimuth and tilt do not change the path loss: one profile per distinct geometry (place of
    the cell, antenna height, earth station), P.452 once per geometry and frequency. Large
    studies run their chunks on a pool of forked processes (one per core).
    """
    n = ci.size
    if n == 0:
        empty = np.zeros(0)
        return engine.Loss(empty, empty, empty), empty, 0, 0
    m = stations["id"].size
    place = np.column_stack([cells["lon"], cells["lat"], cells["height_m"]])
    _u, place_id = np.unique(place, axis=0, return_inverse=True)
    place_id = place_id.ravel().astype(np.int64)
    gkey = place_id[ci] * m + ei
    g_uniq, g_inv = np.unique(gkey, return_inverse=True)
    g_cell = np.empty(g_uniq.size, dtype=np.int64)
    g_cell[g_inv] = ci  # a representative cell per geometry
    g_es = g_uniq % m
    f_vals, f_id = np.unique(cells["f_mhz"], return_inverse=True)
    bkey = g_inv.astype(np.int64) * f_vals.size + f_id.ravel()[ci]
    b_uniq, b_inv = np.unique(bkey, return_inverse=True)
    tx_lon = cells["lon"][g_cell]
    tx_lat = cells["lat"][g_cell]
    rx_lon, rx_lat = stations["lon"][g_es], stations["lat"][g_es]
    same = (np.abs(tx_lon - rx_lon) < 1e-6) & (np.abs(tx_lat - rx_lat) < 1e-6)
    tx_lon = np.where(same, tx_lon + 1e-4, tx_lon)  # coinciding terminals: nudge ~10 m
    carrier_mid = 0.5 * (stations["carrier_low_mhz"] + stations["carrier_high_mhz"])
    _POOL_STATE.clear()
    _POOL_STATE.update(
        dem=dem,
        tx_lon=tx_lon,
        tx_lat=tx_lat,
        rx_lon=rx_lon,
        rx_lat=rx_lat,
        htg=cells["height_m"][g_cell],
        hrg=stations["antenna_height_m"][g_es],
        f_in=carrier_mid[g_es],
        b_geom=b_uniq // f_vals.size,
        b_f=f_vals[b_uniq % f_vals.size],
        p_in=p_in,
        p_block=p_block,
        spacing_m=spacing_m,
    )
    b_geom = _POOL_STATE["b_geom"]
    bounds = []
    for g0 in range(0, g_uniq.size, chunk):
        g1 = min(g_uniq.size, g0 + chunk)
        bounds.append((g0, g1, int(np.searchsorted(b_geom, g0)), int(np.searchsorted(b_geom, g1))))
    lb_in = np.empty(g_uniq.size)
    th_t = np.empty(g_uniq.size)
    th_r = np.empty(g_uniq.size)
    lb_b = np.empty(b_uniq.size)
    use_pool = workers > 1 and len(bounds) > 4 and "fork" in multiprocessing.get_all_start_methods()
    pool = multiprocessing.get_context("fork").Pool(workers) if use_pool else None
    try:
        results = pool.imap_unordered(_chunk_losses, bounds) if pool else map(_chunk_losses, bounds)
        for done, (g0, b0, a, t, r, b) in enumerate(results, start=1):
            lb_in[g0 : g0 + a.size] = a
            th_t[g0 : g0 + a.size] = t
            th_r[g0 : g0 + a.size] = r
            lb_b[b0 : b0 + b.size] = b
            if progress and (done % 10 == 0 or done == len(bounds)):
                lo, hi = span
                progress(
                    lo + (hi - lo) * done / len(bounds),
                    Text(
                        gettext_noop("P.452: %(done)s/%(total)s profiles"),
                        done=min(done * chunk, g_uniq.size),
                        total=g_uniq.size,
                    ),
                )
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _POOL_STATE.clear()
    return (
        engine.Loss(lb_in[g_inv], th_t[g_inv], th_r[g_inv]),
        lb_b[b_inv],
        int(g_uniq.size),
        int(b_uniq.size),
    )


def _oob_by_combo(cells, stations, ci, ei):
    """Unwanted power (dBm) in each pair's ES carrier; the mask integral runs once per
    distinct (cell emission configuration, ES carrier) combination."""
    if ci.size == 0:
        return np.zeros(0)
    masks = [tuple(map(tuple, m)) if len(m) else () for m in cells["emission_mask"]]
    catalogue = {m: k for k, m in enumerate(dict.fromkeys(masks))}
    mask_idx = np.array([catalogue[m] for m in masks], dtype=float)
    ch_low = cells["f_mhz"] - cells["bw_mhz"] / 2.0
    ch_high = cells["f_mhz"] + cells["bw_mhz"] / 2.0
    cfg, cfg_id = np.unique(
        np.column_stack([mask_idx, ch_low, ch_high, cells["power_dbm"]]),
        axis=0,
        return_inverse=True,
    )
    car, car_id = np.unique(
        np.column_stack([stations["carrier_low_mhz"], stations["carrier_high_mhz"]]),
        axis=0,
        return_inverse=True,
    )
    by_index = list(catalogue)
    table = np.array(
        [
            [
                engine.unwanted_power_dbm(
                    mask_points=by_index[int(c[0])],
                    power_dbm=c[3],
                    ch_low_mhz=c[1],
                    ch_high_mhz=c[2],
                    rx_low_mhz=r[0],
                    rx_high_mhz=r[1],
                )
                for r in car
            ]
            for c in cfg
        ]
    )
    return table[cfg_id.ravel()[ci], car_id.ravel()[ei]]


def compute_pairs(
    *,
    cells: dict,
    stations: dict,
    dem,
    coordination_km: float,
    p_percent: float,
    p_blocking_percent: float = C.P_PERCENT_BLOCKING,
    spacing_m: float = C.PROFILE_STEP_KM * 1000.0,
    mitigation: dict | None = None,
    progress: Callable[[float, str], None] | None = None,
    workers: int = 2,
) -> dict:
    """Selection, profiles, P.452, gains and margins for every pair within ``coordination_km``.

    ``cells`` and ``stations`` are dicts of column arrays (CELL_KEYS / ES_KEYS). P.452 runs at
    the ES carrier for the in-band check (``p_percent``) and at the 5G frequency for blocking
    (``p_blocking_percent``). Returns per-pair arrays, per-station aggregates and timings.
    """
    timings = {}
    t0 = time.perf_counter()
    cells, stations, reduction, extra_filter = apply_mitigation(cells, stations, mitigation)
    for data in (cells, stations):
        missing = ~np.isfinite(data["ground_m"])
        if missing.any():
            data["ground_m"][missing] = dem.sample(data["lon"][missing], data["lat"][missing])
    ei, ci = select_pairs(
        stations["lon"], stations["lat"], cells["lon"], cells["lat"], coordination_km
    )
    timings["selection_s"] = time.perf_counter() - t0
    n = ei.size
    if progress:
        progress(
            5.0,
            Text(gettext_noop("%(n)s pairs within %(km)s km"), n=n, km=f"{coordination_km:g}"),
        )
    clon, clat, elon, elat = (
        cells["lon"][ci],
        cells["lat"][ci],
        stations["lon"][ei],
        stations["lat"][ei],
    )
    f5g = cells["f_mhz"][ci]
    carrier_mid = 0.5 * (stations["carrier_low_mhz"] + stations["carrier_high_mhz"])
    d_km = terrain.great_circle_distance_km(clon, clat, elon, elat)
    t1 = time.perf_counter()
    loss_in, lb_5g, n_geom, n_block = _losses(
        dem=dem,
        cells=cells,
        stations=stations,
        ci=ci,
        ei=ei,
        p_in=p_percent,
        p_block=p_blocking_percent,
        spacing_m=spacing_m,
        progress=progress,
        span=(5.0, 88.0),
        workers=workers,
    )
    loss_5g = engine.Loss(lb_5g, loss_in.theta_t_mrad, loss_in.theta_r_mrad)
    timings["profiles_engine_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    # Antennas pointed along the path, elevations = the P.452 horizon angles (as the engine).
    gt = antennas.cell_gain_dbi(
        terrain.initial_bearing_deg(clon, clat, elon, elat),
        antennas.mrad_to_deg(loss_in.theta_t_mrad),
        cells["azimuth_deg"][ci],
        cells["mech_tilt_deg"][ci],
        cells["elec_tilt_deg"][ci],
        cells["gain_dbi"][ci],
        cells["beamwidth_deg"][ci],
    )
    sat_az, sat_el = antennas.gso_look_angles_deg(
        stations["lon"], stations["lat"], stations["orbital_lon_deg"]
    )
    off = antennas.off_axis_angle_deg(
        sat_az[ei],
        sat_el[ei],
        terrain.initial_bearing_deg(elon, elat, clon, clat),
        antennas.mrad_to_deg(loss_in.theta_r_mrad),
    )

    def es_gain(f_mhz):
        return antennas.earth_station_gain_dbi(
            off,
            stations["diameter_m"][ei],
            f_mhz / 1000.0,
            stations["pattern"][ei],
            efficiency=stations["efficiency"][ei],
        )

    gr_in = es_gain(carrier_mid[ei])
    gr_5g = es_gain(f5g)
    oob = _oob_by_combo(cells, stations, ci, ei)
    cochannel = (cells["f_mhz"][ci] + cells["bw_mhz"][ci] / 2 > stations["carrier_low_mhz"][ei]) & (
        cells["f_mhz"][ci] - cells["bw_mhz"][ci] / 2 < stations["carrier_high_mhz"][ei]
    )
    threshold = stations["lnb_p1db_dbm"] - C.BLOCKING_BACKOFF_DB
    carrier_bw = stations["carrier_high_mhz"] - stations["carrier_low_mhz"]
    b = engine.margins(
        bs_power_dbm=cells["power_dbm"][ci],
        oob_power_dbm=oob,
        g_bs_inband_dbi=gt,
        g_es_inband_dbi=gr_in,
        lb_inband_db=loss_in.lb_db,
        g_bs_5g_dbi=gt,
        g_es_5g_dbi=gr_5g,
        lb_5g_db=loss_5g.lb_db,
        es_bandwidth_mhz=carrier_bw[ei],
        i_over_n_db=stations["i_n_criterion_db"][ei],
        noise_temp_k=stations["noise_temp_k"][ei],
        lnb_max_input_dbm=threshold[ei],
        # A band-pass filter cannot reject a co-channel carrier.
        filter_rejection_db=np.where(
            cochannel, 0.0, stations["filter_rejection_db"][ei] + extra_filter[ei]
        ),
        power_reduction_db=reduction[ci],
    )
    margin = b["worst_margin_db"]
    # Aggregates per earth station (power sums over all its cells).
    m = stations["id"].size
    agg_i = levels.aggregate_power_dbm(ei, b["i_dbm"], m)
    agg_b = levels.aggregate_power_dbm(ei, b["lnb_input_dbm"], m)
    noise = levels.noise_power_dbm(stations["noise_temp_k"], carrier_bw)
    agg_in_margin = stations["i_n_criterion_db"] - (agg_i - noise)
    agg_bl_margin = threshold - agg_b
    n_cells = np.bincount(ei, minlength=m)
    n_fail = np.bincount(ei, weights=(margin < 0).astype(float), minlength=m).astype(np.int64)
    worst = np.full(m, np.inf)
    np.minimum.at(worst, ei, margin)
    worst = np.minimum(worst, np.minimum(agg_in_margin, agg_bl_margin))
    timings["margins_s"] = time.perf_counter() - t2
    return {
        "es_index": ei,
        "cell_index": ci,
        "distance_km": d_km,
        "lb_db": loss_in.lb_db,
        "lb_5g_db": loss_5g.lb_db,
        "gt_dbi": gt,
        "gr_dbi": gr_in,
        "i_inband_dbm": b["i_dbm"],
        "i_over_n_db": b["i_over_n_db"],
        "inband_margin_db": b["in_band_margin_db"],
        "blocking_dbm": b["lnb_input_dbm"],
        "blocking_margin_db": b["blocking_margin_db"],
        "margin_db": margin,
        "n_profiles": n_geom,
        "n_p452_paths": n_geom + n_block,
        "station": {
            "n_cells": n_cells,
            "n_failing": n_fail,
            "aggregate_inband_dbm": agg_i,
            "aggregate_inband_margin_db": agg_in_margin,
            "aggregate_blocking_dbm": agg_b,
            "aggregate_blocking_margin_db": agg_bl_margin,
            "worst_margin_db": worst,
        },
        "timings": timings,
    }


def columns_from_rows(rows: list[dict], keys) -> dict:
    """Query rows (dicts) → one NumPy column per key, as compute_pairs takes them."""
    return _from_lists({k: [r[k] for r in rows] for k in keys}, keys)


def _from_lists(columns: dict, keys) -> dict:
    out = {}
    for key in keys:
        values = columns.get(key, [])
        if key == "pattern":
            out[key] = np.array(values, dtype=object).astype(str)
        elif key in OBJECT_KEYS:
            out[key] = np.empty(len(values), dtype=object)
            out[key][:] = [v or [] for v in values]
        elif key in INT_KEYS:
            out[key] = np.array(values, dtype=np.int64)
        else:
            out[key] = np.array([np.nan if v is None else v for v in values], dtype=float)
    return out


def compute_from_inputs(inputs: dict, progress=None) -> dict:
    """Recompute a study from its stored inputs alone (the reproducibility path)."""
    stations = _from_lists(inputs["earth_stations"], ES_KEYS)
    cells = _from_lists(inputs["cells"], CELL_KEYS)
    dem = engine.dem_from_tiles(inputs["terrain"])
    return compute_pairs(
        cells=cells,
        stations=stations,
        dem=dem,
        coordination_km=inputs["coordination_km"],
        p_percent=inputs["p_percent"],
        p_blocking_percent=inputs["p_blocking_percent"],
        spacing_m=inputs["spacing_m"],
        mitigation=inputs.get("mitigation") or None,
        progress=progress,
    )


# ---------------------------------------------------------------------------- coverage
def best_levels(*, cells: dict, dem, rx_lon, rx_lat) -> tuple[np.ndarray, np.ndarray]:
    """Best predicted RSRP (dBm, -inf where no cell is within reach) at each receiving point,
    and the id of the cell that gives it (-1 where none): P.452 at 50 % from every cell within
    COVERAGE_RADIUS_KM, the cell's gain toward the point at the horizon elevation."""
    rx_lon = np.asarray(rx_lon, dtype=float)
    rx_lat = np.asarray(rx_lat, dtype=float)
    best = np.full(rx_lon.size, -np.inf)
    best_cell = np.full(rx_lon.size, -1, dtype=np.int64)
    if cells["id"].size == 0 or rx_lon.size == 0:
        return best, best_cell
    ri, ci = select_pairs(rx_lon, rx_lat, cells["lon"], cells["lat"], C.COVERAGE_RADIUS_KM)
    if ri.size == 0:
        return best, best_cell
    coinciding = (
        np.abs(cells["lon"][ci] - rx_lon[ri]) + np.abs(cells["lat"][ci] - rx_lat[ri]) < 1e-6
    )
    tx_lon = np.where(coinciding, cells["lon"][ci] + 1e-4, cells["lon"][ci])  # nudge ~10 m
    loss = engine.path_loss(
        dem=dem,
        tx_lon=tx_lon,
        tx_lat=cells["lat"][ci],
        rx_lon=rx_lon[ri],
        rx_lat=rx_lat[ri],
        f_mhz=cells["f_mhz"][ci],
        htg_m=cells["height_m"][ci],
        hrg_m=C.UE_HEIGHT_M,
        p_percent=C.COVERAGE_P_PERCENT,
        spacing_m=C.PROFILE_STEP_KM * 1000.0,
    )
    gain = antennas.cell_gain_dbi(
        terrain.initial_bearing_deg(tx_lon, cells["lat"][ci], rx_lon[ri], rx_lat[ri]),
        antennas.mrad_to_deg(loss.theta_t_mrad),
        cells["azimuth_deg"][ci],
        cells["mech_tilt_deg"][ci],
        cells["elec_tilt_deg"][ci],
        cells["gain_dbi"][ci],
        cells["beamwidth_deg"][ci],
    )
    level = levels.rsrp_dbm(
        cells["power_dbm"][ci], cells["bw_mhz"][ci], cells["f_mhz"][ci], gain, loss.lb_db
    )
    np.maximum.at(best, ri, level)
    is_best = level >= best[ri] - 1e-9
    best_cell[ri[is_best]] = cells["id"][ci[is_best]]
    return best, best_cell


def grid_around(lon: float, lat: float, *, half_km: float, n: int):
    """An n×n grid of points ±half_km around (lon, lat): (grid lons, grid lats, axis lons, axis lats)."""
    east, north = terrain.destination_point(lon, lat, [90.0, 0.0], half_km)
    dlon, dlat = float(east[0]) - lon, float(north[1]) - lat
    lons = np.linspace(lon - dlon, lon + dlon, n)
    lats = np.linspace(lat - dlat, lat + dlat, n)
    glon, glat = (a.ravel() for a in np.meshgrid(lons, lats))
    return glon, glat, lons, lats
