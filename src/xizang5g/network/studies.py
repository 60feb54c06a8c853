"""Interference studies and coverage predictions: selection, profiles, engine, margins, storage.

`compute_pairs` is pure NumPy over column arrays (also used by the benchmark); `run_study`
wraps it with the database: snapshot of the inputs, progress, cancellation, storage, alerts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from xizang5g.network import constants as C
from xizang5g.network import engine
from xizang5g.network.choices import MitigationKind, StationStatus, StudyScope, StudyStatus
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


class StudyCancelled(Exception):
    pass


def select_pairs(es_lon, es_lat, cell_lon, cell_lat, radius_km):
    """All (earth station, cell) index pairs closer than ``radius_km`` (great circle)."""
    from scipy.spatial import cKDTree

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
    import multiprocessing

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
                    f"P.452: {min(done * chunk, g_uniq.size)}/{g_uniq.size} profiles",
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
        progress(5.0, f"{n} pairs within {coordination_km:g} km")
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


# ---------------------------------------------------------------------------- database side
def _columns(rows: list[dict], keys) -> dict:
    return _from_lists({k: [r[k] for r in rows] for k in keys}, keys)


def snapshot_inputs(study) -> dict:
    """Every input of the study as plain data (stored on the row: a study is reproducible)."""
    from django.db.models import F

    from xizang5g.network.models import Cell, EarthStation, TerrainTile

    stations = EarthStation.objects.exclude(status=StationStatus.DECOMMISSIONED)
    if study.scope == StudyScope.STATIONS:
        stations = stations.filter(pk__in=study.earth_stations.values("pk"))
    elif study.scope == StudyScope.COUNTY:
        stations = stations.filter(division=study.division)
    es_rows = list(stations.order_by("pk").values(*ES_KEYS))
    cells = Cell.objects.exclude(status=StationStatus.DECOMMISSIONED)
    if study.inputs.get("cell_ids"):
        cells = cells.filter(pk__in=study.inputs["cell_ids"])
    cell_rows = list(
        cells.order_by("pk")
        .annotate(lon=F("site__lon"), lat=F("site__lat"), ground_m=F("site__ground_m"))
        .values(*CELL_KEYS)
    )
    tiles = list(
        TerrainTile.objects.filter(is_active=True)
        .order_by("pk")
        .values("name", "kind", "path", "west", "south", "east", "north", "params")
    )
    return {
        "coordination_km": study.coordination_km,
        "p_percent": study.p_percent,
        "p_blocking_percent": study.p_blocking_percent,
        "spacing_m": float(study.inputs.get("spacing_m") or C.PROFILE_STEP_KM * 1000.0),
        "mitigation": study.mitigation,
        "cell_ids": study.inputs.get("cell_ids", []),
        "atmosphere": {
            "press_hpa": C.PLATEAU_PRESSURE_HPA,
            "temp_c": C.PLATEAU_TEMPERATURE_C,
            "delta_n": C.DELTA_N,
            "n0": C.N0,
        },
        "terrain": tiles,
        "earth_stations": {k: [r[k] for r in es_rows] for k in ES_KEYS},
        "cells": {k: [r[k] for r in cell_rows] for k in CELL_KEYS},
    }


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


PAIR_COLUMNS = (
    "study_id",
    "earth_station_id",
    "cell_id",
    "distance_km",
    "lb_db",
    "lb_5g_db",
    "gt_dbi",
    "gr_dbi",
    "i_inband_dbm",
    "i_over_n_db",
    "inband_margin_db",
    "blocking_dbm",
    "blocking_margin_db",
    "margin_db",
    "passes",
)


PAIR_FLOATS = PAIR_COLUMNS[3:-1]


def _copy_binary(n: int, ids: list, floats: list, flags) -> np.ndarray:
    """Rows in PostgreSQL's binary COPY layout, built in one vectorised pass."""
    fields = [("count", ">i2")]
    for k in range(len(ids)):
        fields += [(f"l{k}", ">i4"), (f"i{k}", ">i8")]
    for k in range(len(floats)):
        fields += [(f"lf{k}", ">i4"), (f"f{k}", ">f8")]
    fields += [("lb", ">i4"), ("b", "u1")]
    rows = np.empty(n, dtype=np.dtype(fields))
    rows["count"] = len(ids) + len(floats) + 1
    for k, values in enumerate(ids):
        rows[f"l{k}"] = 8
        rows[f"i{k}"] = values
    for k, values in enumerate(floats):
        rows[f"lf{k}"] = 8
        rows[f"f{k}"] = values
    rows["lb"] = 1
    rows["b"] = flags
    return rows


def store_pairs(study_id: int, es_ids, cell_ids, result: dict) -> int:
    """Write every pair: binary COPY on PostgreSQL, bulk_create elsewhere (a data table that is
    not change-logged)."""
    from xizang5g.network.models import StudyPair

    n = result["es_index"].size
    if n == 0:
        return 0
    ids = [
        np.full(n, study_id, dtype=np.int64),
        es_ids[result["es_index"]],
        cell_ids[result["cell_index"]],
    ]
    floats = [np.round(result[k], 3) for k in PAIR_FLOATS]
    passes = result["margin_db"] >= 0
    if connection.vendor == "postgresql":
        block = 250_000
        with connection.cursor() as cursor:
            sql = f"COPY {StudyPair._meta.db_table} ({', '.join(PAIR_COLUMNS)}) FROM STDIN WITH (FORMAT BINARY)"
            with cursor.cursor.copy(sql) as copy:
                copy.write(
                    b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
                )
                for s in range(0, n, block):
                    e = min(n, s + block)
                    rows = _copy_binary(
                        e - s, [v[s:e] for v in ids], [v[s:e] for v in floats], passes[s:e]
                    )
                    copy.write(rows.tobytes())
                copy.write((-1).to_bytes(2, "big", signed=True))
        return n
    objs = [
        StudyPair(
            study_id=study_id,
            earth_station_id=int(ids[1][i]),
            cell_id=int(ids[2][i]),
            passes=bool(passes[i]),
            **{name: float(floats[k][i]) for k, name in enumerate(PAIR_FLOATS)},
        )
        for i in range(n)
    ]
    StudyPair.objects.bulk_create(objs, batch_size=2000)
    return n


def run_study(study_id: int):
    """Run a study end to end; progress on the row, cancellation between chunks."""
    from xizang5g.core.audit import acting_as
    from xizang5g.network.models import InterferenceStudy, StudyPair, StudyStationResult
    from xizang5g.network.services import study_raise_alerts

    study = InterferenceStudy.objects.get(pk=study_id)
    if study.status not in (StudyStatus.QUEUED, StudyStatus.RUNNING) or study.cancel_requested:
        return study
    user = study.created_by
    started = time.perf_counter()

    def progress(percent: float, message: str) -> None:
        row = InterferenceStudy.objects.filter(pk=study_id).values("cancel_requested").first()
        if row is None or row["cancel_requested"]:
            raise StudyCancelled()
        study.progress = round(percent, 1)
        study.progress_message = message[:200]
        with acting_as(user):
            study.save(update_fields=["progress", "progress_message", "updated_at"])

    try:
        with acting_as(user):
            study.status = StudyStatus.RUNNING
            study.started_at = timezone.now()
            study.engine_version = engine.engine_version()
            t0 = time.perf_counter()
            study.inputs = snapshot_inputs(study)
            t_snapshot = time.perf_counter() - t0
            study.terrain_synthetic = (
                any(t["kind"] == "synthetic" for t in study.inputs["terrain"])
                or not study.inputs["terrain"]
            )
            study.save()
        progress(1.0, "inputs stored")
        result = compute_from_inputs(study.inputs, progress=progress)
        progress(92.0, "storing results")
        es_ids = np.asarray(study.inputs["earth_stations"]["id"], dtype=np.int64)
        cell_ids = np.asarray(study.inputs["cells"]["id"], dtype=np.int64)
        t_store = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:  # a re-run replaces the rows (one statement)
                cursor.execute(
                    f"DELETE FROM {StudyPair._meta.db_table} WHERE study_id = %s", [study.pk]
                )
            study.station_results.all().delete()
            store_pairs(study.pk, es_ids, cell_ids, result)
            st = result["station"]
            StudyStationResult.objects.bulk_create(
                [
                    StudyStationResult(
                        study_id=study.pk,
                        earth_station_id=int(es_ids[k]),
                        n_cells=int(st["n_cells"][k]),
                        n_failing=int(st["n_failing"][k]),
                        aggregate_inband_dbm=_finite(st["aggregate_inband_dbm"][k]),
                        aggregate_inband_margin_db=_finite(st["aggregate_inband_margin_db"][k]),
                        aggregate_blocking_dbm=_finite(st["aggregate_blocking_dbm"][k]),
                        aggregate_blocking_margin_db=_finite(st["aggregate_blocking_margin_db"][k]),
                        worst_margin_db=_finite(st["worst_margin_db"][k]),
                        passes=bool(st["n_failing"][k] == 0 and not (st["worst_margin_db"][k] < 0)),
                    )
                    for k in range(es_ids.size)
                ],
                batch_size=2000,
            )
        result["timings"]["storage_s"] = time.perf_counter() - t_store
        result["timings"]["snapshot_s"] = t_snapshot
        margins = result["margin_db"]
        failing_stations = int(np.count_nonzero(st["worst_margin_db"] < 0))
        summary = {
            "n_pairs": int(margins.size),
            "n_failing_pairs": int(np.count_nonzero(margins < 0)),
            "n_stations": int(es_ids.size),
            "n_failing_stations": failing_stations,
            "n_cells": int(cell_ids.size),
            "n_profiles": result["n_profiles"],
            "n_p452_paths": result["n_p452_paths"],
            "worst_margin_db": float(
                np.min(st["worst_margin_db"][np.isfinite(st["worst_margin_db"])])
            )
            if np.isfinite(st["worst_margin_db"]).any()
            else None,
            "passes": failing_stations == 0,
            "timings": {k: round(v, 3) for k, v in result["timings"].items()},
            "elapsed_s": round(time.perf_counter() - started, 3),
        }
        with acting_as(user):
            study.summary = summary
            study.status = StudyStatus.DONE
            study.progress = 100.0
            study.progress_message = "done"
            study.finished_at = timezone.now()
            study.save()
        t_alerts = time.perf_counter()
        study_raise_alerts(study=study)
        study.summary["timings"]["alerts_s"] = round(time.perf_counter() - t_alerts, 3)
        study.summary["elapsed_s"] = round(time.perf_counter() - started, 3)
        with acting_as(user):
            study.save(update_fields=["summary", "updated_at"])
    except StudyCancelled:
        with acting_as(user):
            study.refresh_from_db()
            study.status = StudyStatus.CANCELLED
            study.finished_at = timezone.now()
            study.progress_message = "cancelled"
            study.save()
    except Exception as exc:
        with acting_as(user):
            study.status = StudyStatus.FAILED
            study.error = f"{type(exc).__name__}: {exc}"
            study.finished_at = timezone.now()
            study.save()
        raise
    return study


def _finite(value):
    value = float(value)
    return value if np.isfinite(value) else None


# ---------------------------------------------------------------------------- coverage
def _cell_gain_toward(cells: dict, ci, tx_lon, rx_lon, rx_lat, loss) -> np.ndarray:
    """Each cell's gain toward its receiving point, at the P.452 horizon elevation."""
    return antennas.cell_gain_dbi(
        terrain.initial_bearing_deg(tx_lon, cells["lat"][ci], rx_lon, rx_lat),
        antennas.mrad_to_deg(loss.theta_t_mrad),
        cells["azimuth_deg"][ci],
        cells["mech_tilt_deg"][ci],
        cells["elec_tilt_deg"][ci],
        cells["gain_dbi"][ci],
        cells["beamwidth_deg"][ci],
    )


def coverage_predict(*, threshold_dbm: float, villages=None) -> dict:
    from django.db.models import F

    from xizang5g.network.models import Cell, TerrainTile, Village

    tiles = list(TerrainTile.objects.filter(is_active=True))
    if not tiles:
        from django.core.exceptions import ValidationError

        raise ValidationError("No terrain is registered.")
    dem = engine.dem_from_tiles(tiles)
    villages = list(villages if villages is not None else Village.objects.all())
    rows = list(
        Cell.objects.filter(status=StationStatus.IN_SERVICE)
        .annotate(lon=F("site__lon"), lat=F("site__lat"), ground_m=F("site__ground_m"))
        .values(*CELL_KEYS)
    )
    now = timezone.now()
    if not villages:
        return {"villages": 0, "covered": 0}
    if rows:
        cells = _columns(rows, CELL_KEYS)
        vlon = np.array([v.lon for v in villages])
        vlat = np.array([v.lat for v in villages])
        vi, ci = select_pairs(vlon, vlat, cells["lon"], cells["lat"], C.COVERAGE_RADIUS_KM)
    else:
        vi = ci = np.zeros(0, np.int64)
    best = np.full(len(villages), -np.inf)
    best_cell = np.full(len(villages), -1)
    if vi.size:
        lon_tx = np.where(
            np.abs(cells["lon"][ci] - vlon[vi]) + np.abs(cells["lat"][ci] - vlat[vi]) < 1e-6,
            cells["lon"][ci] + 1e-4,
            cells["lon"][ci],
        )
        loss = engine.path_loss(
            dem=dem,
            tx_lon=lon_tx,
            tx_lat=cells["lat"][ci],
            rx_lon=vlon[vi],
            rx_lat=vlat[vi],
            f_mhz=cells["f_mhz"][ci],
            htg_m=cells["height_m"][ci],
            hrg_m=C.UE_HEIGHT_M,
            p_percent=C.COVERAGE_P_PERCENT,
            spacing_m=C.PROFILE_STEP_KM * 1000.0,
        )
        lb = loss.lb_db
        g = _cell_gain_toward(cells, ci, cells["lon"][ci], vlon[vi], vlat[vi], loss)
        level = levels.rsrp_dbm(
            cells["power_dbm"][ci], cells["bw_mhz"][ci], cells["f_mhz"][ci], g, lb
        )
        np.maximum.at(best, vi, level)
        is_best = level >= best[vi] - 1e-9
        best_cell[vi[is_best]] = cells["id"][ci[is_best]]
    covered = 0
    with transaction.atomic():
        for k, village in enumerate(villages):
            village.best_rx_dbm = float(best[k]) if np.isfinite(best[k]) else None
            village.best_cell_id = int(best_cell[k]) if best_cell[k] >= 0 else None
            village.covered = bool(np.isfinite(best[k]) and best[k] >= threshold_dbm)
            village.coverage_threshold_dbm = threshold_dbm
            village.coverage_at = now
            covered += int(village.covered)
        Village.objects.bulk_update(
            villages,
            ["best_rx_dbm", "best_cell", "covered", "coverage_threshold_dbm", "coverage_at"],
            batch_size=1000,
        )
    return {"villages": len(villages), "covered": covered, "threshold_dbm": threshold_dbm}


def coverage_grid(*, site, half_km: float = 8.0, n: int = 33) -> dict:
    """Best predicted RSRP (dBm) on an n×n grid of ±half_km around a site (heat map data)."""
    from django.db.models import F

    from xizang5g.network.models import Cell, TerrainTile

    dem = engine.dem_from_tiles(TerrainTile.objects.filter(is_active=True))
    east, north = terrain.destination_point(site.lon, site.lat, [90.0, 0.0], half_km)
    dlon, dlat = float(east[0]) - site.lon, float(north[1]) - site.lat
    lons = np.linspace(site.lon - dlon, site.lon + dlon, n)
    lats = np.linspace(site.lat - dlat, site.lat + dlat, n)
    glon, glat = (a.ravel() for a in np.meshgrid(lons, lats))
    rows = list(
        Cell.objects.filter(status=StationStatus.IN_SERVICE)
        .annotate(lon=F("site__lon"), lat=F("site__lat"), ground_m=F("site__ground_m"))
        .values(*CELL_KEYS)
    )
    best = np.full(glon.size, -np.inf)
    if rows:
        cells = _columns(rows, CELL_KEYS)
        gi, ci = select_pairs(glon, glat, cells["lon"], cells["lat"], C.COVERAGE_RADIUS_KM)
        if gi.size:
            lon_tx = np.where(
                np.abs(cells["lon"][ci] - glon[gi]) + np.abs(cells["lat"][ci] - glat[gi]) < 1e-6,
                cells["lon"][ci] + 1e-4,
                cells["lon"][ci],
            )
            loss = engine.path_loss(
                dem=dem,
                tx_lon=lon_tx,
                tx_lat=cells["lat"][ci],
                rx_lon=glon[gi],
                rx_lat=glat[gi],
                f_mhz=cells["f_mhz"][ci],
                htg_m=cells["height_m"][ci],
                hrg_m=C.UE_HEIGHT_M,
                p_percent=C.COVERAGE_P_PERCENT,
                spacing_m=C.PROFILE_STEP_KM * 1000.0,
            )
            g = _cell_gain_toward(cells, ci, lon_tx, glon[gi], glat[gi], loss)
            level = levels.rsrp_dbm(
                cells["power_dbm"][ci], cells["bw_mhz"][ci], cells["f_mhz"][ci], g, loss.lb_db
            )
            np.maximum.at(best, gi, level)
    points = [
        [round(float(x), 5), round(float(y), 5), round(float(v), 1)]
        for x, y, v in zip(glon, glat, best, strict=True)
        if np.isfinite(v)
    ]
    return {
        "site": [site.lon, site.lat, site.code],
        "points": points,
        "threshold_dbm": C.DEFAULT_COVERAGE_DBM,
        "bounds": [lons[0], lats[0], lons[-1], lats[-1]],
    }
