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


def _unit_vectors(lon, lat):
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def select_pairs(es_lon, es_lat, cell_lon, cell_lat, radius_km):
    """All (earth station, cell) index pairs closer than ``radius_km`` (great circle)."""
    from scipy.spatial import cKDTree

    if len(es_lon) == 0 or len(cell_lon) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    chord = 2.0 * np.sin(radius_km / (2.0 * engine.EARTH_RADIUS_KM))
    tree_c = cKDTree(_unit_vectors(cell_lon, cell_lat))
    tree_e = cKDTree(_unit_vectors(es_lon, es_lat))
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


def _unique_losses(*, dem, keys, rx_lon, rx_lat, hrg, p_percent, spacing_m, chunk, progress, span):
    """P.452 once per distinct (tx lon, tx lat, ES index, f, htg) row of ``keys``."""
    if keys.shape[0] == 0:
        empty = np.zeros(0)
        return engine.Loss(empty, empty, empty)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    es = uniq[:, 2].astype(np.int64)
    tx_lon = uniq[:, 0]
    # Coinciding terminals have no profile: nudge the transmitter by about 10 m.
    same = (np.abs(tx_lon - rx_lon[es]) < 1e-6) & (np.abs(uniq[:, 1] - rx_lat[es]) < 1e-6)
    tx_lon = np.where(same, tx_lon + 1e-4, tx_lon)
    n = uniq.shape[0]
    out = engine.Loss(np.empty(n), np.empty(n), np.empty(n))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        part = engine.path_loss(
            dem=dem,
            tx_lon=tx_lon[start:stop],
            tx_lat=uniq[start:stop, 1],
            rx_lon=rx_lon[es[start:stop]],
            rx_lat=rx_lat[es[start:stop]],
            f_mhz=uniq[start:stop, 3],
            htg_m=uniq[start:stop, 4],
            hrg_m=hrg[es[start:stop]],
            p_percent=p_percent,
            spacing_m=spacing_m,
            chunk=chunk,
        )
        out.lb_db[start:stop] = part.lb_db
        out.theta_t_mrad[start:stop] = part.theta_t_mrad
        out.theta_r_mrad[start:stop] = part.theta_r_mrad
        if progress:
            lo, hi = span
            progress(lo + (hi - lo) * stop / n, f"P.452: {stop}/{n} paths")
    return engine.Loss(out.lb_db[inverse], out.theta_t_mrad[inverse], out.theta_r_mrad[inverse])


def _oob_by_combo(cells, stations, ci, ei):
    """Unwanted power (dBm) in each pair's ES carrier; the mask integral runs once per
    distinct (mask, channel, carrier) combination."""
    masks = [tuple(map(tuple, m)) if len(m) else () for m in cells["emission_mask"]]
    catalogue = {m: k for k, m in enumerate(dict.fromkeys(masks))}
    mask_idx = np.array([catalogue[m] for m in masks], dtype=float)
    ch_low = cells["f_mhz"] - cells["bw_mhz"] / 2.0
    ch_high = cells["f_mhz"] + cells["bw_mhz"] / 2.0
    combo = np.column_stack(
        [
            mask_idx[ci],
            ch_low[ci],
            ch_high[ci],
            cells["power_dbm"][ci],
            stations["carrier_low_mhz"][ei],
            stations["carrier_high_mhz"][ei],
        ]
    )
    if combo.shape[0] == 0:
        return np.zeros(0)
    uniq, inverse = np.unique(combo, axis=0, return_inverse=True)
    by_index = list(catalogue)
    values = np.array(
        [
            engine.oob_power_dbm(
                mask_points=by_index[int(row[0])],
                power_dbm=row[3],
                ch_low_mhz=row[1],
                ch_high_mhz=row[2],
                rx_low_mhz=row[4],
                rx_high_mhz=row[5],
            )
            for row in uniq
        ]
    )
    return values[inverse.ravel()]


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
    chunk: int = 20000,
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
    htg = cells["height_m"][ci]
    carrier_mid = 0.5 * (stations["carrier_low_mhz"] + stations["carrier_high_mhz"])
    d_km = engine.terrain.great_circle_distance_km(clon, clat, elon, elat)
    t1 = time.perf_counter()
    # Azimuth and tilt do not change the path loss: P.452 runs once per (place, ES, f, height).
    common = {
        "dem": dem,
        "rx_lon": stations["lon"],
        "rx_lat": stations["lat"],
        "hrg": stations["antenna_height_m"],
        "spacing_m": spacing_m,
        "chunk": chunk,
        "progress": progress,
    }
    loss_in = _unique_losses(
        keys=np.column_stack([clon, clat, ei.astype(float), carrier_mid[ei], htg]),
        p_percent=p_percent,
        span=(5.0, 45.0),
        **common,
    )
    loss_5g = _unique_losses(
        keys=np.column_stack([clon, clat, ei.astype(float), f5g, htg]),
        p_percent=p_blocking_percent,
        span=(45.0, 88.0),
        **common,
    )
    timings["profiles_engine_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    # Antennas pointed along the path, elevations = the P.452 horizon angles (as the engine).
    gt = engine.cell_gain_dbi(
        bearing=engine.bearing_deg(clon, clat, elon, elat),
        elevation=engine.antennas.mrad_to_deg(loss_in.theta_t_mrad),
        azimuth_deg=cells["azimuth_deg"][ci],
        mech_tilt_deg=cells["mech_tilt_deg"][ci],
        elec_tilt_deg=cells["elec_tilt_deg"][ci],
        g0_dbi=cells["gain_dbi"][ci],
        phi3_deg=cells["beamwidth_deg"][ci],
    )
    sat_az, sat_el = engine.antennas.gso_look_angles_deg(
        stations["lon"], stations["lat"], stations["orbital_lon_deg"]
    )
    off = engine.antennas.off_axis_angle_deg(
        sat_az[ei],
        sat_el[ei],
        engine.bearing_deg(elon, elat, clon, clat),
        engine.antennas.mrad_to_deg(loss_in.theta_r_mrad),
    )
    es_common = {
        "off_axis_deg": off,
        "diameter_m": stations["diameter_m"][ei],
        "efficiency": stations["efficiency"][ei],
        "pattern": stations["pattern"][ei],
    }
    gr_in = engine.es_gain_dbi(f_mhz=carrier_mid[ei], **es_common)
    gr_5g = engine.es_gain_dbi(f_mhz=f5g, **es_common)
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
    agg_i = _power_sum_by(ei, b["i_dbm"], m)
    agg_b = _power_sum_by(ei, b["lnb_input_dbm"], m)
    noise = engine.noise_dbm(stations["noise_temp_k"], carrier_bw)
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


def _power_sum_by(index, values_db, size):
    if index.size == 0:
        return np.full(size, -np.inf)
    top = np.full(size, -np.inf)
    np.maximum.at(top, index, values_db)
    lin = np.bincount(index, weights=10.0 ** ((values_db - top[index]) / 10.0), minlength=size)
    with np.errstate(divide="ignore"):
        return np.where(lin > 0, top + 10.0 * np.log10(np.where(lin > 0, lin, 1.0)), -np.inf)


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
        "spacing_m": C.PROFILE_STEP_KM * 1000.0,
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


def store_pairs(study_id: int, es_ids, cell_ids, result: dict) -> int:
    """Write every pair: COPY on PostgreSQL, bulk_create elsewhere (data table, not logged)."""
    from xizang5g.network.models import StudyPair

    n = result["es_index"].size
    if n == 0:
        return 0
    cols = [
        np.full(n, study_id),
        es_ids[result["es_index"]],
        cell_ids[result["cell_index"]],
        *(
            np.round(result[k], 3)
            for k in (
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
            )
        ),
    ]
    passes = result["margin_db"] >= 0
    if connection.vendor == "postgresql":
        numeric = np.column_stack(cols[3:])
        ids = np.column_stack(cols[:3]).astype(np.int64)
        flags = np.where(passes, "t", "f")
        block = 200_000
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(
                f"COPY {StudyPair._meta.db_table} ({', '.join(PAIR_COLUMNS)}) FROM STDIN"
            ) as copy:
                for s in range(0, n, block):
                    e = min(n, s + block)
                    lines = np.char.add(
                        np.char.add(_join_int(ids[s:e]), "\t"),
                        np.char.add(_join_float(numeric[s:e]), np.char.add("\t", flags[s:e])),
                    )
                    copy.write("\n".join(lines.tolist()) + "\n")
        return n
    objs = [
        StudyPair(
            **{
                name: (
                    bool(passes[i])
                    if name == "passes"
                    else (int(cols[k][i]) if k < 3 else float(cols[k][i]))
                )
                for k, name in enumerate(PAIR_COLUMNS)
            }
        )
        for i in range(n)
    ]
    StudyPair.objects.bulk_create(objs, batch_size=2000)
    return n


def _join_int(arr):
    parts = [arr[:, k].astype(str) for k in range(arr.shape[1])]
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, "\t"), p)
    return out


def _join_float(arr):
    parts = [np.char.mod("%.3f", arr[:, k]) for k in range(arr.shape[1])]
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, "\t"), p)
    return out


def run_study(study_id: int):
    """Run a study end to end; progress on the row, cancellation between chunks."""
    from xizang5g.core.audit import acting_as
    from xizang5g.network.models import InterferenceStudy, StudyStationResult
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
            study.inputs = snapshot_inputs(study)
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
            study.pairs.all().delete()
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
        margins = result["margin_db"]
        failing_stations = int(np.count_nonzero(st["worst_margin_db"] < 0))
        summary = {
            "n_pairs": int(margins.size),
            "n_failing_pairs": int(np.count_nonzero(margins < 0)),
            "n_stations": int(es_ids.size),
            "n_failing_stations": failing_stations,
            "n_cells": int(cell_ids.size),
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
        study_raise_alerts(study=study)
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
def rsrp_dbm(power_dbm, bw_mhz, f_mhz, gain_dbi, lb_db):
    """SS-RSRP (dBm): power per resource element (3GPP TS 38.215) = P - 10 log(12 N_RB) + G - Lb."""
    scs_khz = np.where(np.asarray(f_mhz) < 1000.0, 15.0, 30.0)
    n_rb = np.floor(np.asarray(bw_mhz) * 1000.0 * 0.95 / (12.0 * scs_khz))
    return power_dbm - 10.0 * np.log10(12.0 * n_rb) + gain_dbi - lb_db


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
        g = engine.cell_gain_dbi(
            bearing=engine.bearing_deg(cells["lon"][ci], cells["lat"][ci], vlon[vi], vlat[vi]),
            elevation=engine.antennas.mrad_to_deg(loss.theta_t_mrad),
            azimuth_deg=cells["azimuth_deg"][ci],
            mech_tilt_deg=cells["mech_tilt_deg"][ci],
            elec_tilt_deg=cells["elec_tilt_deg"][ci],
            g0_dbi=cells["gain_dbi"][ci],
            phi3_deg=cells["beamwidth_deg"][ci],
        )
        level = rsrp_dbm(cells["power_dbm"][ci], cells["bw_mhz"][ci], cells["f_mhz"][ci], g, lb)
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
    dlat = half_km / 111.32
    dlon = dlat / np.cos(np.radians(site.lat))
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
            g = engine.cell_gain_dbi(
                bearing=engine.bearing_deg(lon_tx, cells["lat"][ci], glon[gi], glat[gi]),
                elevation=engine.antennas.mrad_to_deg(loss.theta_t_mrad),
                azimuth_deg=cells["azimuth_deg"][ci],
                mech_tilt_deg=cells["mech_tilt_deg"][ci],
                elec_tilt_deg=cells["elec_tilt_deg"][ci],
                g0_dbi=cells["gain_dbi"][ci],
                phi3_deg=cells["beamwidth_deg"][ci],
            )
            level = rsrp_dbm(
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
