"""Village coverage: the village register and the stored coverage predictions."""

from __future__ import annotations

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision
from xizang5g.network import constants as C
from xizang5g.network import engine, selectors, studies
from xizang5g.network.choices import VillageKind
from xizang5g.network.models import TerrainTile, Village
from xizang5g.network.services.imports import (
    ImportResult,
    RowError,
    checks_passed,
    noop_progress,
    parse_number,
    parse_rows,
    parse_text,
    read_table,
    rows_to_check,
)
from xizang5g.network.services.permissions import require_regulator

VILLAGE_COLUMNS = [
    ("adcode", "adcode 区划代码(12位)", True, parse_text),
    ("name", "name 名称", True, parse_text),
    ("kind", "kind 类型(village/township)", False, parse_text),
    ("lon", "lon 经度", True, parse_number),
    ("lat", "lat 纬度", True, parse_number),
    ("population", "population 人口", True, parse_number),
]


def villages_import(*, user, content: bytes, filename: str, progress=noop_progress) -> ImportResult:
    require_regulator(user)
    rows = read_table(content=content, filename=filename)
    parsed, errors = parse_rows(rows, VILLAGE_COLUMNS)
    counties = {d.adcode: d for d in AdminDivision.objects.filter(level=DivisionLevel.COUNTY)}
    plans = []
    for number, values in rows_to_check(parsed, errors, progress):
        code = values["adcode"].split(".")[0]
        if not (code.isdigit() and len(code) in (9, 12)):
            errors.append(
                RowError(number, "adcode", _("a village code has 12 digits (a township 9)"))
            )
            continue
        county = counties.get(int(code[:6]))
        if county is None:
            errors.append(
                RowError(number, "adcode", _("no Xizang county with code %(c)s") % {"c": code[:6]})
            )
            continue
        kind = values.get("kind") or (
            VillageKind.ADMIN_VILLAGE if len(code) == 12 else VillageKind.TOWNSHIP
        )
        if kind not in VillageKind.values:
            errors.append(RowError(number, "kind", _("must be village or township")))
            continue
        if values["population"] < 0:
            errors.append(RowError(number, "population", _("must be ≥ 0")))
            continue
        plans.append(
            {
                "adcode": code,
                "name": values["name"],
                "kind": kind,
                "county": county,
                "lon": values["lon"],
                "lat": values["lat"],
                "population": int(values["population"]),
            }
        )
    checks_passed(parsed, errors, progress)
    result = ImportResult(rows=len(plans))
    with transaction.atomic():
        for data in plans:
            _obj, created = Village.objects.update_or_create(
                adcode=data.pop("adcode"), defaults=data
            )
            result.created += int(created)
            result.updated += int(not created)
    return result


def coverage_compute(
    *, user=None, threshold_dbm: float = C.DEFAULT_COVERAGE_DBM, villages=None
) -> dict:
    """Predict the best 5G signal at each village from cells within 15 km (P.452 at 50 %) and
    store it on the villages (the regulator's action, or a job when `user` is None)."""
    if user is not None:
        require_regulator(user)
    tiles = list(TerrainTile.objects.filter(is_active=True))
    if not tiles:
        raise ValidationError(
            _("No terrain is registered: register a DEM tile (or run network_demo) first.")
        )
    dem = engine.dem_from_tiles(tiles)
    villages = list(villages if villages is not None else Village.objects.all())
    if not villages:
        return {"villages": 0, "covered": 0}
    best, best_cell = studies.best_levels(
        cells=selectors.in_service_cell_columns(),
        dem=dem,
        rx_lon=[v.lon for v in villages],
        rx_lat=[v.lat for v in villages],
    )
    covered = _coverage_store(villages, best, best_cell, threshold_dbm)
    return {"villages": len(villages), "covered": covered, "threshold_dbm": threshold_dbm}


def _coverage_store(villages: list[Village], best, best_cell, threshold_dbm: float) -> int:
    """Write each village's best level, cell and verdict; returns how many are covered."""
    now = timezone.now()
    covered = 0
    for k, village in enumerate(villages):
        village.best_rx_dbm = float(best[k]) if np.isfinite(best[k]) else None
        village.best_cell_id = int(best_cell[k]) if best_cell[k] >= 0 else None
        village.covered = bool(np.isfinite(best[k]) and best[k] >= threshold_dbm)
        village.coverage_threshold_dbm = threshold_dbm
        village.coverage_at = now
        covered += int(village.covered)
    with transaction.atomic():
        Village.objects.bulk_update(
            villages,
            ["best_rx_dbm", "best_cell", "covered", "coverage_threshold_dbm", "coverage_at"],
            batch_size=1000,
        )
    return covered
