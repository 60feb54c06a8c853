"""Pages of the 5G supervision app (thin: selectors read, services write), one module per part:
overview, registry, studies (with terrain), cases, kpis (EMF, coverage, monthly figures)."""

from xizang5g.network.views.cases import (
    CASE_STEPS,
    case_action,
    case_detail,
    case_document,
    case_list,
    case_new,
)
from xizang5g.network.views.kpis import (
    coverage,
    coverage_grid,
    emf,
    emf_assess,
    emf_template,
    monthly,
    monthly_template,
    villages_template,
)
from xizang5g.network.views.overview import geojson, overview
from xizang5g.network.views.registry import (
    cell_edit,
    earth_station_detail,
    earth_station_form,
    earth_station_list,
    site_detail,
    site_list,
    station_import,
    station_results_for,
    station_template,
)
from xizang5g.network.views.studies import (
    study_cancel,
    study_detail,
    study_export,
    study_list,
    study_new,
    study_progress,
    terrain,
)

__all__ = [
    "CASE_STEPS",
    "case_action",
    "case_detail",
    "case_document",
    "case_list",
    "case_new",
    "cell_edit",
    "coverage",
    "coverage_grid",
    "earth_station_detail",
    "earth_station_form",
    "earth_station_list",
    "emf",
    "emf_assess",
    "emf_template",
    "geojson",
    "monthly",
    "monthly_template",
    "overview",
    "site_detail",
    "site_list",
    "station_import",
    "station_results_for",
    "station_template",
    "study_cancel",
    "study_detail",
    "study_export",
    "study_list",
    "study_new",
    "study_progress",
    "terrain",
    "villages_template",
]
