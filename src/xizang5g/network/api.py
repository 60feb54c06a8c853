"""5G supervision API (/api/v1/network/): stations, studies (start, progress, results), cases,
EMF and KPIs. Reads through `network.selectors`, writes through `network.services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xizang5g.core import access, limits
from xizang5g.core.api_style import ApiInput, ApiPagination, page_schema, paginate, responses
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision
from xizang5g.network import constants as C
from xizang5g.network import selectors, services
from xizang5g.network.choices import CaseState, StudyScope
from xizang5g.network.models import Cell

router = Router(tags=["network"])


# ==== schemas =====================================================================================
class NetworkSiteOut(Schema):
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


class NetworkCellOut(Schema):
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


class NetworkCellIn(ApiInput):
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


class NetworkCellPatch(ApiInput):
    power_dbm: float | None = None
    gain_dbi: float | None = None
    height_m: float | None = None
    azimuth_deg: float | None = None
    mech_tilt_deg: float | None = None
    elec_tilt_deg: float | None = None
    status: str | None = None


class NetworkEarthStationOut(Schema):
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


class NetworkStudyIn(ApiInput):
    name: str
    scope: StudyScope = StudyScope.ALL
    earth_station_ids: list[limits.DbId] = []
    county_adcode: limits.Int64 | None = None
    coordination_km: float = C.DEFAULT_COORDINATION_KM
    p_percent: float = C.P_PERCENT_LONG_TERM
    mitigation: dict | None = None


class NetworkStudyOut(Schema):
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

    @staticmethod
    def resolve_progress_message(study) -> str:
        return study.shown_progress_message  # in the reader's language


class NetworkStationResultOut(Schema):
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


class NetworkPairOut(Schema):
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


class NetworkCaseIn(ApiInput):
    earth_station_id: limits.DbId
    cell_ids: list[limits.DbId]
    title: str = ""
    description: str = ""
    study_id: limits.DbId | None = None


class NetworkCaseOut(Schema):
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


class NetworkNoteIn(ApiInput):
    note: str = ""


class NetworkRejectIn(ApiInput):
    reason: str


class NetworkMitigationIn(ApiInput):
    kind: str
    rejection_db: float | None = None
    reduction_db: float | None = None
    azimuth_deg: float | None = None
    downtilt_deg: float | None = None
    lon: float | None = None
    lat: float | None = None
    note: str = ""


class NetworkEmfOut(Schema):
    site_id: int
    site: str = Field(..., alias="site.code")
    computed_at: datetime
    n_cells: int
    compliance_distance_m: float
    max_public_ratio: float
    max_public_s_w_m2: float
    max_public_at_m: float
    passes: bool


class NetworkCoverageKpiOut(Schema):
    adcode: int
    name: str
    villages: int
    covered: int
    share: float | None
    population: int
    sites: int
    sites_per_10k: float | None


class NetworkMonthlySeries(Schema):
    stations: list[int]
    users: list[int]
    terminals: list[int]


class NetworkMonthlyTrendOut(Schema):
    months: list[str] = Field(description="YYYY-MM")
    series: dict[str, NetworkMonthlySeries] = Field(description="by operator")


class NetworkNewConsumptionOut(Schema):
    month: date | None = Field(None, description="the latest month reported (null: none yet)")
    stations: int | None = None
    users: int | None = None
    terminals: int | None = None
    traffic_share_pct: float | None = None


class NetworkSiteFilters(ApiPagination):
    operator: str = ""
    band: str = ""
    division: limits.Int64 | None = Field(None, description="prefecture or county adcode")


class NetworkCellFilters(ApiPagination):
    operator: str = ""
    band: str = ""
    site: limits.DbId | None = None


class NetworkEarthStationFilters(ApiPagination):
    division: limits.Int64 | None = Field(None, description="prefecture or county adcode")


class NetworkPairFilters(ApiPagination):
    failing: bool = False
    earth_station_id: limits.DbId | None = None


class NetworkCaseFilters(ApiPagination):
    state: str = ""


class NetworkCoverageFilters(ApiPagination):
    level: Literal["prefecture", "county"] = DivisionLevel.PREFECTURE


NetworkSitePage = page_schema("NetworkSitePage", NetworkSiteOut)
NetworkCellPage = page_schema("NetworkCellPage", NetworkCellOut)
NetworkEarthStationPage = page_schema("NetworkEarthStationPage", NetworkEarthStationOut)
NetworkStudyPage = page_schema("NetworkStudyPage", NetworkStudyOut)
NetworkStationResultPage = page_schema("NetworkStationResultPage", NetworkStationResultOut)
NetworkPairPage = page_schema("NetworkPairPage", NetworkPairOut)
NetworkCasePage = page_schema("NetworkCasePage", NetworkCaseOut)
NetworkEmfPage = page_schema("NetworkEmfPage", NetworkEmfOut)
NetworkCoverageKpiPage = page_schema("NetworkCoverageKpiPage", NetworkCoverageKpiOut)


def _unknown(field: str, what: str, ids) -> ValidationError:
    return ValidationError(
        {
            field: _("Unknown %(what)s: %(ids)s.")
            % {"what": what, "ids": ", ".join(str(i) for i in sorted(ids))}
        }
    )


# ==== stations ====================================================================================
@router.get("/sites", response=responses({200: NetworkSitePage}), summary="Base-station sites")
def site_list(request, filters: Query[NetworkSiteFilters]):
    qs = selectors.site_list(
        user=request.user, filters=filters.dict(include={"operator", "band", "division"})
    )
    return paginate(qs, filters)


@router.get("/cells", response=responses({200: NetworkCellPage}), summary="Cells")
def cell_list(request, filters: Query[NetworkCellFilters]):
    qs = selectors.cell_list(
        user=request.user, filters=filters.dict(include={"operator", "band", "site"})
    )
    return paginate(qs, filters)


@router.post("/cells", response=responses({201: NetworkCellOut}), summary="Add a cell to a site")
def cell_create(request, payload: NetworkCellIn):
    site = get_object_or_404(selectors.site_list(user=request.user), pk=payload.site_id)
    data = payload.dict()
    data.pop("site_id")
    return Status(201, services.cell_create(user=request.user, site=site, **data))


@router.patch(
    "/cells/{id:cell_id}", response=responses({200: NetworkCellOut}), summary="Change a cell"
)
def cell_update(request, cell_id: limits.DbId, payload: NetworkCellPatch):
    cell = selectors.cell_get(user=request.user, pk=cell_id, action=access.CHANGE)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.cell_update(user=request.user, cell=cell, **changes)


@router.get(
    "/earth-stations",
    response=responses({200: NetworkEarthStationPage}),
    summary="Satellite earth stations",
)
def earth_station_list(request, filters: Query[NetworkEarthStationFilters]):
    qs = selectors.earth_station_list(user=request.user, filters={"division": filters.division})
    return paginate(qs, filters)


# ==== studies =====================================================================================
@router.post(
    "/studies",
    response=responses({202: NetworkStudyOut}),
    summary="Start an interference study (runs in the background)",
)
def study_create(request, payload: NetworkStudyIn):
    division = None
    if payload.county_adcode:
        division = get_object_or_404(
            AdminDivision, adcode=payload.county_adcode, level=DivisionLevel.COUNTY
        )
    wanted = set(payload.earth_station_ids)
    stations = list(selectors.earth_station_list(user=request.user).filter(pk__in=wanted))
    if len(stations) != len(wanted):
        raise _unknown("earth_station_ids", _("earth stations"), wanted - {s.pk for s in stations})
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


@router.get("/studies", response=responses({200: NetworkStudyPage}), summary="Interference studies")
def study_list(request, page: Query[ApiPagination]):
    return paginate(selectors.study_list(user=request.user), page)


@router.get(
    "/studies/{id:study_id}",
    response=responses({200: NetworkStudyOut}),
    summary="A study's status and progress",
)
def study_get(request, study_id: limits.DbId):
    """Status and progress (poll this while `status` is queued or running)."""
    return selectors.study_get(user=request.user, pk=study_id)


@router.post(
    "/studies/{id:study_id}/cancel",
    response=responses({200: NetworkStudyOut}),
    summary="Cancel a queued or running study",
)
def study_cancel(request, study_id: limits.DbId):
    study = selectors.study_get(user=request.user, pk=study_id, action=access.CHANGE)
    return services.study_cancel(user=request.user, study=study)


@router.get(
    "/studies/{id:study_id}/stations",
    response=responses({200: NetworkStationResultPage}),
    summary="A study's result per earth station",
)
def study_station_list(request, study_id: limits.DbId, page: Query[ApiPagination]):
    study = selectors.study_get(user=request.user, pk=study_id)
    return paginate(selectors.study_station_results(study=study), page)


@router.get(
    "/studies/{id:study_id}/pairs",
    response=responses({200: NetworkPairPage}),
    summary="A study's station–cell pairs, worst margin first",
)
def study_pair_list(request, study_id: limits.DbId, filters: Query[NetworkPairFilters]):
    study = selectors.study_get(user=request.user, pk=study_id)
    qs = selectors.study_pairs(study=study, failing_only=filters.failing)
    if filters.earth_station_id:
        qs = qs.filter(earth_station_id=filters.earth_station_id)
    return paginate(qs, filters)


# ==== cases =======================================================================================
@router.get("/cases", response=responses({200: NetworkCasePage}), summary="Coordination cases")
def case_list(request, filters: Query[NetworkCaseFilters]):
    return paginate(
        selectors.case_list(user=request.user, filters={"state": filters.state}), filters
    )


@router.post("/cases", response=responses({201: NetworkCaseOut}), summary="Apply for coordination")
def case_create(request, payload: NetworkCaseIn):
    station = selectors.earth_station_get(user=request.user, pk=payload.earth_station_id)
    # Cells one may not read are unknown (422, as missing ones); readable cells one does not keep
    # (another operator's) are refused (403).
    wanted = set(payload.cell_ids)
    cells = list(Cell.objects.restrict(request.user).filter(pk__in=wanted))
    if len(cells) != len(wanted):
        raise _unknown("cell_ids", _("cells"), wanted - {c.pk for c in cells})
    for cell in cells:
        access.require(request.user, access.CHANGE, cell)
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


@router.get("/cases/{id:case_id}", response=responses({200: NetworkCaseOut}), summary="A case")
def case_get(request, case_id: limits.DbId):
    return selectors.case_get(user=request.user, pk=case_id)


@router.post(
    "/cases/{id:case_id}/advance",
    response=responses({200: NetworkCaseOut}),
    summary="Move a case to its next step",
)
def case_advance(request, case_id: limits.DbId, payload: NetworkNoteIn):
    case = selectors.case_get(user=request.user, pk=case_id, action=access.CHANGE)
    return services.case_advance(user=request.user, case=case, note=payload.note)


@router.post(
    "/cases/{id:case_id}/mitigation",
    response=responses({200: NetworkStudyOut}),
    summary="Evaluate a mitigation (a what-if study)",
)
def mitigation_propose(request, case_id: limits.DbId, payload: NetworkMitigationIn):
    """Evaluate a mitigation as a what-if re-run; returns the what-if study."""
    data = {k: v for k, v in payload.dict().items() if v is not None and k != "note"}
    return services.case_propose_mitigation(
        user=request.user,
        case=selectors.case_get(user=request.user, pk=case_id, action=access.CHANGE),
        mitigation=data,
        note=payload.note,
    )


@router.post(
    "/cases/{id:case_id}/accept",
    response=responses({200: NetworkCaseOut}),
    summary="Accept the proposed mitigation",
)
def mitigation_accept(request, case_id: limits.DbId, payload: NetworkNoteIn):
    case = selectors.case_get(user=request.user, pk=case_id, action=access.CHANGE)
    return services.case_accept_mitigation(user=request.user, case=case, note=payload.note)


@router.post(
    "/cases/{id:case_id}/reject", response=responses({200: NetworkCaseOut}), summary="Reject"
)
def case_reject(request, case_id: limits.DbId, payload: NetworkRejectIn):
    return services.case_reject(
        user=request.user,
        case=selectors.case_get(user=request.user, pk=case_id, action=access.CHANGE),
        reason=payload.reason,
    )


# ==== EMF =========================================================================================
@router.get(
    "/emf/assessments",
    response=responses({200: NetworkEmfPage}),
    summary="The latest EMF assessment of each site",
)
def emf_assessment_list(request, page: Query[ApiPagination]):
    return paginate(selectors.emf_latest_assessments(user=request.user), page)


@router.post(
    "/sites/{id:site_id}/emf",
    response=responses({201: NetworkEmfOut}),
    summary="Assess a site's EMF (GB 8702-2014)",
)
def emf_assessment_create(request, site_id: limits.DbId):
    site = selectors.site_get(user=request.user, pk=site_id, action=access.CHANGE)
    return Status(201, services.emf_assess_site(site=site, user=request.user))


# ==== KPIs ========================================================================================
def _coverage_out(row: dict) -> dict:
    return {
        "adcode": row["division"].adcode,
        "name": row["division"].name_zh,
        "villages": row["villages"],
        "covered": row["covered"],
        "share": row["share"],
        "population": row["population"],
        "sites": row["sites"],
        "sites_per_10k": row["per_10k"],
    }


@router.get(
    "/kpis/coverage",
    response=responses({200: NetworkCoverageKpiPage}),
    summary="Village coverage and sites per 10,000 people, by prefecture or county",
)
def coverage_kpi_list(request, filters: Query[NetworkCoverageFilters]):
    rows = selectors.coverage_kpis(user=request.user, level=filters.level)
    return paginate(rows, filters, _coverage_out)


@router.get(
    "/kpis/monthly",
    response=responses({200: NetworkMonthlyTrendOut}),
    summary="Monthly 5G figures per operator",
)
def monthly_trend_get(request):
    """5G base stations, users and terminal users per operator and month (region totals)."""
    return selectors.monthly_trend(user=request.user)


@router.get(
    "/kpis/new-consumption",
    response=responses({200: NetworkNewConsumptionOut}),
    summary="The latest region totals of the new-consumption indicators",
)
def new_consumption_get(request):
    """Latest region totals feeding the plan dashboard's "new consumption" indicators."""
    return selectors.new_consumption_indicators()
