"""Interference studies and coverage predictions: selection, profiles, engine, margins, storage.

`compute_pairs` is pure NumPy over column arrays (also used by the benchmark); `run_study`
wraps it with the database: snapshot of the inputs, progress, cancellation, storage, alerts.
"""

from __future__ import annotations

import io
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
    "downtilt_deg",
    "beamwidth_deg",
    "aclr_db",
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
    "rx_low_mhz",
    "rx_high_mhz",
    "noise_temp_k",
    "lnb_p1db_dbm",
    "filter_rejection_db",
    "i_n_criterion_db",
)


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


def apply_mitigation(cells: dict, stations: dict, mitigation: dict | None) -> tuple[dict, dict]:
    """Copies of the column arrays with a what-if mitigation applied."""
    cells = {k: np.array(v, copy=True) for k, v in cells.items()}
    stations = {k: np.array(v, copy=True) for k, v in stations.items()}
    if not mitigation:
        return cells, stations
    kind = mitigation["kind"]
    if kind == MitigationKind.LNB_FILTER:
        ids = mitigation.get("earth_station_ids")
        mask = np.isin(stations["id"], ids) if ids else np.ones(stations["id"].size, bool)
        stations["filter_rejection_db"][mask] += float(mitigation["rejection_db"])
        return cells, stations
    ids = mitigation.get("cell_ids")
    mask = np.isin(cells["id"], ids) if ids else np.ones(cells["id"].size, bool)
    if kind == MitigationKind.POWER_REDUCTION:
        cells["power_dbm"][mask] -= float(mitigation["reduction_db"])
    elif kind == MitigationKind.AZIMUTH_TILT:
        if mitigation.get("azimuth_deg") not in (None, ""):
            cells["azimuth_deg"][mask] = float(mitigation["azimuth_deg"]) % 360.0
        if mitigation.get("downtilt_deg") not in (None, ""):
            cells["downtilt_deg"][mask] = float(mitigation["downtilt_deg"])
    elif kind == MitigationKind.SITE_MOVE:
        cells["lon"][mask] = float(mitigation["lon"])
        cells["lat"][mask] = float(mitigation["lat"])
        cells["ground_m"][mask] = np.nan  # re-sampled from the DEM at the new place
    return cells, stations


def compute_pairs(
    *,
    cells: dict,
    stations: dict,
    dem,
    coordination_km: float,
    p_percent: float,
    spacing_m: float = C.PROFILE_STEP_KM * 1000.0,
    mitigation: dict | None = None,
    progress: Callable[[float, str], None] | None = None,
    chunk: int = 20000,
) -> dict:
    """Selection, profiles, P.452, gains and margins for every pair within ``coordination_km``.

    ``cells`` and ``stations`` are dicts of column arrays (CELL_KEYS / ES_KEYS). Returns a dict
    of per-pair arrays plus per-station aggregates and stage timings.
    """
    timings = {}
    t0 = time.perf_counter()
    cells, stations = apply_mitigation(cells, stations, mitigation)
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
    f = cells["f_mhz"][ci]
    htg = cells["height_m"][ci]
    hrg = stations["antenna_height_m"][ei]
    d_km = engine.terrain.great_circle_distance_km(clon, clat, elon, elat)
    # Azimuth and tilt do not change the path loss: one P.452 run per (place, ES, f, height).
    key = np.column_stack([clon, clat, ei.astype(float), f, htg])
    t1 = time.perf_counter()
    if n:
        uniq, inverse = np.unique(key, axis=0, return_inverse=True)
        inverse = inverse.ravel()
    else:
        uniq, inverse = np.zeros((0, 5)), np.zeros(0, np.int64)
    lb_u = np.empty(uniq.shape[0])
    u_es = uniq[:, 2].astype(np.int64)
    # Coinciding terminals would have no profile; nudge by 10 m (documented in docs/network.md).
    u_lon = uniq[:, 0]
    same = (np.abs(u_lon - stations["lon"][u_es]) < 1e-6) & (
        np.abs(uniq[:, 1] - stations["lat"][u_es]) < 1e-6
    )
    u_lon = np.where(same, u_lon + 1e-4, u_lon)
    for start in range(0, uniq.shape[0], chunk):
        stop = min(uniq.shape[0], start + chunk)
        lb_u[start:stop] = engine.path_loss(
            dem=dem,
            tx_lon=u_lon[start:stop],
            tx_lat=uniq[start:stop, 1],
            rx_lon=stations["lon"][u_es[start:stop]],
            rx_lat=stations["lat"][u_es[start:stop]],
            f_mhz=uniq[start:stop, 3],
            htg_m=uniq[start:stop, 4],
            hrg_m=stations["antenna_height_m"][u_es[start:stop]],
            p_percent=p_percent,
            spacing_m=spacing_m,
            chunk=chunk,
        )
        if progress:
            progress(
                5.0 + 85.0 * stop / max(uniq.shape[0], 1), f"P.452: {stop}/{uniq.shape[0]} paths"
            )
    lb = lb_u[inverse] if n else np.zeros(0)
    timings["profiles_engine_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    # Gains: the cell toward the earth station and the earth station toward the cell.
    h_cell = cells["ground_m"][ci] + htg
    h_es = stations["ground_m"][ei] + hrg
    brg_c = engine.bearing_deg(clon, clat, elon, elat)
    el_c = engine.elevation_deg(d_km, h_cell, h_es)
    gt = engine.cell_gain_dbi(
        cells["gain_dbi"][ci],
        engine.wrap180(brg_c - cells["azimuth_deg"][ci]),
        el_c + cells["downtilt_deg"][ci],
        beamwidth_deg=cells["beamwidth_deg"][ci],
    )
    es_az, es_el = engine.geo_pointing(
        stations["lon"], stations["lat"], stations["orbital_lon_deg"]
    )
    brg_e = engine.bearing_deg(elon, elat, clon, clat)
    el_e = engine.elevation_deg(d_km, h_es, h_cell)
    off = engine.off_axis_deg(es_az[ei], es_el[ei], brg_e, el_e)
    rx_mid = 0.5 * (stations["rx_low_mhz"] + stations["rx_high_mhz"])
    gr = engine.es_gain_dbi(
        stations["diameter_m"][ei],
        rx_mid[ei],
        off,
        stations["efficiency"][ei],
        stations["pattern"][ei],
    )
    gr_block = engine.es_gain_dbi(
        stations["diameter_m"][ei], f, off, stations["efficiency"][ei], stations["pattern"][ei]
    )
    aclr = np.where(np.isfinite(cells["aclr_db"][ci]), cells["aclr_db"][ci], C.DEFAULT_ACLR_DB)
    common = {
        "lb_db": lb,
        "power_dbm": cells["power_dbm"][ci],
        "bw_mhz": cells["bw_mhz"][ci],
        "f_mhz": f,
        "aclr_db": aclr,
        "noise_temp_k": stations["noise_temp_k"][ei],
        "i_n_db": stations["i_n_criterion_db"][ei],
        "rx_low_mhz": stations["rx_low_mhz"][ei],
        "rx_high_mhz": stations["rx_high_mhz"][ei],
        "lnb_p1db_dbm": stations["lnb_p1db_dbm"][ei],
        "filter_rejection_db": stations["filter_rejection_db"][ei],
    }
    inband = engine.budget(gt_dbi=gt, gr_dbi=gr, **common)
    block = engine.budget(gt_dbi=gt, gr_dbi=gr_block, **common)
    margin = np.minimum(inband.inband_margin_db, block.blocking_margin_db)
    # Aggregates per earth station (power sums over all its cells).
    m = stations["id"].size
    agg_i = _power_sum_by(ei, inband.i_inband_dbm, m)
    agg_b = _power_sum_by(ei, block.blocking_dbm, m)
    noise = engine.noise_psd_dbm_mhz(stations["noise_temp_k"])
    agg_in_margin = stations["i_n_criterion_db"] - (agg_i - noise)
    agg_bl_margin = (stations["lnb_p1db_dbm"] - C.BLOCKING_BACKOFF_DB) - agg_b
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
        "lb_db": lb,
        "gt_dbi": gt,
        "gr_dbi": gr,
        "i_inband_dbm": inband.i_inband_dbm,
        "inband_margin_db": inband.inband_margin_db,
        "blocking_dbm": block.blocking_dbm,
        "blocking_margin_db": block.blocking_margin_db,
        "margin_db": margin,
        "n_unique_paths": int(uniq.shape[0]),
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
        .annotate(
            lon=F("site__lon"),
            lat=F("site__lat"),
            ground_m=F("site__ground_m"),
            downtilt_deg=F("mech_tilt_deg") + F("elec_tilt_deg"),
        )
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
        elif key in ("id", "site_id", "operator_id"):
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
    "gt_dbi",
    "gr_dbi",
    "i_inband_dbm",
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
                "gt_dbi",
                "gr_dbi",
                "i_inband_dbm",
                "inband_margin_db",
                "blocking_dbm",
                "blocking_margin_db",
                "margin_db",
            )
        ),
    ]
    passes = result["margin_db"] >= 0
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
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
                    buffer.seek(0)
                    buffer.truncate()
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
            "n_unique_paths": result["n_unique_paths"],
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
        .annotate(
            lon=F("site__lon"),
            lat=F("site__lat"),
            ground_m=F("site__ground_m"),
            downtilt_deg=F("mech_tilt_deg") + F("elec_tilt_deg"),
        )
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
        ground = np.where(
            np.isfinite(cells["ground_m"]),
            cells["ground_m"],
            dem.sample(cells["lon"], cells["lat"]),
        )
        lon_tx = np.where(
            np.abs(cells["lon"][ci] - vlon[vi]) + np.abs(cells["lat"][ci] - vlat[vi]) < 1e-6,
            cells["lon"][ci] + 1e-4,
            cells["lon"][ci],
        )
        lb = engine.path_loss(
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
        d = engine.terrain.great_circle_distance_km(
            cells["lon"][ci], cells["lat"][ci], vlon[vi], vlat[vi]
        )
        brg = engine.bearing_deg(cells["lon"][ci], cells["lat"][ci], vlon[vi], vlat[vi])
        h_v = dem.sample(vlon[vi], vlat[vi]) + C.UE_HEIGHT_M
        el = engine.elevation_deg(d, ground[ci] + cells["height_m"][ci], h_v)
        g = engine.cell_gain_dbi(
            cells["gain_dbi"][ci],
            engine.wrap180(brg - cells["azimuth_deg"][ci]),
            el + cells["downtilt_deg"][ci],
            beamwidth_deg=cells["beamwidth_deg"][ci],
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
