"""5G supervision API (/api/v1/network/): stations, studies (start, progress, results), cases,
EMF and KPIs. Reads through `network.selectors`, writes through `network.services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from xizang5g.core import access, limits
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision
from xizang5g.network import constants as C
from xizang5g.network import selectors, services
from xizang5g.network.choices import CaseState, StudyScope
from xizang5g.network.models import Cell

router = Router(tags=["network"])
MAX_PAGE = 1000


# ==== schemas =====================================================================================
class SiteOut(Schema):
    id: int
    code: str
    name: str
    operator: str = Field(..., alias="operator.code")
    lon: float
    lat: float
    ground_m: float | None
    county_adcode: int | None = Field(None, alias="division.adcode")
    status: str
    is_synthetic: bool


class CellOut(Schema):
    id: int
    code: str
    site_id: int
    operator: str = Field(..., alias="operator.code")
    band: str
    f_mhz: float
    bw_mhz: float
    power_dbm: float
    gain_dbi: float
    eirp_dbm: float
    height_m: float
    azimuth_deg: float
    mech_tilt_deg: float
    elec_tilt_deg: float
    beamwidth_deg: float
    pattern: str
    emission_mask: list
    status: str


class CellIn(Schema):
    site_id: limits.DbId
    code: str
    band: str
    f_mhz: float
    bw_mhz: float
    power_dbm: float
    height_m: float
    azimuth_deg: float
    gain_dbi: float = 17.0
    mech_tilt_deg: float = 0.0
    elec_tilt_deg: float = 0.0
    beamwidth_deg: float = 65.0


class CellPatch(Schema):
    power_dbm: float | None = None
    gain_dbi: float | None = None
    height_m: float | None = None
    azimuth_deg: float | None = None
    mech_tilt_deg: float | None = None
    elec_tilt_deg: float | None = None
    status: str | None = None


class EarthStationOut(Schema):
    id: int
    code: str
    name: str
    owner: str = Field(..., alias="owner.code")
    purpose: str
    lon: float
    lat: float
    diameter_m: float
    pattern: str
    satellite: str
    orbital_lon_deg: float
    carrier_low_mhz: float
    carrier_high_mhz: float
    noise_temp_k: float
    lnb_p1db_dbm: float
    filter_rejection_db: float
    i_n_criterion_db: float
    is_synthetic: bool


class StudyIn(Schema):
    name: str
    scope: StudyScope = StudyScope.ALL
    earth_station_ids: list[limits.DbId] = []
    county_adcode: limits.Int64 | None = None
    coordination_km: float = C.DEFAULT_COORDINATION_KM
    p_percent: float = C.P_PERCENT_LONG_TERM
    mitigation: dict | None = None


class StudyOut(Schema):
    id: int
    name: str
    scope: str
    status: str
    progress: float
    progress_message: str
    coordination_km: float
    p_percent: float
    p_blocking_percent: float
    mitigation: dict
    engine_version: str
    terrain_synthetic: bool
    summary: dict
    error: str
    created_at: datetime
    finished_at: datetime | None


class StationResultOut(Schema):
    earth_station_id: int
    earth_station: str = Field(..., alias="earth_station.code")
    n_cells: int
    n_failing: int
    aggregate_inband_dbm: float | None
    aggregate_inband_margin_db: float | None
    aggregate_blocking_dbm: float | None
    aggregate_blocking_margin_db: float | None
    worst_margin_db: float | None
    passes: bool


class PairOut(Schema):
    earth_station_id: int
    cell_id: int
    cell: str = Field(..., alias="cell.code")
    distance_km: float
    lb_db: float
    lb_5g_db: float
    gt_dbi: float
    gr_dbi: float
    i_inband_dbm: float
    i_over_n_db: float
    inband_margin_db: float
    blocking_dbm: float
    blocking_margin_db: float
    margin_db: float
    passes: bool


class CaseIn(Schema):
    earth_station_id: limits.DbId
    cell_ids: list[limits.DbId]
    title: str = ""
    description: str = ""
    study_id: limits.DbId | None = None


class CaseOut(Schema):
    id: int
    number: str
    title: str
    origin: str
    state: CaseState
    operator: str = Field(..., alias="operator.code")
    earth_station_id: int
    study_id: int | None
    whatif_study_id: int | None
    mitigation_kind: str
    mitigation: dict
    mitigation_accepted: bool
    deadline: date | None
    cell_ids: list[int]

    @staticmethod
    def resolve_cell_ids(obj) -> list[int]:
        return list(obj.cells.values_list("pk", flat=True))


class NoteIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class MitigationIn(Schema):
    kind: str
    rejection_db: float | None = None
    reduction_db: float | None = None
    azimuth_deg: float | None = None
    downtilt_deg: float | None = None
    lon: float | None = None
    lat: float | None = None
    note: str = ""


class EmfOut(Schema):
    site_id: int
    site: str = Field(..., alias="site.code")
    computed_at: datetime
    n_cells: int
    compliance_distance_m: float
    max_public_ratio: float
    max_public_s_w_m2: float
    max_public_at_m: float
    passes: bool


class CoverageKpiOut(Schema):
    adcode: int
    name: str
    villages: int
    covered: int
    share: float | None
    population: int
    sites: int
    sites_per_10k: float | None


# ==== stations ====================================================================================
@router.get("/sites", response=list[SiteOut])
def list_sites(
    request,
    operator: str = "",
    band: str = "",
    division: str = "",
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 200,
    offset: limits.Offset = 0,
):
    qs = selectors.site_list(
        user=request.user, filters={"operator": operator, "band": band, "division": division}
    )
    return list(qs[offset : offset + min(limit, MAX_PAGE)])


@router.get("/cells", response=list[CellOut])
def list_cells(
    request,
    operator: str = "",
    band: str = "",
    site: limits.DbId | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 200,
    offset: limits.Offset = 0,
):
    qs = selectors.cell_list(
        user=request.user, filters={"operator": operator, "band": band, "site": site}
    )
    return list(qs[offset : offset + min(limit, MAX_PAGE)])


@router.post("/cells", response={201: CellOut})
def create_cell(request, payload: CellIn):
    site = get_object_or_404(selectors.site_list(user=request.user), pk=payload.site_id)
    data = payload.dict()
    data.pop("site_id")
    return Status(201, services.cell_create(user=request.user, site=site, **data))


@router.patch("/cells/{id:cell_id}", response=CellOut)
def update_cell(request, cell_id: limits.DbId, payload: CellPatch):
    cell = selectors.cell_get(user=request.user, pk=cell_id, action=access.CHANGE)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.cell_update(user=request.user, cell=cell, **changes)


@router.get("/earth-stations", response=list[EarthStationOut])
def list_earth_stations(request, division: str = ""):
    return list(selectors.earth_station_list(user=request.user, filters={"division": division}))


# ==== studies =====================================================================================
@router.post("/studies", response={202: StudyOut})
def start_study(request, payload: StudyIn):
    division = None
    if payload.county_adcode:
        division = get_object_or_404(
            AdminDivision, adcode=payload.county_adcode, level=DivisionLevel.COUNTY
        )
    stations = list(
        selectors.earth_station_list(user=request.user).filter(pk__in=payload.earth_station_ids)
    )
    if len(stations) != len(set(payload.earth_station_ids)):
        raise ValueError("unknown earth_station_ids")
    study = services.study_create(
        user=request.user,
        name=payload.name,
        scope=payload.scope,
        earth_stations=stations,
        division=division,
        coordination_km=payload.coordination_km,
        p_percent=payload.p_percent,
        mitigation=payload.mitigation,
    )
    return Status(202, study)


@router.get("/studies", response=list[StudyOut])
def list_studies(request, limit: Annotated[int, Field(ge=1, le=200)] = 50):
    return list(selectors.study_list(user=request.user)[: min(limit, 200)])


@router.get("/studies/{id:study_id}", response=StudyOut)
def get_study(request, study_id: limits.DbId):
    """Status and progress (poll this while `status` is queued or running)."""
    return selectors.study_get(user=request.user, pk=study_id)


@router.post("/studies/{id:study_id}/cancel", response=StudyOut)
def cancel_study(request, study_id: limits.DbId):
    return services.study_cancel(
        user=request.user, study=selectors.study_get(user=request.user, pk=study_id)
    )


@router.get("/studies/{id:study_id}/stations", response=list[StationResultOut])
def study_stations(request, study_id: limits.DbId):
    return list(
        selectors.study_station_results(study=selectors.study_get(user=request.user, pk=study_id))
    )


@router.get("/studies/{id:study_id}/pairs", response=list[PairOut])
def study_pairs(
    request,
    study_id: limits.DbId,
    failing: bool = False,
    earth_station_id: limits.DbId | None = None,
    limit: Annotated[int, Field(ge=1, le=5000)] = 500,
    offset: limits.Offset = 0,
):
    study = selectors.study_get(user=request.user, pk=study_id)
    qs = selectors.study_pairs(study=study, failing_only=failing)
    if earth_station_id:
        qs = qs.filter(earth_station_id=earth_station_id)
    return list(qs[offset : offset + min(limit, 5000)])


# ==== cases =======================================================================================
@router.get("/cases", response=list[CaseOut])
def list_cases(request, state: str = ""):
    return list(selectors.case_list(user=request.user, filters={"state": state}))


@router.post("/cases", response={201: CaseOut})
def open_case(request, payload: CaseIn):
    station = selectors.earth_station_get(user=request.user, pk=payload.earth_station_id)
    # Only cells the user keeps (its own operator's, or any for the regulator).
    cells = list(Cell.objects.restrict(request.user, access.CHANGE).filter(pk__in=payload.cell_ids))
    if len(cells) != len(set(payload.cell_ids)):
        raise ValueError("unknown cell_ids")
    study = (
        selectors.study_get(user=request.user, pk=payload.study_id) if payload.study_id else None
    )
    case = services.case_open(
        user=request.user,
        earth_station=station,
        cells=cells,
        title=payload.title,
        description=payload.description,
        study=study,
    )
    return Status(201, case)


@router.get("/cases/{id:case_id}", response=CaseOut)
def get_case(request, case_id: limits.DbId):
    return selectors.case_get(user=request.user, pk=case_id)


@router.post("/cases/{id:case_id}/advance", response=CaseOut)
def advance_case(request, case_id: limits.DbId, payload: NoteIn):
    return services.case_advance(
        user=request.user, case=selectors.case_get(user=request.user, pk=case_id), note=payload.note
    )


@router.post("/cases/{id:case_id}/mitigation", response=StudyOut)
def propose_mitigation(request, case_id: limits.DbId, payload: MitigationIn):
    """Evaluate a mitigation as a what-if re-run; returns the what-if study."""
    data = {k: v for k, v in payload.dict().items() if v is not None and k != "note"}
    return services.case_propose_mitigation(
        user=request.user,
        case=selectors.case_get(user=request.user, pk=case_id),
        mitigation=data,
        note=payload.note,
    )


@router.post("/cases/{id:case_id}/accept", response=CaseOut)
def accept_mitigation(request, case_id: limits.DbId, payload: NoteIn):
    return services.case_accept_mitigation(
        user=request.user, case=selectors.case_get(user=request.user, pk=case_id), note=payload.note
    )


@router.post("/cases/{id:case_id}/reject", response=CaseOut)
def reject_case(request, case_id: limits.DbId, payload: RejectIn):
    return services.case_reject(
        user=request.user,
        case=selectors.case_get(user=request.user, pk=case_id),
        reason=payload.reason,
    )


# ==== EMF =========================================================================================
@router.get("/emf/assessments", response=list[EmfOut])
def emf_assessments(request):
    return selectors.emf_latest_assessments(user=request.user)


@router.post("/sites/{id:site_id}/emf", response={201: EmfOut})
def assess_site(request, site_id: limits.DbId):
    site = selectors.site_get(user=request.user, pk=site_id, action=access.CHANGE)
    return Status(201, services.emf_assess_site(site=site, user=request.user))


# ==== KPIs ========================================================================================
@router.get("/kpis/coverage", response=list[CoverageKpiOut])
def coverage_kpis(request, level: str = DivisionLevel.PREFECTURE):
    if level not in (DivisionLevel.PREFECTURE, DivisionLevel.COUNTY):
        raise ValueError("level must be prefecture or county")
    return [
        {
            "adcode": r["division"].adcode,
            "name": r["division"].name_zh,
            "villages": r["villages"],
            "covered": r["covered"],
            "share": r["share"],
            "population": r["population"],
            "sites": r["sites"],
            "sites_per_10k": r["per_10k"],
        }
        for r in selectors.coverage_kpis(user=request.user, level=level)
    ]


@router.get("/kpis/monthly")
def monthly_trend(request):
    """5G base stations, users and terminal users per operator and month (region totals)."""
    return selectors.monthly_trend(user=request.user)


@router.get("/kpis/new-consumption")
def new_consumption(request):
    """Latest region totals feeding the plan dashboard's "new consumption" indicators."""
    data = selectors.new_consumption_indicators()
    if data.get("month"):
        data["month"] = data["month"].isoformat()
    return data
