"""The station registry: sites, cells and earth stations, validated against their bands and Xizang."""

from __future__ import annotations

import itertools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.choices import DivisionLevel, UnitKind
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.core.services import apply_changes, save_validated
from xizang5g.network.choices import Band
from xizang5g.network.geo import county_at
from xizang5g.network.models import Cell, EarthStation, Site
from xizang5g.network.services.permissions import require_station_edit

BAND_RANGES_MHZ = {
    Band.N28: (703.0, 803.0),
    Band.N41: (2496.0, 2690.0),
    Band.N78: (3300.0, 3800.0),
    Band.N79: (4800.0, 5000.0),
}
"""3GPP TS 38.104 Table 5.2-1 operating bands (n28 703–803 MHz, n41 2496–2690, n78 3300–3800,
n79 4400–5000; China uses 4800–4900 for n79)."""


def check_operator(operator: Unit) -> None:
    if operator.kind != UnitKind.OPERATOR:
        raise ValidationError(
            {"operator": _("%(unit)s is not a telecom operator.") % {"unit": operator}}
        )


def county_divisions():
    return list(AdminDivision.objects.filter(level=DivisionLevel.COUNTY).select_related("shape"))


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


def validate_site(site: Site) -> None:
    errors = {}
    if not (78.0 <= site.lon <= 99.5):
        errors["lon"] = _("Longitude %(v)s is outside Xizang (78–99.5°E).") % {"v": site.lon}
    if not (26.5 <= site.lat <= 36.6):
        errors["lat"] = _("Latitude %(v)s is outside Xizang (26.5–36.6°N).") % {"v": site.lat}
    if errors:
        raise ValidationError(errors)


def validate_cell(cell: Cell) -> None:
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


def validate_earth_station(station: EarthStation) -> None:
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
    require_station_edit(user, operator.pk)
    check_operator(operator)
    site = Site(operator=operator, code=code, name=name, lon=lon, lat=lat, **extra)
    if site.division_id is None:
        site.division = county_at(lon, lat, county_divisions())
    return save_validated(site, user=user, check=validate_site)


def site_update(*, user, site: Site, **changes) -> Site:
    access.require(user, access.CHANGE, site)
    apply_changes(site, changes, SITE_FIELDS)
    return save_validated(site, user=user, check=validate_site)


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
    require_station_edit(user, site.operator_id)
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
    return save_validated(cell, user=user, check=validate_cell)


def cell_update(*, user, cell: Cell, **changes) -> Cell:
    access.require(user, access.CHANGE, cell)
    apply_changes(cell, changes, CELL_FIELDS)
    return save_validated(cell, user=user, check=validate_cell)


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
    require_station_edit(user, owner.pk)
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
        station.division = county_at(lon, lat, county_divisions())
    return save_validated(station, user=user, check=validate_earth_station)


def earth_station_update(*, user, station: EarthStation, **changes) -> EarthStation:
    access.require(user, access.CHANGE, station)
    apply_changes(station, changes, EARTH_STATION_FIELDS)
    return save_validated(station, user=user, check=validate_earth_station)
