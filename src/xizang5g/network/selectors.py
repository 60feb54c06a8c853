"""Reads of the 5G supervision app, always restricted by the access rule (`core.access`).

Regulators, the plan office and viewers see the whole registry. A unit editor sees its own
unit's sites, cells and reports, every earth station (needed to coordinate), and the cases it
is a party to (as operator or as earth-station owner). Studies are the regulator's tool:
unit editors see their results through their cases.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from xizang5g.core import access, summaries
from xizang5g.core.choices import DivisionLevel, UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.network import constants as C
from xizang5g.network import engine, studies
from xizang5g.network.choices import StationStatus
from xizang5g.network.models import (
    CaseDocument,
    Cell,
    CoordinationCase,
    EarthStation,
    EmfAssessment,
    EmfMeasurement,
    InterferenceStudy,
    OperatorMonthlyReport,
    Site,
    StudyPair,
    StudyStationResult,
    TerrainTile,
    Village,
)


def sees_everything(user) -> bool:
    """Whether the user reads the whole registry (region-wide titles and menus)."""
    return access.sees_all(user, Site)


def _require_login(user) -> None:
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in first."))


def operator_list(*, user) -> QuerySet[Unit]:
    _require_login(user)
    qs = Unit.objects.filter(kind=UnitKind.OPERATOR, is_active=True)
    return qs if sees_everything(user) else qs.filter(pk=user.unit_id)


def operator_choices(*, user) -> QuerySet[Unit]:
    """Operators the user may register stations or reports for."""
    qs = Unit.objects.filter(kind=UnitKind.OPERATOR, is_active=True)
    if access.sees_all(user, Site, access.CHANGE):
        return qs
    return qs.filter(pk=user.unit_id) if access.role_may(user, access.CHANGE, Site) else qs.none()


# ------------------------------------------------------------------------------ registry
def site_list(*, user, filters: dict | None = None) -> QuerySet[Site]:
    _require_login(user)
    qs = (
        Site.objects.restrict(user)
        .select_related("operator", "division", "division__parent")
        .annotate(n_cells=Count("cells"))
    )
    filters = filters or {}
    if filters.get("operator"):
        qs = qs.filter(operator__code=filters["operator"])
    if filters.get("band"):
        qs = qs.filter(cells__band=filters["band"]).distinct()
    if filters.get("division"):
        qs = qs.filter(
            Q(division__adcode=filters["division"])
            | Q(division__parent__adcode=filters["division"])
        )
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("q"):
        qs = qs.filter(Q(code__icontains=filters["q"]) | Q(name__icontains=filters["q"]))
    return qs.order_by("code")


def cell_list(*, user, filters: dict | None = None) -> QuerySet[Cell]:
    _require_login(user)
    qs = Cell.objects.restrict(user).select_related("site", "operator", "site__division")
    filters = filters or {}
    for key, lookup in (
        ("operator", "operator__code"),
        ("band", "band"),
        ("site", "site_id"),
        ("status", "status"),
    ):
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    if filters.get("division"):
        qs = qs.filter(
            Q(site__division__adcode=filters["division"])
            | Q(site__division__parent__adcode=filters["division"])
        )
    return qs.order_by("code")


def site_get(*, user, pk: int, action: str = access.VIEW) -> Site:
    return access.get_or_404(site_list(user=user), user, action, pk=pk)


def cell_get(*, user, pk: int, action: str = access.VIEW) -> Cell:
    return access.get_or_404(cell_list(user=user), user, action, pk=pk)


def earth_station_get(*, user, pk: int, action: str = access.VIEW) -> EarthStation:
    return access.get_or_404(earth_station_list(user=user), user, action, pk=pk)


def earth_station_list(*, user, filters: dict | None = None) -> QuerySet[EarthStation]:
    _require_login(user)
    qs = EarthStation.objects.restrict(user).select_related("owner", "division", "division__parent")
    filters = filters or {}
    if filters.get("owner"):
        qs = qs.filter(owner__code=filters["owner"])
    if filters.get("division"):
        qs = qs.filter(
            Q(division__adcode=filters["division"])
            | Q(division__parent__adcode=filters["division"])
        )
    if filters.get("purpose"):
        qs = qs.filter(purpose=filters["purpose"])
    if filters.get("q"):
        qs = qs.filter(Q(code__icontains=filters["q"]) | Q(name__icontains=filters["q"]))
    return qs.order_by("code")


def station_map_points(*, user) -> dict:
    """Sites (per operator and band) and earth stations as ECharts scatter series data."""
    series: dict[str, list] = defaultdict(list)
    band_by_site: dict[int, set] = defaultdict(set)
    for site_id, band in cell_list(user=user).values_list("site_id", "band"):
        band_by_site[site_id].add(band)
    sites = site_list(user=user).values(
        "pk", "code", "lon", "lat", "operator__short_name", "operator__name"
    )
    for site in sites:
        bands = "/".join(sorted(band_by_site.get(site["pk"], ()))) or "-"
        name = site["operator__short_name"] or site["operator__name"]
        series[name].append(
            [round(site["lon"], 5), round(site["lat"], 5), site["code"], bands, site["pk"]]
        )
    stations = [
        [round(es["lon"], 5), round(es["lat"], 5), es["code"], es["name"], es["pk"]]
        for es in earth_station_list(user=user).values("pk", "code", "name", "lon", "lat")
    ]
    return {"operators": dict(series), "earth_stations": stations}


def registry_counts(*, user) -> dict:
    """The registry's size in the user's scope (every 5G supervision page shows it), computed
    once per scope and change of the data."""
    return summaries.cached(
        "network.registry_counts", (access.scope_key(user),), lambda: _registry_counts(user)
    )


def _registry_counts(user) -> dict:
    cells = cell_list(user=user)
    by_operator_band: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        cells.order_by()
        .values("operator__short_name", "operator__name", "band")
        .annotate(n=Count("pk"))
    ):
        name = row["operator__short_name"] or row["operator__name"]
        by_operator_band[name][row["band"]] = row["n"]
    return {
        "sites": site_list(user=user).count(),
        "cells": cells.count(),
        "earth_stations": earth_station_list(user=user).count(),
        "by_operator_band": dict(by_operator_band),
        "synthetic": site_list(user=user).filter(is_synthetic=True).exists()
        or earth_station_list(user=user).filter(is_synthetic=True).exists()
        or TerrainTile.objects.filter(kind="synthetic", is_active=True).exists(),
    }


# ------------------------------------------------------------------------------ studies
def study_list(*, user) -> QuerySet[InterferenceStudy]:
    _require_login(user)
    if not access.role_may(user, access.VIEW, InterferenceStudy):
        raise PermissionDenied(_("Interference studies are the radio regulator's; see your cases."))
    return InterferenceStudy.objects.restrict(user).select_related(
        "division", "created_by", "parent"
    )


def study_get(*, user, pk: int, action: str = access.VIEW) -> InterferenceStudy:
    """A study: 404 for roles that read no study (like any other hidden object)."""
    return access.get_or_404(
        InterferenceStudy.objects.select_related("division", "created_by", "parent"),
        user,
        action,
        pk=pk,
    )


def study_station_results(*, study) -> QuerySet[StudyStationResult]:
    return study.station_results.select_related(
        "earth_station", "earth_station__owner", "earth_station__division"
    ).order_by(F("worst_margin_db").asc(nulls_last=True), "earth_station__code")


def study_pairs(
    *, study, failing_only: bool = False, earth_station=None, cells=None
) -> QuerySet[StudyPair]:
    qs = study.pairs.select_related("earth_station", "cell", "cell__site", "cell__operator")
    if failing_only:
        qs = qs.filter(passes=False)
    if earth_station is not None:
        qs = qs.filter(earth_station=earth_station)
    if cells is not None:
        qs = qs.filter(cell__in=cells)
    return qs.order_by("margin_db")


def study_map_data(*, study, limit: int = 3000) -> dict:
    """Earth stations, offending cells and the lines between them coloured by margin."""
    pairs = list(
        study.pairs.filter(passes=False)
        .order_by("margin_db")
        .values_list(
            "earth_station_id", "cell__site__lon", "cell__site__lat", "cell__code", "margin_db"
        )[:limit]
    )
    stations = {
        r.earth_station_id: r for r in study.station_results.select_related("earth_station")
    }
    lines = []
    for es_id, lon, lat, code, margin in pairs:
        es = stations[es_id].earth_station
        lines.append(
            {
                "coords": [[es.lon, es.lat], [lon, lat]],
                "value": round(margin, 1),
                "name": f"{es.code} ← {code}",
            }
        )
    return {
        "stations": [
            [
                r.earth_station.lon,
                r.earth_station.lat,
                r.earth_station.code,
                r.worst_margin_db,
                r.passes,
            ]
            for r in stations.values()
        ],
        "lines": lines,
        "truncated": len(pairs) >= limit,
    }


# ------------------------------------------------------------------------------ cases
def case_list(*, user, filters: dict | None = None) -> QuerySet[CoordinationCase]:
    _require_login(user)
    qs = CoordinationCase.objects.restrict(user).select_related(
        "operator", "earth_station", "earth_station__owner"
    )
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("operator"):
        qs = qs.filter(operator__code=filters["operator"])
    return qs


def case_get(*, user, pk: int, action: str = access.VIEW) -> CoordinationCase:
    return access.get_or_404(case_list(user=user), user, action, pk=pk)


def case_document_get(*, user, pk: int) -> CaseDocument:
    return access.get_or_404(CaseDocument.objects.select_related("case"), user, pk=pk)


# ------------------------------------------------------------------------------ EMF
def emf_latest_assessments(*, user) -> list[EmfAssessment]:
    sites = site_list(user=user).values("pk")
    latest = {}
    for a in (
        EmfAssessment.objects.filter(site__in=sites)
        .select_related("site", "site__operator")
        .order_by("site_id", "-computed_at", "-id")
    ):
        latest.setdefault(a.site_id, a)
    return sorted(latest.values(), key=lambda a: -a.max_public_ratio)


def emf_measurement_list(*, user) -> QuerySet[EmfMeasurement]:
    _require_login(user)
    return EmfMeasurement.objects.restrict(user).select_related("site")


# ------------------------------------------------------------------------------ coverage KPIs
def coverage_kpis(*, user, level: str = DivisionLevel.COUNTY) -> list[dict]:
    """Per county or prefecture: villages covered by 5G, base stations per 10,000 people."""
    _require_login(user)
    divisions = {d.pk: d for d in AdminDivision.objects.filter(level=level)}
    key = "county_id" if level == DivisionLevel.COUNTY else "county__parent_id"
    rows: dict[int, dict] = {
        pk: {"division": d, "villages": 0, "covered": 0, "population": 0, "sites": 0}
        for pk, d in divisions.items()
    }
    for row in (
        Village.objects.filter(kind="village")
        .values(key)
        .annotate(n=Count("pk"), covered=Count("pk", filter=Q(covered=True)))
    ):
        if row[key] in rows:
            rows[row[key]]["villages"] = row["n"]
            rows[row[key]]["covered"] = row["covered"]
    for row in Village.objects.values(key).annotate(p=Sum("population")):
        if row[key] in rows:
            rows[row[key]]["population"] = row["p"] or 0
    site_key = "division_id" if level == DivisionLevel.COUNTY else "division__parent_id"
    for row in (
        Site.objects.filter(cells__isnull=False)
        .exclude(status="decommissioned")
        .values(site_key)
        .annotate(n=Count("pk", distinct=True))
    ):
        if row[site_key] in rows:
            rows[row[site_key]]["sites"] = row["n"]
    out = []
    for data in rows.values():
        data["share"] = data["covered"] / data["villages"] if data["villages"] else None
        data["per_10k"] = data["sites"] / data["population"] * 10000 if data["population"] else None
        out.append(data)
    return sorted(out, key=lambda r: r["division"].adcode)


def monthly_reports(*, user, filters: dict | None = None) -> QuerySet[OperatorMonthlyReport]:
    _require_login(user)
    qs = OperatorMonthlyReport.objects.restrict(user).select_related("operator", "prefecture")
    filters = filters or {}
    if filters.get("operator"):
        qs = qs.filter(operator__code=filters["operator"])
    if filters.get("prefecture"):
        qs = qs.filter(prefecture__adcode=filters["prefecture"])
    return qs


def monthly_trend(*, user) -> dict:
    """Region totals per month and operator (for the trend charts and the plan dashboard)."""
    data = (
        monthly_reports(user=user)
        .values("month", "operator__short_name", "operator__name")
        .annotate(
            stations=Sum("base_stations_5g"),
            users=Sum("users_5g"),
            terminals=Sum("terminal_users_5g"),
        )
        .order_by("month")
    )
    months = sorted({r["month"] for r in data})
    series: dict[str, dict[str, list]] = defaultdict(
        lambda: {
            "stations": [0] * len(months),
            "users": [0] * len(months),
            "terminals": [0] * len(months),
        }
    )
    index = {m: i for i, m in enumerate(months)}
    for r in data:
        name = r["operator__short_name"] or r["operator__name"]
        for k in ("stations", "users", "terminals"):
            series[name][k][index[r["month"]]] = r[k] or 0
    return {"months": [m.strftime("%Y-%m") for m in months], "series": dict(series)}


def new_consumption_indicators(*, as_of=None) -> dict:
    """Latest region totals of the operators' monthly reports, for the plan dashboard's
    "new consumption" indicators: 5G base stations, 5G users, 5G terminal users and the
    traffic-weighted 5G share. Public aggregate figures: no user scope."""
    qs = OperatorMonthlyReport.objects.all()
    if as_of is not None:
        qs = qs.filter(month__lte=as_of)
    latest = qs.aggregate(m=Max("month"))["m"]
    if latest is None:
        return {}
    month = qs.filter(month=latest)
    totals = month.aggregate(
        stations=Sum("base_stations_5g"), users=Sum("users_5g"), terminals=Sum("terminal_users_5g")
    )
    shares = list(month.values_list("traffic_share_pct", "users_5g"))
    weight = sum(u for _s, u in shares)
    share = sum(s * u for s, u in shares) / weight if weight else None
    return {"month": latest, **totals, "traffic_share_pct": share}


def in_service_cell_columns() -> dict:
    """Every in-service cell as the column arrays of `network.studies`. No user scope: a
    predicted signal counts whichever operator's cell gives it."""
    rows = (
        Cell.objects.filter(status=StationStatus.IN_SERVICE)
        .annotate(lon=F("site__lon"), lat=F("site__lat"), ground_m=F("site__ground_m"))
        .values(*studies.CELL_KEYS)
    )
    return studies.columns_from_rows(list(rows), studies.CELL_KEYS)


def coverage_grid(*, site: Site, half_km: float = 8.0, n: int = 33) -> dict:
    """Best predicted RSRP (dBm) on an n×n grid of ±half_km around a site (heat map data), from
    every in-service cell within reach; no points while no terrain is registered."""
    glon, glat, lons, lats = studies.grid_around(site.lon, site.lat, half_km=half_km, n=n)
    tiles = list(TerrainTile.objects.filter(is_active=True))
    best = np.full(glon.size, -np.inf)
    if tiles:
        best, _cells = studies.best_levels(
            cells=in_service_cell_columns(),
            dem=engine.dem_from_tiles(tiles),
            rx_lon=glon,
            rx_lat=glat,
        )
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
