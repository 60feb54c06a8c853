"""Writes of the 5G supervision app: registry, imports, terrain, studies, cases, EMF, KPIs."""

from __future__ import annotations

import io
import itertools
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access, limits
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import AlertSeverity, AlertSource, DivisionLevel, UnitKind
from xizang5g.core.files import safe_filename
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.core.sequences import sequence_next
from xizang5g.core.services import alert_raise, alert_resolve, apply_changes, save_validated
from xizang5g.network import constants as C
from xizang5g.network.choices import (
    Band,
    CaseAction,
    CaseOrigin,
    CaseState,
    CellPattern,
    MitigationKind,
    StationStatus,
    StudyScope,
    StudyStatus,
    TerrainKind,
    VillageKind,
)
from xizang5g.network.geo import county_at
from xizang5g.network.models import (
    CaseDocument,
    CaseEvent,
    Cell,
    CoordinationCase,
    EarthStation,
    EmfAssessment,
    EmfMeasurement,
    InterferenceStudy,
    OperatorMonthlyReport,
    Site,
    TerrainTile,
    Village,
)

BAND_RANGES_MHZ = {
    Band.N28: (703.0, 803.0),
    Band.N41: (2496.0, 2690.0),
    Band.N78: (3300.0, 3800.0),
    Band.N79: (4800.0, 5000.0),
}
"""3GPP TS 38.104 Table 5.2-1 operating bands (n28 703–803 MHz, n41 2496–2690, n78 3300–3800,
n79 4400–5000; China uses 4800–4900 for n79)."""


# ============================================================================ permissions
def is_regulator(user) -> bool:
    """The radio regulator or the plan office: studies, the whole registry, case decisions."""
    return access.sees_all(user, InterferenceStudy, access.CHANGE)


def can_edit_station(user, unit_id: int | None) -> bool:
    """Whether `user` may register or change stations of unit `unit_id` (the access rule of
    sites, cells and earth stations: the regulator every unit's, a unit editor its own)."""
    return access.can_create(user, Site, operator_id=unit_id)


def _require_station_edit(user, unit_id: int | None) -> None:
    if not can_edit_station(user, unit_id):
        raise PermissionDenied(_("You may only change stations of your own unit."))


def _require_regulator(user) -> None:
    if not is_regulator(user):
        raise PermissionDenied(_("Only the radio regulator may do this."))


def _check_operator(operator: Unit) -> None:
    if operator.kind != UnitKind.OPERATOR:
        raise ValidationError(
            {"operator": _("%(unit)s is not a telecom operator.") % {"unit": operator}}
        )


def _counties():
    return list(AdminDivision.objects.filter(level=DivisionLevel.COUNTY))


# ============================================================================ registry
SITE_FIELDS = ("code", "name", "lon", "lat", "ground_m", "status", "division", "is_synthetic")
CELL_FIELDS = (
    "code",
    "band",
    "f_mhz",
    "bw_mhz",
    "power_dbm",
    "gain_dbi",
    "height_m",
    "azimuth_deg",
    "mech_tilt_deg",
    "elec_tilt_deg",
    "beamwidth_deg",
    "pattern",
    "emission_mask",
    "status",
)
EARTH_STATION_FIELDS = (
    "code",
    "name",
    "purpose",
    "division",
    "lon",
    "lat",
    "ground_m",
    "antenna_height_m",
    "diameter_m",
    "pattern",
    "efficiency",
    "satellite",
    "orbital_lon_deg",
    "rx_low_mhz",
    "rx_high_mhz",
    "carrier_low_mhz",
    "carrier_high_mhz",
    "noise_temp_k",
    "lnb_gain_db",
    "lnb_p1db_dbm",
    "filter_name",
    "filter_rejection_db",
    "i_n_criterion_db",
    "status",
    "is_synthetic",
)


def _validate_site(site: Site) -> None:
    errors = {}
    if not (78.0 <= site.lon <= 99.5):
        errors["lon"] = _("Longitude %(v)s is outside Xizang (78–99.5°E).") % {"v": site.lon}
    if not (26.5 <= site.lat <= 36.6):
        errors["lat"] = _("Latitude %(v)s is outside Xizang (26.5–36.6°N).") % {"v": site.lat}
    if errors:
        raise ValidationError(errors)


def _validate_cell(cell: Cell) -> None:
    errors = {}
    low, high = BAND_RANGES_MHZ.get(cell.band, (None, None))
    if low is not None and not (low <= cell.f_mhz <= high):
        errors["f_mhz"] = _("%(f)s MHz is outside band %(band)s (%(low)s–%(high)s MHz).") % {
            "f": cell.f_mhz,
            "band": cell.band,
            "low": low,
            "high": high,
        }
    if not (0 < cell.bw_mhz <= 200):
        errors["bw_mhz"] = _("Bandwidth must be between 0 and 200 MHz.")
    if not (0 <= cell.power_dbm <= 60):
        errors["power_dbm"] = _("Transmit power must be 0–60 dBm (1 mW–1 kW).")
    if not (0 < cell.height_m <= 150):
        errors["height_m"] = _("Antenna height must be 0–150 m.")
    if not (0 <= cell.azimuth_deg < 360):
        errors["azimuth_deg"] = _("Azimuth must be 0–359.9°.")
    if not (-20 <= cell.mech_tilt_deg + cell.elec_tilt_deg <= 30):
        errors["elec_tilt_deg"] = _("Total downtilt must be between -20° and 30°.")
    if cell.operator_id and cell.site_id and cell.site.operator_id != cell.operator_id:
        # Shared towers are fine, but each operator registers its own site record.
        errors["site"] = _("Site %(site)s belongs to another operator.") % {"site": cell.site.code}
    mask = cell.emission_mask or []
    if not isinstance(mask, list) or not all(
        isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(v, (int, float)) for v in p)
        for p in mask
    ):
        errors["emission_mask"] = _("The emission mask is a list of [offset MHz, dBm/MHz] pairs.")
    elif mask and any(b[0] <= a[0] for a, b in itertools.pairwise(mask)):
        errors["emission_mask"] = _("Emission-mask offsets must increase.")
    if errors:
        raise ValidationError(errors)


def _validate_earth_station(station: EarthStation) -> None:
    errors = {}
    if not (78.0 <= station.lon <= 99.5 and 26.5 <= station.lat <= 36.6):
        errors["lon"] = _("The coordinates are outside Xizang.")
    if not (0.3 <= station.diameter_m <= 30):
        errors["diameter_m"] = _("Antenna diameter must be 0.3–30 m.")
    if station.rx_low_mhz >= station.rx_high_mhz:
        errors["rx_high_mhz"] = _("The receive band's upper edge must be above its lower edge.")
    if not (
        station.rx_low_mhz
        <= station.carrier_low_mhz
        < station.carrier_high_mhz
        <= station.rx_high_mhz
    ):
        errors["carrier_high_mhz"] = _("The protected carrier must lie inside the receive band.")
    if not (10 <= station.noise_temp_k <= 2000):
        errors["noise_temp_k"] = _("Noise temperature must be 10–2000 K.")
    if not (-180 <= station.orbital_lon_deg <= 180):
        errors["orbital_lon_deg"] = _("Orbital position must be -180–180°.")
    if errors:
        raise ValidationError(errors)


def site_create(
    *, user, operator: Unit, code: str, name: str, lon: float, lat: float, **extra
) -> Site:
    _require_station_edit(user, operator.pk)
    _check_operator(operator)
    site = Site(operator=operator, code=code, name=name, lon=lon, lat=lat, **extra)
    if site.division_id is None:
        site.division = county_at(lon, lat, _counties())
    return save_validated(site, user=user, check=_validate_site)


def site_update(*, user, site: Site, **changes) -> Site:
    access.require(user, access.CHANGE, site)
    apply_changes(site, changes, SITE_FIELDS)
    return save_validated(site, user=user, check=_validate_site)


def cell_create(
    *,
    user,
    site: Site,
    code: str,
    band: str,
    f_mhz: float,
    bw_mhz: float,
    power_dbm: float,
    height_m: float,
    azimuth_deg: float,
    **extra,
) -> Cell:
    _require_station_edit(user, site.operator_id)
    cell = Cell(
        site=site,
        operator_id=site.operator_id,
        code=code,
        band=band,
        f_mhz=f_mhz,
        bw_mhz=bw_mhz,
        power_dbm=power_dbm,
        height_m=height_m,
        azimuth_deg=azimuth_deg,
        **extra,
    )
    return save_validated(cell, user=user, check=_validate_cell)


def cell_update(*, user, cell: Cell, **changes) -> Cell:
    access.require(user, access.CHANGE, cell)
    apply_changes(cell, changes, CELL_FIELDS)
    return save_validated(cell, user=user, check=_validate_cell)


def earth_station_create(
    *,
    user,
    owner: Unit,
    code: str,
    name: str,
    purpose: str,
    lon: float,
    lat: float,
    diameter_m: float,
    satellite: str,
    orbital_lon_deg: float,
    **extra,
) -> EarthStation:
    _require_station_edit(user, owner.pk)
    station = EarthStation(
        owner=owner,
        code=code,
        name=name,
        purpose=purpose,
        lon=lon,
        lat=lat,
        diameter_m=diameter_m,
        satellite=satellite,
        orbital_lon_deg=orbital_lon_deg,
        **extra,
    )
    if station.division_id is None:
        station.division = county_at(lon, lat, _counties())
    return save_validated(station, user=user, check=_validate_earth_station)


def earth_station_update(*, user, station: EarthStation, **changes) -> EarthStation:
    access.require(user, access.CHANGE, station)
    apply_changes(station, changes, EARTH_STATION_FIELDS)
    return save_validated(station, user=user, check=_validate_earth_station)


# ============================================================================ imports
@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(col)s: %(msg)s") % {
            "row": self.row,
            "col": self.column,
            "msg": self.message,
        }


class ImportFailed(ValidationError):
    """Raised with every row error; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


# (key, header, required, parser)
def _num(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = (
        float(value)
        if isinstance(value, int | float)
        else float(str(value).strip().replace(",", ""))
    )
    if not math.isfinite(number):  # "nan", "inf", 1e400: never a measurement
        raise ValueError(value)
    return number


def _text(value):
    return "" if value is None else str(value).strip()


STATION_COLUMNS = [
    ("operator", "operator_code 运营商编码", True, _text),
    ("site_code", "site_code 站址编码", True, _text),
    ("site_name", "site_name 站址名称", True, _text),
    ("lon", "lon 经度", True, _num),
    ("lat", "lat 纬度", True, _num),
    ("ground_m", "ground_m 地面海拔(m)", False, _num),
    ("cell_code", "cell_code 小区编码", True, _text),
    ("band", "band 频段(n28/n41/n78/n79)", True, _text),
    ("f_mhz", "f_mhz 中心频率(MHz)", True, _num),
    ("bw_mhz", "bw_mhz 带宽(MHz)", True, _num),
    ("power_dbm", "power_dbm 发射功率(dBm)", True, _num),
    ("gain_dbi", "gain_dbi 天线增益(dBi)", False, _num),
    ("height_m", "height_m 天线挂高(m)", True, _num),
    ("azimuth_deg", "azimuth_deg 方位角(°)", True, _num),
    ("mech_tilt_deg", "mech_tilt_deg 机械下倾(°)", False, _num),
    ("elec_tilt_deg", "elec_tilt_deg 电下倾(°)", False, _num),
    ("beamwidth_deg", "beamwidth_deg 水平波瓣宽度(°)", False, _num),
    ("pattern", "pattern 方向图(f1336/m2101)", False, _text),
    ("status", "status 状态(planned/in_service)", False, _text),
]


def _read_table(*, content: bytes, filename: str) -> list[list]:
    """The rows of an uploaded .xlsx or .csv (header first), read within core.limits' bounds;
    raises limits.InputRejected for a file that cannot or must not be read."""
    return [list(row) for row in limits.table_rows(content, filename)]


def _header_map(header: list, columns) -> dict[str, int]:
    """Column index per key; a header cell matches by its first word (the key or its alias)."""
    aliases = {}
    for key, label, _r, _p in columns:
        aliases[key.lower()] = key
        aliases[label.split(" ")[0].lower()] = key
    found = {}
    for index, cell in enumerate(header):
        key = aliases.get(_text(cell).split(" ")[0].lower())
        if key is not None:
            found.setdefault(key, index)
    missing = [key for key, _h, required, _p in columns if required and key not in found]
    if missing:
        raise ImportFailed([RowError(1, key, _("required column is missing")) for key in missing])
    return found


def _parse_rows(rows: list[list], columns) -> tuple[list[tuple[int, dict]], list[RowError]]:
    if not rows:
        raise ImportFailed([RowError(1, "-", _("the file is empty"))])
    index = _header_map(rows[0], columns)
    parsed, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or _text(v) == "" for v in row):
            continue
        values = {}
        for key, _h, required, parser in columns:
            raw = row[index[key]] if key in index and index[key] < len(row) else None
            try:
                value = parser(raw)
            except (TypeError, ValueError):
                errors.append(
                    RowError(number, key, _("“%(v)s” is not a finite number") % {"v": raw})
                )
                continue
            if required and (value is None or value == ""):
                errors.append(RowError(number, key, _("a value is required")))
                continue
            values[key] = value
        parsed.append((number, values))
    return parsed, errors


def _row_operator(number, values, operators, user, errors, denied_message):
    """The operator a row names, if it exists and the user may submit for it; else a RowError."""
    operator = operators.get(values["operator"])
    if operator is None:
        errors.append(
            RowError(
                number, "operator", _("unknown operator code “%(c)s”") % {"c": values["operator"]}
            )
        )
        return None
    if not can_edit_station(user, operator.pk):
        errors.append(RowError(number, "operator", denied_message % {"op": operator}))
        return None
    return operator


def _noop_progress(done: int, total: int, *, writing: bool = False) -> None:
    return None


def stations_import(
    *, user, content: bytes, filename: str, progress=_noop_progress
) -> ImportResult:
    """Import an operator's station list (one row per cell). All rows or none are written."""
    rows = _read_table(content=content, filename=filename)
    parsed, errors = _parse_rows(rows, STATION_COLUMNS)
    operators = {u.code: u for u in Unit.objects.filter(kind=UnitKind.OPERATOR)}
    counties = _counties()
    seen_cells: set[str] = set()
    plans = []
    bad_rows = {e.row for e in errors}
    for position, (number, values) in enumerate(parsed):
        progress(position, len(parsed))
        if number in bad_rows:
            continue
        operator = _row_operator(
            number, values, operators, user, errors, _("you may not submit stations of %(op)s")
        )
        if operator is None:
            continue
        if values["cell_code"] in seen_cells:
            errors.append(RowError(number, "cell_code", _("duplicate cell code in the file")))
            continue
        seen_cells.add(values["cell_code"])
        site = Site.objects.filter(code=values["site_code"]).first()
        if site is not None and site.operator_id != operator.pk:
            errors.append(RowError(number, "site_code", _("site belongs to another operator")))
            continue
        if site is None:
            site = Site(operator=operator, code=values["site_code"])
        site.name = values["site_name"]
        site.lon, site.lat = values["lon"], values["lat"]
        site.ground_m = values.get("ground_m")
        cell = Cell.objects.filter(code=values["cell_code"]).first()
        if cell is not None and cell.operator_id != operator.pk:
            errors.append(RowError(number, "cell_code", _("cell belongs to another operator")))
            continue
        if cell is None:
            cell = Cell(code=values["cell_code"])
        cell.operator = operator
        for key in ("band", "f_mhz", "bw_mhz", "power_dbm", "height_m", "azimuth_deg"):
            setattr(cell, key, values[key])
        cell.gain_dbi = values.get("gain_dbi") if values.get("gain_dbi") is not None else 17.0
        cell.mech_tilt_deg = values.get("mech_tilt_deg") or 0.0
        cell.elec_tilt_deg = values.get("elec_tilt_deg") or 0.0
        cell.beamwidth_deg = values.get("beamwidth_deg") or 65.0
        cell.pattern = values.get("pattern") or CellPattern.F1336
        cell.status = values.get("status") or StationStatus.IN_SERVICE
        try:
            site.full_clean(exclude=["division"])
            _validate_site(site)
        except ValidationError as exc:
            errors.extend(_row_errors(number, exc))
            continue
        try:
            cell.full_clean(exclude=["site"])
            _low, _high = BAND_RANGES_MHZ[cell.band]
            cell_check = Cell(**{k: getattr(cell, k) for k in CELL_FIELDS}, operator=operator)
            _validate_cell(cell_check)
        except ValidationError as exc:
            errors.extend(_row_errors(number, exc))
            continue
        plans.append((site, cell))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    result = ImportResult(rows=len(plans))
    progress(len(parsed), len(parsed), writing=True)
    with transaction.atomic(), acting_as(user):
        sites: dict[str, Site] = {}
        for site, cell in plans:
            if site.code not in sites:
                if site.division_id is None:
                    site.division = county_at(site.lon, site.lat, counties)
                site.save()
                sites[site.code] = site
            cell.site = sites[site.code]
            created = cell.pk is None
            cell.save()
            result.created += int(created)
            result.updated += int(not created)
    return result


def _row_errors(number: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [RowError(number, key, " ".join(msgs)) for key, msgs in exc.message_dict.items()]
    return [RowError(number, "-", " ".join(exc.messages))]


def table_template(columns, example: list | None = None, title: str = "stations") -> bytes:
    """An .xlsx template with the expected header (and one example row)."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([header for _k, header, _r, _p in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    if example:
        sheet.append(example)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            14, len(str(column[0].value)) + 2
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stations_template() -> bytes:
    return table_template(
        STATION_COLUMNS,
        [
            "ct-xz",
            "LS-CG-001",
            "拉萨城关区示例站",
            91.1322,
            29.6604,
            3650,
            "LS-CG-001-1",
            "n78",
            3450,
            100,
            49,
            17,
            30,
            120,
            3,
            6,
            65,
            "f1336",
            "in_service",
        ],
    )


# ============================================================================ terrain
def terrain_register(
    *,
    user,
    name: str,
    kind: str,
    path: str = "",
    params: dict | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> TerrainTile:
    """Register a DEM tile. GeoTIFF/HGT files are opened to read their bounds and resolution."""
    _require_regulator(user)
    params = params or {}
    if kind == TerrainKind.SYNTHETIC:
        if bounds is None:
            raise ValidationError({"bounds": _("A synthetic terrain needs its bounds.")})
        west, south, east, north = bounds
        resolution_m = float(params.get("resolution_deg", 1 / 240)) * 111_320.0
    else:
        import rasterio

        try:
            with rasterio.open(path) as src:
                west, south, east, north = src.bounds
                resolution_m = abs(src.res[0]) * (
                    111_320.0 if src.crs is None or src.crs.is_geographic else 1.0
                )
        except Exception as exc:
            raise ValidationError(
                {"path": _("Cannot read the DEM file: %(e)s") % {"e": exc}}
            ) from exc
    tile = TerrainTile(
        name=name,
        kind=kind,
        path=path,
        west=west,
        south=south,
        east=east,
        north=north,
        resolution_m=resolution_m,
        params=params,
    )
    tile.full_clean()
    with acting_as(user):
        tile.save()
    return tile


# ============================================================================ studies
def study_create(
    *,
    user,
    name: str,
    scope: str,
    earth_stations=(),
    division: AdminDivision | None = None,
    coordination_km: float = C.DEFAULT_COORDINATION_KM,
    p_percent: float = C.P_PERCENT_LONG_TERM,
    cell_ids: list[int] | None = None,
    mitigation: dict | None = None,
    parent: InterferenceStudy | None = None,
    enqueue: bool = True,
    profile_spacing_m: float | None = None,
) -> InterferenceStudy:
    """Create a study and queue it as a background job (regulators and the plan office)."""
    _require_regulator(user)
    if not (1.0 <= coordination_km <= C.MAX_COORDINATION_KM):
        raise ValidationError(
            {
                "coordination_km": _("The coordination distance must be 1–%(max)s km.")
                % {"max": C.MAX_COORDINATION_KM}
            }
        )
    if not (0.001 <= p_percent <= 50):
        raise ValidationError({"p_percent": _("The time percentage must be 0.001–50 %.")})
    stations = list(earth_stations)
    if scope == StudyScope.STATIONS and not stations:
        raise ValidationError({"earth_stations": _("Choose at least one earth station.")})
    if scope == StudyScope.COUNTY and division is None:
        raise ValidationError({"division": _("Choose a county.")})
    if not TerrainTile.objects.filter(is_active=True).exists():
        raise ValidationError(
            _("No terrain is registered: register a DEM tile (or run network_demo) first.")
        )
    if mitigation:
        mitigation_validate(mitigation)
    study = InterferenceStudy(
        name=name,
        scope=scope,
        division=division,
        coordination_km=coordination_km,
        p_percent=p_percent,
        mitigation=mitigation or {},
        parent=parent,
        created_by=user,
        inputs={"cell_ids": sorted(cell_ids)} if cell_ids else {},
    )
    if profile_spacing_m is not None:
        if not (30.0 <= profile_spacing_m <= 2000.0):
            raise ValidationError({"inputs": _("The profile spacing must be 30–2000 m.")})
        study.inputs["spacing_m"] = float(profile_spacing_m)
    study.full_clean()
    with transaction.atomic(), acting_as(user):
        study.save()
        if stations:
            study.earth_stations.set(stations)
    if enqueue:
        transaction.on_commit(lambda: _enqueue_study(study.pk))
    return study


def study_delete(*, user, study: InterferenceStudy) -> None:
    """Delete a study; its (possibly millions of) pair rows go in one SQL statement."""
    from django.db import connection

    from xizang5g.network.models import StudyPair, StudyStationResult

    _require_regulator(user)
    if study.is_active:
        raise ValidationError(_("Cancel the study before deleting it."))
    with transaction.atomic(), acting_as(user):
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {StudyPair._meta.db_table} WHERE study_id = %s", [study.pk]
            )
        StudyStationResult.objects.filter(study=study).delete()
        study.delete()


def _enqueue_study(study_id: int) -> None:
    from xizang5g.network.tasks import run_interference_study

    result = run_interference_study.enqueue(study_id)
    study = InterferenceStudy.objects.get(pk=study_id)
    if not study.task_id:
        study.task_id = str(result.id)
        study.save(update_fields=["task_id", "updated_at"])


def study_cancel(*, user, study: InterferenceStudy) -> InterferenceStudy:
    _require_regulator(user)
    if not study.is_active:
        raise ValidationError(_("Only a queued or running study can be cancelled."))
    with acting_as(user):
        study.cancel_requested = True
        if study.status == StudyStatus.QUEUED:
            study.status = StudyStatus.CANCELLED
            study.finished_at = timezone.now()
        study.save()
    return study


def study_execute(*, study_id: int) -> InterferenceStudy:
    """Run a study now (called by the background job; small case studies call it inline)."""
    from xizang5g.network.studies import run_study

    return run_study(study_id)


def mitigation_validate(mitigation: dict) -> None:
    kind = mitigation.get("kind")
    if kind not in MitigationKind.values:
        raise ValidationError({"mitigation": _("Unknown mitigation “%(k)s”.") % {"k": kind}})
    needs = {
        MitigationKind.LNB_FILTER: ("rejection_db",),
        MitigationKind.POWER_REDUCTION: ("reduction_db",),
        MitigationKind.AZIMUTH_TILT: (),
        MitigationKind.SITE_MOVE: ("lon", "lat"),
    }[kind]
    missing = [k for k in needs if mitigation.get(k) in (None, "")]
    if missing:
        raise ValidationError(
            {"mitigation": _("Missing mitigation values: %(m)s") % {"m": ", ".join(missing)}}
        )
    if (
        kind == MitigationKind.AZIMUTH_TILT
        and mitigation.get("azimuth_deg") in (None, "")
        and mitigation.get("downtilt_deg") in (None, "")
    ):
        raise ValidationError({"mitigation": _("Give a new azimuth and/or downtilt.")})
    for key in ("rejection_db", "reduction_db"):
        if key in mitigation and not (0 <= float(mitigation[key]) <= 80):
            raise ValidationError({"mitigation": _("%(k)s must be 0–80 dB.") % {"k": key}})


def study_raise_alerts(*, study: InterferenceStudy) -> int:
    """Raise an interference alert per failing earth station; resolve those that now pass."""
    from xizang5g.core.models import Alert

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
                title=_(
                    "Interference to earth station %(es)s: %(n)s failing cells, worst margin %(m).1f dB"
                )
                % {"es": station.name, "n": result.n_failing, "m": result.worst_margin_db},
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


# ============================================================================ cases
CASE_FLOW = {
    CaseState.APPLIED: CaseState.COMPUTING,
    CaseState.COMPUTING: CaseState.COORDINATING,
    CaseState.COORDINATING: CaseState.IMPLEMENTING,
    CaseState.IMPLEMENTING: CaseState.REVIEWING,
    CaseState.REVIEWING: CaseState.CLOSED,
}


CASE_SEQUENCE = "network.case"


def _case_number() -> str:
    """XZ-GR-<year>-NNNN from the year's shared counter (call inside the saving transaction)."""
    year = timezone.localdate().year
    return f"XZ-GR-{year}-{sequence_next(CASE_SEQUENCE, year=year):04d}"


def _deadline(state: str) -> date | None:
    days = C.CASE_DEADLINE_DAYS.get(state)
    return timezone.localdate() + timedelta(days=days) if days else None


def _event(case, *, user, action, note="", from_state="", to_state="") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        user=user if user and user.is_authenticated else None,
        action=action,
        note=note,
        from_state=from_state,
        to_state=to_state,
    )


def case_open(
    *,
    user,
    earth_station: EarthStation,
    cells: list[Cell],
    title: str = "",
    description: str = "",
    study: InterferenceStudy | None = None,
) -> CoordinationCase:
    """Open a case: an operator for its own new/changed cells, or a regulator from a study."""
    if not cells:
        raise ValidationError({"cells": _("Choose at least one cell.")})
    operators = {c.operator_id for c in cells}
    if len(operators) != 1:
        raise ValidationError({"cells": _("All cells of a case must belong to one operator.")})
    operator_id = operators.pop()
    regulator = is_regulator(user)
    if not access.can_create(user, CoordinationCase, operator_id=operator_id):
        raise PermissionDenied(_("An operator may open coordination cases only for its own cells."))
    origin = CaseOrigin.STUDY if (regulator and study is not None) else CaseOrigin.OPERATOR
    case = CoordinationCase(
        title=title or _("%(es)s ↔ %(n)s cells") % {"es": earth_station.name, "n": len(cells)},
        origin=origin,
        operator_id=operator_id,
        earth_station=earth_station,
        study=study,
        description=description,
        opened_by=user,
        deadline=_deadline(CaseState.APPLIED),
    )
    case.full_clean(exclude=["number"])
    with transaction.atomic(), acting_as(user):
        case.number = _case_number()
        case.save()
        case.cells.set(cells)
        _event(
            case, user=user, action=CaseAction.OPENED, to_state=CaseState.APPLIED, note=description
        )
    return case


def case_actor_is_operator(user, case) -> bool:
    """The case's operator acting (not the earth station's owner, the other party)."""
    return access.can(user, access.CHANGE, case) and getattr(user, "unit_id", None) == (
        case.operator_id
    )


def _require_case_party(user, case) -> None:
    """The regulator or a party to the case (its operator, the earth station's owner)."""
    access.require(user, access.CHANGE, case)


def case_advance(*, user, case: CoordinationCase, note: str = "") -> CoordinationCase:
    """Move a case to its next state, checking who may and what the step needs."""
    target = CASE_FLOW.get(case.state)
    if target is None:
        raise ValidationError(_("A closed or rejected case cannot advance."))
    operator_step = case.state == CaseState.IMPLEMENTING  # the operator reports measures done
    if not is_regulator(user) and not (operator_step and case_actor_is_operator(user, case)):
        raise PermissionDenied(_("Only the radio regulator may take this step."))
    if case.state == CaseState.APPLIED:
        _case_compute(user=user, case=case)
    elif case.state == CaseState.COMPUTING:
        if case.study is None or case.study.status != StudyStatus.DONE:
            raise ValidationError(_("The calculation has not finished yet."))
    elif case.state == CaseState.COORDINATING:
        if not case.mitigation_accepted:
            raise ValidationError(_("Accept a mitigation whose what-if calculation passes first."))
    elif case.state == CaseState.REVIEWING:
        case.closed_at = timezone.now()
    previous = case.state
    case.state = target
    case.deadline = _deadline(target)
    with transaction.atomic(), acting_as(user):
        case.save()
        _event(
            case,
            user=user,
            action=CaseAction.ADVANCED,
            from_state=previous,
            to_state=target,
            note=note,
        )
    return case


def _case_compute(*, user, case: CoordinationCase) -> InterferenceStudy:
    """The 计算 step: a study of the case's cells against its earth station, run inline."""
    study = study_create(
        user=user,
        name=_("Case %(n)s calculation") % {"n": case.number},
        scope=StudyScope.STATIONS,
        earth_stations=[case.earth_station],
        cell_ids=list(case.cells.values_list("pk", flat=True)),
        coordination_km=max(C.DEFAULT_COORDINATION_KM, _max_case_distance(case) + 1.0),
        enqueue=False,
    )
    study = study_execute(study_id=study.pk)
    with acting_as(user):
        case.study = study
        case.save()
    return study


def _max_case_distance(case) -> float:
    from xizang5g.network.engine import terrain

    es = case.earth_station
    distances = [
        float(terrain.great_circle_distance_km(c.site.lon, c.site.lat, es.lon, es.lat))
        for c in case.cells.select_related("site")
    ]
    return min(max(distances, default=0.0), C.MAX_COORDINATION_KM - 1.0)


def case_propose_mitigation(
    *, user, case: CoordinationCase, mitigation: dict, note: str = ""
) -> InterferenceStudy:
    """Evaluate a mitigation as a what-if re-run of the case's calculation (inline, small)."""
    if case.state not in (CaseState.COMPUTING, CaseState.COORDINATING):
        raise ValidationError(_("Mitigations are proposed while the case is being coordinated."))
    if not (is_regulator(user) or case_actor_is_operator(user, case)):
        raise PermissionDenied(
            _("Only the regulator or the case's operator may propose a mitigation.")
        )
    mitigation_validate(mitigation)
    base = case.study
    if base is None:
        raise ValidationError(_("Run the calculation first."))
    kind = mitigation["kind"]
    mitigation = dict(mitigation)
    if kind == MitigationKind.LNB_FILTER:
        mitigation.setdefault("earth_station_ids", [case.earth_station_id])
    else:
        mitigation.setdefault("cell_ids", list(case.cells.values_list("pk", flat=True)))
    # What-ifs run on behalf of the regulator's process, whoever proposes them.
    whatif = InterferenceStudy(
        name=_("Case %(n)s what-if: %(k)s") % {"n": case.number, "k": MitigationKind(kind).label},
        scope=base.scope,
        division=base.division,
        coordination_km=base.coordination_km,
        p_percent=base.p_percent,
        p_blocking_percent=base.p_blocking_percent,
        mitigation=mitigation,
        parent=base,
        created_by=user,
        inputs={k: base.inputs[k] for k in ("cell_ids", "spacing_m") if base.inputs.get(k)},
    )
    with transaction.atomic(), acting_as(user):
        whatif.save()
        whatif.earth_stations.set(base.earth_stations.all())
    whatif = study_execute(study_id=whatif.pk)
    with transaction.atomic(), acting_as(user):
        case.mitigation_kind = kind
        case.mitigation = mitigation
        case.whatif_study = whatif
        case.mitigation_accepted = False
        case.save()
        verdict = _("passes") if whatif.summary.get("passes") else _("still fails")
        _event(
            case,
            user=user,
            action=CaseAction.WHATIF,
            note=_("%(k)s: what-if %(v)s (worst margin %(m).1f dB). %(note)s")
            % {
                "k": MitigationKind(kind).label,
                "v": verdict,
                "m": whatif.summary.get("worst_margin_db") or 0.0,
                "note": note,
            },
        )
    return whatif


def case_accept_mitigation(*, user, case: CoordinationCase, note: str = "") -> CoordinationCase:
    _require_regulator(user)
    whatif = case.whatif_study
    if whatif is None or whatif.status != StudyStatus.DONE:
        raise ValidationError(_("Evaluate the mitigation with a what-if calculation first."))
    if not whatif.summary.get("passes"):
        raise ValidationError(
            _("The what-if calculation still fails; choose a stronger mitigation.")
        )
    with transaction.atomic(), acting_as(user):
        case.mitigation_accepted = True
        case.save()
        _event(
            case, user=user, action=CaseAction.MITIGATION, note=note or _("Mitigation accepted.")
        )
    return case


def case_reject(*, user, case: CoordinationCase, reason: str) -> CoordinationCase:
    _require_regulator(user)
    if case.state in (CaseState.CLOSED, CaseState.REJECTED):
        raise ValidationError(_("The case is already finished."))
    if not reason.strip():
        raise ValidationError({"rejection_reason": _("Give the reason for the rejection.")})
    previous = case.state
    with transaction.atomic(), acting_as(user):
        case.state = CaseState.REJECTED
        case.rejection_reason = reason
        case.closed_at = timezone.now()
        case.deadline = None
        case.save()
        _event(
            case,
            user=user,
            action=CaseAction.REJECTED,
            from_state=previous,
            to_state=CaseState.REJECTED,
            note=reason,
        )
    return case


def case_comment(*, user, case: CoordinationCase, note: str) -> CaseEvent:
    _require_case_party(user, case)
    if not note.strip():
        raise ValidationError({"note": _("Write a comment.")})
    return _event(case, user=user, action=CaseAction.COMMENT, note=note)


def case_add_document(*, user, case: CoordinationCase, title: str, upload) -> CaseDocument:
    _require_case_party(user, case)
    filename = safe_filename(upload.name)
    document = CaseDocument(
        case=case, title=title or filename, file=upload, filename=filename, uploaded_by=user
    )
    document.full_clean()
    with transaction.atomic(), acting_as(user):
        document.save()
        _event(case, user=user, action=CaseAction.DOCUMENT, note=document.title)
    return document


# ============================================================================ EMF
def emf_assess_site(*, site: Site, user=None, raise_alerts: bool = True) -> EmfAssessment:
    """GB 8702-2014 assessment of a site, summing the cells of every operator within 50 m."""
    import numpy as np

    from xizang5g.network import engine

    dlat = C.EMF_COSITE_RADIUS_M / 111_320.0
    dlon = dlat / max(math.cos(math.radians(site.lat)), 0.1)
    cells = list(
        Cell.objects.filter(
            site__lat__range=(site.lat - dlat, site.lat + dlat),
            site__lon__range=(site.lon - dlon, site.lon + dlon),
        )
        .exclude(status=StationStatus.DECOMMISSIONED)
        .select_related("site", "operator")
    )
    cells = [
        c
        for c in cells
        if float(
            engine.terrain.great_circle_distance_km(site.lon, site.lat, c.site.lon, c.site.lat)
        )
        * 1000
        <= C.EMF_COSITE_RADIUS_M
    ]
    if not cells:
        raise ValidationError(_("Site %(s)s has no active cells to assess.") % {"s": site.code})
    result = engine.emf_site(
        eirp_dbm=np.array([c.eirp_dbm for c in cells]),
        g0_dbi=np.array([c.gain_dbi for c in cells]),
        phi3_deg=np.array([c.beamwidth_deg for c in cells]),
        height_m=np.array([c.height_m for c in cells]),
        mech_tilt_deg=np.array([c.mech_tilt_deg for c in cells]),
        elec_tilt_deg=np.array([c.elec_tilt_deg for c in cells]),
        f_mhz=np.array([c.f_mhz for c in cells]),
        public_height_m=C.EMF_PUBLIC_HEIGHT_M,
    )
    assessment = EmfAssessment.objects.create(
        site=site,
        n_cells=len(cells),
        compliance_distance_m=result["compliance_distance_m"],
        max_public_ratio=result["max_ratio"],
        max_public_s_w_m2=result["max_s_w_m2"],
        max_public_at_m=result["at_m"],
        passes=result["max_ratio"] <= 1.0,
        details={
            "cells": [
                {
                    "code": c.code,
                    "operator": str(c.operator),
                    "f_mhz": c.f_mhz,
                    "eirp_dbm": c.eirp_dbm,
                }
                for c in cells
            ],
            "profile_m": result["profile_m"],
            "profile_ratio": result["profile_ratio"],
            "standard": "GB 8702-2014",
            "public_height_m": C.EMF_PUBLIC_HEIGHT_M,
        },
    )
    if raise_alerts and not assessment.passes:
        alert_raise(
            source=AlertSource.EMF,
            dedup_key=f"network:emf:site:{site.pk}",
            title=_("EMF exceedance at site %(s)s: %(r).0f %% of the GB 8702-2014 limit")
            % {"s": site.name, "r": assessment.max_public_ratio * 100},
            severity=AlertSeverity.MAJOR,
            rule="network.emf.assessment",
            unit=site.operator,
            obj=site,
            details={"assessment_id": assessment.pk, "ratio": assessment.max_public_ratio},
        )
    return assessment


EMF_COLUMNS = [
    ("point", "point 监测点位", True, _text),
    ("site_code", "site_code 站址编码", False, _text),
    ("lon", "lon 经度", True, _num),
    ("lat", "lat 纬度", True, _num),
    ("measured_at", "measured_at 监测时间(YYYY-MM-DD HH:MM)", True, lambda v: v),
    ("f_mhz", "f_mhz 频率(MHz)", True, _num),
    ("e_v_m", "e_v_m 电场强度(V/m)", True, _num),
    ("agency", "agency 监测单位", False, _text),
]


def _parse_time(value) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = _text(value)
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M"):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def emf_measurements_import(
    *, user, content: bytes, filename: str, progress=_noop_progress
) -> ImportResult:
    """Import HJ 1151-2020 style measurement records; exceedances raise EMF alerts."""
    from xizang5g.network import engine

    if not access.role_may(user, access.CHANGE, Site):
        raise PermissionDenied(_("Your role does not allow importing measurements."))
    rows = _read_table(content=content, filename=filename)
    parsed, errors = _parse_rows(rows, EMF_COLUMNS)
    records = []
    # Only sites the user keeps: an operator measures its own sites, the regulator any.
    sites = {s.code: s for s in Site.objects.restrict(user, access.CHANGE)}
    bad_rows = {e.row for e in errors}
    for position, (number, values) in enumerate(parsed):
        progress(position, len(parsed))
        if number in bad_rows:
            continue
        try:
            when = _parse_time(values["measured_at"])
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "measured_at",
                    _("“%(v)s” is not a date and time") % {"v": values["measured_at"]},
                )
            )
            continue
        site = None
        if values.get("site_code"):
            site = sites.get(values["site_code"])
            if site is None:
                errors.append(
                    RowError(number, "site_code", _("unknown site code, or not a site of yours"))
                )
                continue
        elif not is_regulator(user):
            errors.append(RowError(number, "site_code", _("give the site that was measured")))
            continue
        if values["e_v_m"] < 0 or not (30 <= values["f_mhz"] <= 15000):
            errors.append(RowError(number, "f_mhz", _("frequency must be 30–15000 MHz and E ≥ 0")))
            continue
        limit = float(engine.emf_e_limit_v_m(values["f_mhz"]))
        records.append(
            EmfMeasurement(
                site=site,
                point=values["point"],
                lon=values["lon"],
                lat=values["lat"],
                measured_at=when,
                f_mhz=values["f_mhz"],
                e_v_m=values["e_v_m"],
                s_w_m2=float(engine.field_strength_to_power_density(values["e_v_m"])),
                limit_e_v_m=limit,
                exceeds=values["e_v_m"] > limit,
                agency=values.get("agency", ""),
            )
        )
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    progress(len(parsed), len(parsed), writing=True)
    with transaction.atomic():
        EmfMeasurement.objects.bulk_create(records)  # measurement data, not change-logged
    for record in records:
        if record.exceeds:
            alert_raise(
                source=AlertSource.EMF,
                dedup_key=f"network:emf:point:{record.point}",
                title=_("Measured EMF above the limit at %(p)s: %(e).1f V/m (limit %(l).1f V/m)")
                % {"p": record.point, "e": record.e_v_m, "l": record.limit_e_v_m},
                severity=AlertSeverity.MAJOR,
                rule="network.emf.measurement",
                unit=record.site.operator if record.site else None,
                obj=record.site,
                details={
                    "e_v_m": record.e_v_m,
                    "limit_e_v_m": record.limit_e_v_m,
                    "f_mhz": record.f_mhz,
                },
            )
    return ImportResult(created=len(records), rows=len(records))


# ============================================================================ coverage
VILLAGE_COLUMNS = [
    ("adcode", "adcode 区划代码(12位)", True, _text),
    ("name", "name 名称", True, _text),
    ("kind", "kind 类型(village/township)", False, _text),
    ("lon", "lon 经度", True, _num),
    ("lat", "lat 纬度", True, _num),
    ("population", "population 人口", True, _num),
]


def villages_import(
    *, user, content: bytes, filename: str, progress=_noop_progress
) -> ImportResult:
    _require_regulator(user)
    rows = _read_table(content=content, filename=filename)
    parsed, errors = _parse_rows(rows, VILLAGE_COLUMNS)
    counties = {d.adcode: d for d in AdminDivision.objects.filter(level=DivisionLevel.COUNTY)}
    plans = []
    bad_rows = {e.row for e in errors}
    for position, (number, values) in enumerate(parsed):
        progress(position, len(parsed))
        if number in bad_rows:
            continue
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
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    result = ImportResult(rows=len(plans))
    progress(len(parsed), len(parsed), writing=True)
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
    """Predict the best 5G signal at each village from cells within 15 km (P.452 at 50 %)."""
    from xizang5g.network.studies import coverage_predict

    if user is not None:
        _require_regulator(user)
    return coverage_predict(threshold_dbm=threshold_dbm, villages=villages)


# ============================================================================ monthly reports
REPORT_COLUMNS = [
    ("operator", "operator_code 运营商编码", True, _text),
    ("prefecture", "prefecture_adcode 地市代码", True, _num),
    ("month", "month 月份(YYYY-MM)", True, _text),
    ("base_stations_5g", "base_stations_5g 5G基站数", True, _num),
    ("users_5g", "users_5g 5G用户数", True, _num),
    ("terminal_users_5g", "terminal_users_5g 5G终端用户数", True, _num),
    ("traffic_share_pct", "traffic_share_pct 5G流量占比(%)", True, _num),
]


def monthly_reports_import(
    *, user, content: bytes, filename: str, progress=_noop_progress
) -> ImportResult:
    rows = _read_table(content=content, filename=filename)
    parsed, errors = _parse_rows(rows, REPORT_COLUMNS)
    operators = {u.code: u for u in Unit.objects.filter(kind=UnitKind.OPERATOR)}
    prefectures = {
        d.adcode: d for d in AdminDivision.objects.filter(level=DivisionLevel.PREFECTURE)
    }
    plans = []
    bad_rows = {e.row for e in errors}
    for position, (number, values) in enumerate(parsed):
        progress(position, len(parsed))
        if number in bad_rows:
            continue
        operator = _row_operator(
            number, values, operators, user, errors, _("you may not submit reports of %(op)s")
        )
        if operator is None:
            continue
        prefecture = prefectures.get(int(values["prefecture"]))
        if prefecture is None:
            errors.append(
                RowError(
                    number,
                    "prefecture",
                    _("no Xizang prefecture with code %(c)s") % {"c": int(values["prefecture"])},
                )
            )
            continue
        month_text = values["month"][:7].replace("/", "-")
        try:
            month = datetime.strptime(month_text, "%Y-%m").date()
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "month",
                    _("“%(v)s” is not a month like 2026-10") % {"v": values["month"]},
                )
            )
            continue
        counts = {k: values[k] for k in ("base_stations_5g", "users_5g", "terminal_users_5g")}
        if any(v < 0 or v != int(v) for v in counts.values()):
            errors.append(RowError(number, "users_5g", _("counts must be whole numbers ≥ 0")))
            continue
        if not (0 <= values["traffic_share_pct"] <= 100):
            errors.append(RowError(number, "traffic_share_pct", _("must be 0–100 %")))
            continue
        plans.append(
            (
                operator,
                prefecture,
                month,
                {k: int(v) for k, v in counts.items()},
                values["traffic_share_pct"],
            )
        )
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    result = ImportResult(rows=len(plans))
    progress(len(parsed), len(parsed), writing=True)
    with transaction.atomic(), acting_as(user):
        for operator, prefecture, month, counts, share in plans:
            report = OperatorMonthlyReport.objects.filter(
                operator=operator, prefecture=prefecture, month=month
            ).first()
            created = report is None
            report = report or OperatorMonthlyReport(
                operator=operator, prefecture=prefecture, month=month
            )
            for key, value in counts.items():
                setattr(report, key, value)
            report.traffic_share_pct = share
            report.full_clean()
            report.save()
            result.created += int(created)
            result.updated += int(not created)
    return result
