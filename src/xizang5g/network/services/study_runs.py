"""The run of an interference study: snapshot of its inputs onto the row, the pure computation
(`network.studies.compute_from_inputs`) with progress and cancellation, then every pair and
per-station result stored, the summary written and the alerts raised."""

from __future__ import annotations

import time

import numpy as np
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xizang5g.core.audit import acting_as
from xizang5g.core.choices import AlertSeverity, AlertSource
from xizang5g.core.models import Alert
from xizang5g.core.services import alert_raise, alert_resolve
from xizang5g.core.texts import Text, to_field
from xizang5g.network import constants as C
from xizang5g.network import engine
from xizang5g.network.choices import StationStatus, StudyScope, StudyStatus
from xizang5g.network.models import (
    Cell,
    EarthStation,
    InterferenceStudy,
    StudyPair,
    StudyStationResult,
    TerrainTile,
)
from xizang5g.network.services.studies import study_pairs_delete
from xizang5g.network.studies import CELL_KEYS, ES_KEYS, compute_from_inputs


class StudyCancelled(Exception):
    """Raised from the progress callback once someone asked to cancel the study."""


def snapshot_inputs(study) -> dict:
    """Every input of the study as plain data (stored on the row: a study is reproducible)."""
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


def study_execute(*, study_id: int) -> InterferenceStudy:
    """Run a study now, end to end (the background job; small case studies run it inline):
    progress on the row, cancellation between chunks."""
    study = InterferenceStudy.objects.get(pk=study_id)
    if study.status not in (StudyStatus.QUEUED, StudyStatus.RUNNING) or study.cancel_requested:
        return study
    user = study.created_by
    started = time.perf_counter()
    try:
        t_snapshot = _start(study)
        progress = _Progress(study)
        progress(1.0, Text(gettext_noop("inputs stored")))
        result = compute_from_inputs(study.inputs, progress=progress)
        progress(92.0, Text(gettext_noop("storing results")))
        t_store = time.perf_counter()
        _store_results(study, result)
        result["timings"]["storage_s"] = time.perf_counter() - t_store
        result["timings"]["snapshot_s"] = t_snapshot
        with acting_as(user):
            study.summary = _summary(study, result, started)
            study.status = StudyStatus.DONE
            study.progress = 100.0
            study.progress_message = ""  # the status says it
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
            study.progress_message = ""
            study.save()
    except Exception as exc:
        with acting_as(user):
            study.status = StudyStatus.FAILED
            study.error = f"{type(exc).__name__}: {exc}"
            study.finished_at = timezone.now()
            study.save()
        raise
    return study


class _Progress:
    """progress(percent, message) → the study row; raises StudyCancelled once cancel is asked.
    A `Text` message is stored as its source and shown in each reader's language."""

    def __init__(self, study: InterferenceStudy):
        self.study = study

    def __call__(self, percent: float, message: str | Text) -> None:
        study = self.study
        row = InterferenceStudy.objects.filter(pk=study.pk).values("cancel_requested").first()
        if row is None or row["cancel_requested"]:
            raise StudyCancelled()
        study.progress = round(percent, 1)
        study.progress_message = to_field(message, 200)
        with acting_as(study.created_by):
            study.save(update_fields=["progress", "progress_message", "updated_at"])


def _start(study: InterferenceStudy) -> float:
    """Mark the study running with its inputs snapshotted; returns the snapshot's seconds."""
    with acting_as(study.created_by):
        study.status = StudyStatus.RUNNING
        study.started_at = timezone.now()
        study.engine_version = engine.engine_version()
        t0 = time.perf_counter()
        study.inputs = snapshot_inputs(study)
        elapsed = time.perf_counter() - t0
        study.terrain_synthetic = (
            any(t["kind"] == "synthetic" for t in study.inputs["terrain"])
            or not study.inputs["terrain"]
        )
        study.save()
    return elapsed


def _ids(study: InterferenceStudy, key: str) -> np.ndarray:
    return np.asarray(study.inputs[key]["id"], dtype=np.int64)


def _store_results(study: InterferenceStudy, result: dict) -> None:
    """Every pair and per-station result; a re-run replaces those of the run before."""
    es_ids = _ids(study, "earth_stations")
    st = result["station"]
    with transaction.atomic():
        study_pairs_delete(study_id=study.pk)
        study.station_results.all().delete()
        store_pairs(study.pk, es_ids, _ids(study, "cells"), result)
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


def _summary(study: InterferenceStudy, result: dict, started: float) -> dict:
    margins = result["margin_db"]
    worst = result["station"]["worst_margin_db"]
    failing_stations = int(np.count_nonzero(worst < 0))
    finite = np.isfinite(worst)
    return {
        "n_pairs": int(margins.size),
        "n_failing_pairs": int(np.count_nonzero(margins < 0)),
        "n_stations": int(_ids(study, "earth_stations").size),
        "n_failing_stations": failing_stations,
        "n_cells": int(_ids(study, "cells").size),
        "n_profiles": result["n_profiles"],
        "n_p452_paths": result["n_p452_paths"],
        "worst_margin_db": float(np.min(worst[finite])) if finite.any() else None,
        "passes": failing_stations == 0,
        "timings": {k: round(v, 3) for k, v in result["timings"].items()},
        "elapsed_s": round(time.perf_counter() - started, 3),
    }


def _finite(value):
    value = float(value)
    return value if np.isfinite(value) else None


def study_raise_alerts(*, study: InterferenceStudy) -> int:
    """Raise an interference alert per failing earth station; resolve those that now pass."""

    raised = 0
    if study.mitigation:  # what-ifs are hypothetical: no alerts
        return 0
    for result in study.station_results.select_related("earth_station", "earth_station__owner"):
        station = result.earth_station
        key = f"network:interference:es:{station.pk}"
        if not result.passes:
            alert_raise(
                source=AlertSource.INTERFERENCE,
                dedup_key=key,
                title=Text(
                    gettext_noop(
                        "Interference to earth station %(es)s: %(n)s failing cells, "
                        "worst margin %(m).1f dB"
                    ),
                    es=station.name,
                    n=result.n_failing,
                    m=result.worst_margin_db,
                ),
                severity=AlertSeverity.CRITICAL
                if (result.worst_margin_db or 0) < -20
                else AlertSeverity.MAJOR,
                rule="network.study",
                unit=station.owner,
                obj=station,
                details={
                    "study_id": study.pk,
                    "worst_margin_db": result.worst_margin_db,
                    "n_failing": result.n_failing,
                },
            )
            raised += 1
        else:
            live = Alert.objects.filter(dedup_key=key).exclude(state="resolved").first()
            if live is not None:
                alert_resolve(
                    alert=live, note=_("Study %(id)s: all pairs pass.") % {"id": study.pk}
                )
    return raised
