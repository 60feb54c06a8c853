"""Synthetic demo registry over the synthetic plateau terrain (clearly labelled everywhere).

`generate_layout` places sites, cells and earth stations around the 74 county seats the way
deployments cluster (denser in Lhasa, Shigatse, Nyingchi, Shannan, Chamdo and Nagqu); it is
shared by `network_demo` and `benchmarks/region_study_bench.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import transaction

from xizang5g.core.audit import acting_as
from xizang5g.core.choices import Role, UnitKind
from xizang5g.core.constants import DEMO_PASSWORD
from xizang5g.core.models import AdminDivision, Unit, User
from xizang5g.core.services import user_create
from xizang5g.network import engine, services
from xizang5g.network.choices import EarthStationPurpose, StudyScope, TerrainKind
from xizang5g.network.models import (
    Cell,
    EarthStation,
    InterferenceStudy,
    OperatorMonthlyReport,
    Site,
    StudyStationResult,
    TerrainTile,
    Village,
)

XIZANG_BOUNDS = (78.3, 26.8, 99.2, 36.5)
"""lon_min, lat_min, lon_max, lat_max of the synthetic plateau covering Xizang."""
DEMO_SEED = 2020

# Relative deployment weight per prefecture (adcode prefix): more sites where people live.
PREFECTURE_WEIGHT = {5401: 6.0, 5402: 2.2, 5403: 1.8, 5404: 2.5, 5405: 2.0, 5406: 1.3, 5425: 0.6}
OPERATOR_SHARE = {"cm-xz": 0.45, "ct-xz": 0.30, "cu-xz": 0.25}
BAND_PLAN = {
    # operator: [(band, f_mhz, bw_mhz, power_dbm, share)]
    "cm-xz": [("n41", 2565.0, 100.0, 50.0, 0.75), ("n28", 743.0, 30.0, 49.0, 0.25)],
    "ct-xz": [("n78", 3450.0, 100.0, 50.0, 1.0)],
    "cu-xz": [("n78", 3550.0, 100.0, 50.0, 1.0)],
}
SATELLITES = [
    ("中星6A", 125.0),
    ("中星6B", 115.5),
    ("中星9B", 101.4),
    ("亚太6C", 134.0),
    ("亚洲7号", 105.5),
]


@dataclass
class Layout:
    site_lon: np.ndarray
    site_lat: np.ndarray
    site_county: np.ndarray  # index into the seats list
    site_operator: np.ndarray  # operator code per site
    cell_site: np.ndarray
    cell_band: np.ndarray
    cell_f: np.ndarray
    cell_bw: np.ndarray
    cell_power: np.ndarray
    cell_azimuth: np.ndarray
    cell_height: np.ndarray
    cell_tilt: np.ndarray
    es_lon: np.ndarray
    es_lat: np.ndarray
    es_county: np.ndarray
    es_diameter: np.ndarray
    es_sat: np.ndarray
    es_p1db: np.ndarray
    es_filter_db: np.ndarray


def generate_layout(
    seats: list[tuple[int, float, float]],
    *,
    n_cells: int,
    n_earth_stations: int,
    seed: int = DEMO_SEED,
) -> Layout:
    """Sites with three sectors each, and earth stations, scattered around county seats.

    ``seats`` are (county adcode, lon, lat). Distances from the seat are exponential (urban
    core) with a rural tail; city districts of Lhasa and prefecture seats weigh more.
    """
    rng = np.random.default_rng(seed)
    weights = np.array(
        [
            PREFECTURE_WEIGHT.get(adcode // 100, 1.0)
            * (2.5 if adcode % 100 < 10 or adcode // 100 == 5401 else 1.0)
            for adcode, _lon, _lat in seats
        ]
    )
    weights /= weights.sum()
    n_sites = int(np.ceil(n_cells / 3))
    county = rng.choice(len(seats), size=n_sites, p=weights)
    seat_lon = np.array([s[1] for s in seats])
    seat_lat = np.array([s[2] for s in seats])
    radius_km = np.where(
        rng.random(n_sites) < 0.75, rng.exponential(3.0, n_sites), rng.exponential(18.0, n_sites)
    )
    radius_km = np.minimum(radius_km, 60.0)
    bearing = rng.uniform(0, 2 * np.pi, n_sites)
    site_lat = seat_lat[county] + radius_km * np.cos(bearing) / 111.32
    site_lon = seat_lon[county] + radius_km * np.sin(bearing) / (
        111.32 * np.cos(np.radians(seat_lat[county]))
    )
    codes = list(OPERATOR_SHARE)
    site_operator = rng.choice(codes, size=n_sites, p=[OPERATOR_SHARE[c] for c in codes])
    cell_site = np.repeat(np.arange(n_sites), 3)[:n_cells]
    offset = rng.uniform(0, 120, n_sites)
    cell_azimuth = (offset[cell_site] + 120.0 * (np.arange(cell_site.size) % 3)) % 360.0
    bands, fs, bws, powers = [], [], [], []
    band_of_site = []
    for k in range(n_sites):
        plan = BAND_PLAN[site_operator[k]]
        pick = rng.choice(len(plan), p=[p[4] for p in plan])
        band_of_site.append(plan[pick])
    for s in cell_site:
        band, f, bw, power, _share = band_of_site[s]
        bands.append(band)
        fs.append(f)
        bws.append(bw)
        powers.append(power)
    cell_height = rng.choice([20.0, 25.0, 30.0, 35.0, 40.0], size=n_sites)[cell_site]
    cell_tilt = rng.choice([3.0, 4.0, 6.0, 8.0], size=cell_site.size)
    es_county = rng.choice(len(seats), size=n_earth_stations, p=weights)
    es_r = np.minimum(rng.exponential(4.0, n_earth_stations), 40.0)
    es_b = rng.uniform(0, 2 * np.pi, n_earth_stations)
    es_lat = seat_lat[es_county] + es_r * np.cos(es_b) / 111.32
    es_lon = seat_lon[es_county] + es_r * np.sin(es_b) / (
        111.32 * np.cos(np.radians(seat_lat[es_county]))
    )
    return Layout(
        site_lon=site_lon,
        site_lat=site_lat,
        site_county=county,
        site_operator=site_operator,
        cell_site=cell_site,
        cell_band=np.array(bands),
        cell_f=np.array(fs),
        cell_bw=np.array(bws),
        cell_power=np.array(powers),
        cell_azimuth=np.round(cell_azimuth, 1),
        cell_height=cell_height,
        cell_tilt=cell_tilt,
        es_lon=es_lon,
        es_lat=es_lat,
        es_county=es_county,
        es_diameter=rng.choice([1.8, 2.4, 3.0, 4.5, 6.0], size=n_earth_stations),
        es_sat=rng.integers(0, len(SATELLITES), n_earth_stations),
        # Legacy LNBs (P1dB about -50 dBm) next to anti-interference LNBs (-10 dBm, MIIT 2020).
        es_p1db=np.where(rng.random(n_earth_stations) < 0.5, -50.0, -10.0),
        es_filter_db=np.where(rng.random(n_earth_stations) < 0.3, 40.0, 0.0),
    )


def synthetic_terrain_params(resolution_deg: float = 1 / 120) -> dict:
    return {
        "seed": DEMO_SEED,
        "resolution_deg": resolution_deg,
        "note": "synthetic fractal plateau, NOT real elevation data",
    }


# ------------------------------------------------------------------------------ DB loader
def demo_load(*, stdout=None, n_cells: int = 900, n_earth_stations: int = 40) -> dict:
    """Create (idempotently) the demo registry and a worked set of studies, cases, EMF, KPIs."""

    def say(text):
        if stdout is not None:
            stdout.write(text)

    counties = list(
        AdminDivision.objects.filter(level="county").select_related("parent").order_by("adcode")
    )
    if not counties:
        raise RuntimeError(
            "No administrative divisions: run `xizang5g demo_setup` (or divisions_load) first."
        )
    units = {}
    for code, name, kind in (
        ("cm-xz", "中国移动通信集团西藏有限公司", UnitKind.OPERATOR),
        ("ct-xz", "中国电信股份有限公司西藏分公司", UnitKind.OPERATOR),
        ("cu-xz", "中国联合网络通信有限公司西藏自治区分公司", UnitKind.OPERATOR),
        ("comms-admin", "西藏自治区通信管理局", UnitKind.DEPARTMENT),
        ("radio-tv", "西藏自治区广播电视局", UnitKind.DEPARTMENT),
        ("xz-cable-demo", "西藏广电网络（演示）", UnitKind.ENTERPRISE),
        ("xz-meteo-demo", "西藏气象卫星接收站（演示）", UnitKind.INSTITUTION),
    ):
        unit = Unit.objects.filter(code=code).first() or Unit.objects.filter(name=name).first()
        if unit is None:
            with acting_as(None):
                unit = Unit.objects.create(code=code, name=name, kind=kind)
        units[code] = unit
    regulator = User.objects.filter(username="regulator").first()
    if regulator is None:
        regulator = user_create(
            username="regulator",
            password=DEMO_PASSWORD,
            role=Role.REGULATOR,
            unit=units["comms-admin"],
            full_name="通信管理局 无线电管理处（演示）",
            validate=False,
        )
        say(f"created regulator user: regulator / {DEMO_PASSWORD}")
    else:
        say("regulator user exists: regulator")
    report = {"regulator": regulator.username}
    if not TerrainTile.objects.filter(name="synthetic-plateau-xizang").exists():
        services.terrain_register(
            user=regulator,
            name="synthetic-plateau-xizang",
            kind=TerrainKind.SYNTHETIC,
            bounds=XIZANG_BOUNDS,
            params=synthetic_terrain_params(),
        )
    if Site.objects.filter(is_synthetic=True).exists():
        say("demo stations already loaded")
        report["stations"] = "exists"
        return report
    seats = [(c.adcode, c.seat_lon, c.seat_lat) for c in counties]
    layout = generate_layout(seats, n_cells=n_cells, n_earth_stations=n_earth_stations)

    dem = engine.dem_from_tiles(TerrainTile.objects.filter(is_active=True))
    ground = dem.sample(layout.site_lon, layout.site_lat)
    es_ground = dem.sample(layout.es_lon, layout.es_lat)
    with transaction.atomic(), acting_as(regulator):
        sites = []
        for k in range(layout.site_lon.size):
            county = counties[layout.site_county[k]]
            op = layout.site_operator[k]
            sites.append(
                Site.objects.create(
                    operator=units[op],
                    code=f"DEMO-{op[:2].upper()}-{county.adcode}-{k:04d}",
                    name=f"{county.name_zh}{k:04d}号站（演示）",
                    division=county,
                    lon=round(float(layout.site_lon[k]), 5),
                    lat=round(float(layout.site_lat[k]), 5),
                    ground_m=round(float(ground[k]), 1),
                    is_synthetic=True,
                )
            )
        for j in range(layout.cell_site.size):
            site = sites[layout.cell_site[j]]
            Cell.objects.create(
                site=site,
                operator=site.operator,
                code=f"{site.code}-{j % 3 + 1}",
                band=layout.cell_band[j],
                f_mhz=float(layout.cell_f[j]),
                bw_mhz=float(layout.cell_bw[j]),
                power_dbm=float(layout.cell_power[j]),
                gain_dbi=18.0,
                height_m=float(layout.cell_height[j]),
                azimuth_deg=float(layout.cell_azimuth[j]),
                mech_tilt_deg=float(layout.cell_tilt[j]),
                beamwidth_deg=65.0,
            )
        owners = [units["radio-tv"], units["xz-cable-demo"], units["xz-meteo-demo"]]
        purposes = [
            EarthStationPurpose.BROADCASTING,
            EarthStationPurpose.CABLE_HEADEND,
            EarthStationPurpose.METEOROLOGY,
        ]
        for k in range(layout.es_lon.size):
            county = counties[layout.es_county[k]]
            sat, sat_lon = SATELLITES[layout.es_sat[k]]
            legacy = layout.es_p1db[k] < -20
            EarthStation.objects.create(
                owner=owners[k % 3],
                code=f"DEMO-ES-{county.adcode}-{k:03d}",
                name=f"{county.name_zh}{['广播电视', '有线前端', '气象'][k % 3]}卫星接收站（演示）",
                purpose=purposes[k % 3],
                division=county,
                lon=round(float(layout.es_lon[k]), 5),
                lat=round(float(layout.es_lat[k]), 5),
                ground_m=round(float(es_ground[k]), 1),
                diameter_m=float(layout.es_diameter[k]),
                satellite=sat,
                orbital_lon_deg=sat_lon,
                lnb_p1db_dbm=float(layout.es_p1db[k]),
                filter_name="3.7–4.2 GHz 带通滤波器" if layout.es_filter_db[k] else "",
                filter_rejection_db=float(layout.es_filter_db[k]),
                is_synthetic=True,
                carrier_low_mhz=3840.0,
                carrier_high_mhz=3876.0,
                noise_temp_k=120.0 if legacy else 90.0,
            )
    report["sites"], report["cells"], report["earth_stations"] = (
        len(sites),
        layout.cell_site.size,
        layout.es_lon.size,
    )
    say(
        f"demo registry: {len(sites)} sites, {layout.cell_site.size} cells, {layout.es_lon.size} earth stations"
    )
    # A region-wide study, run now so the pages have results.
    study = services.study_create(
        user=regulator,
        name="全区C频段地球站干扰排查（演示，合成地形）",
        scope=StudyScope.ALL,
        coordination_km=30.0,
        enqueue=False,
    )
    study = services.study_execute(study_id=study.pk)
    report["study"] = study.summary
    say(
        f"demo study: {study.summary.get('n_pairs')} pairs, {study.summary.get('n_failing_stations')} earth stations fail"
    )
    _demo_cases(study=study, regulator=regulator, units=units, report=report)
    _demo_emf(regulator=regulator, report=report)
    _demo_coverage(counties=counties, report=report)
    _demo_monthly(units=units, counties=counties, regulator=regulator)
    InterferenceStudy.objects.filter(pk=study.pk)  # keep the study
    return report


def _demo_cases(*, study, regulator, units, report):
    failing = list(
        StudyStationResult.objects.filter(study=study, passes=False)
        .select_related("earth_station")
        .order_by("worst_margin_db")[:3]
    )
    made = 0
    for k, result in enumerate(failing):
        pairs = list(
            study.pairs.filter(earth_station=result.earth_station, passes=False)
            .select_related("cell")
            .order_by("margin_db")[:3]
        )
        cells = [p.cell for p in pairs if p.cell.operator_id == pairs[0].cell.operator_id]
        case = services.case_open(
            user=regulator,
            earth_station=result.earth_station,
            cells=cells,
            study=study,
            description="区域排查发现的干扰（演示数据）",
        )
        made += 1
        if k >= 1:
            services.case_advance(user=regulator, case=case, note="开展计算")
            services.case_advance(user=regulator, case=case, note="进入协调")
        if k >= 2:
            services.case_propose_mitigation(
                user=regulator,
                case=case,
                mitigation={"kind": "lnb_filter", "rejection_db": 50},
                note="建议加装带通滤波器",
            )
            case.refresh_from_db()
            if case.whatif_study and case.whatif_study.summary.get("passes"):
                services.case_accept_mitigation(user=regulator, case=case)
                services.case_advance(user=regulator, case=case, note="运营商与地球站用户达成协议")
    report["cases"] = made


def _demo_emf(*, regulator, report):
    n = 0
    for site in Site.objects.filter(is_synthetic=True).order_by("pk")[:40]:
        services.emf_assess_site(site=site, user=regulator, raise_alerts=True)
        n += 1
    report["emf_assessments"] = n


def _demo_coverage(*, counties, report):
    rng = np.random.default_rng(DEMO_SEED + 1)
    with transaction.atomic():
        for county in counties:
            for j in range(6):
                r = rng.exponential(12.0)
                b = rng.uniform(0, 2 * np.pi)
                code = f"{county.adcode}{100 + j // 3:03d}{200 + j:03d}"
                Village.objects.update_or_create(
                    adcode=code,
                    defaults={
                        "name": f"{county.name_zh}示例村{j + 1}（演示）",
                        "kind": "village",
                        "county": county,
                        "lon": round(
                            county.seat_lon
                            + r * np.sin(b) / (111.32 * np.cos(np.radians(county.seat_lat))),
                            5,
                        ),
                        "lat": round(county.seat_lat + r * np.cos(b) / 111.32, 5),
                        "population": int(rng.integers(150, 2500)),
                    },
                )
    result = services.coverage_compute()
    report["coverage"] = result


def _demo_monthly(*, units, counties, regulator):
    prefectures = sorted({c.parent for c in counties if c.parent}, key=lambda d: d.adcode)
    rng = np.random.default_rng(DEMO_SEED + 2)
    start = date(2025, 11, 1)
    months = []
    d = start
    for _ in range(12):
        months.append(d)
        d = (d + timedelta(days=32)).replace(day=1)
    with acting_as(regulator):
        for op_code, share in OPERATOR_SHARE.items():
            for pref in prefectures:
                base = PREFECTURE_WEIGHT.get(pref.adcode // 100, 1.0) * share
                for i, month in enumerate(months):
                    growth = 1 + 0.025 * i
                    users = int(base * 90000 * growth * rng.uniform(0.97, 1.03))
                    OperatorMonthlyReport.objects.update_or_create(
                        operator=units[op_code],
                        prefecture=pref,
                        month=month,
                        defaults={
                            "base_stations_5g": int(base * 400 * growth),
                            "users_5g": users,
                            "terminal_users_5g": int(users * 1.35),
                            "traffic_share_pct": round(
                                min(80.0, 28 + 1.6 * i + rng.uniform(-1, 1)), 1
                            ),
                        },
                    )
