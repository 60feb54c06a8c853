"""Region-wide interference study benchmark (issue 6).

17,000 5G cells and 2,000 C-band earth stations placed over a synthetic Xizang-sized plateau,
clustered around the 74 county seats (denser in Lhasa, Shigatse, Nyingchi, Shannan, Chamdo,
Nagqu); every (cell, earth station) pair within 60 km studied end to end through the app's own
job code (`network.services.study_execute`): input snapshot from PostgreSQL, selection, terrain
profiles at 90 m spacing, ITU-R P.452-18 (in-band at the ES carrier, blocking at the 5G
frequency), antenna gains, margins, per-station aggregates, storage of every pair (COPY) and
alerts. The registry is built once (untimed) and reused by later runs.

Terrain: `SyntheticPlateauDem` over 78.3-99.2 E, 26.8-36.5 N generated at 1/240 deg (~460 m x
400 m, 11.7 M cells, 93 MB) and sampled bilinearly every 90 m along each profile; a true 90 m grid
would be 289 M cells (2.3 GB), so the 90 m profile sampling runs on a coarser internal grid.

Reference, same run: the engine's one-pair API (`radio.interference.assess_pair`) timed on a
random sample of the same pairs and extrapolated to all of them; and the 60 s goal.

Usage: .venv/bin/python benchmarks/region_study_bench.py   (BENCH_DATABASE_URL to override)
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/xz_region_bench"
)
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xizang5g.settings")

N_CELLS, N_ES, DISTANCE_KM, SPACING_M, GOAL_S = 17_000, 2_000, 60.0, 90.0, 60.0
SAMPLE = 60


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class PeakRss:
    def __init__(self):
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def build_registry():
    """Units, regulator, terrain tile and the 17,000-cell / 2,000-ES registry (once)."""
    from django.core.management import call_command
    from django.db import transaction

    from xizang5g.core.audit import acting_as
    from xizang5g.core.choices import Role, UnitKind
    from xizang5g.core.models import AdminDivision, Unit, User
    from xizang5g.core.services import divisions_load, user_create
    from xizang5g.network import services
    from xizang5g.network.demo import (
        SATELLITES,
        XIZANG_BOUNDS,
        generate_layout,
        synthetic_terrain_params,
    )
    from xizang5g.network.models import Cell, EarthStation, Site, TerrainTile

    call_command("migrate", "network", verbosity=0)
    divisions_load()
    units = {}
    for code, name, kind in (
        ("cm-xz", "中国移动（基准测试）", UnitKind.OPERATOR),
        ("ct-xz", "中国电信（基准测试）", UnitKind.OPERATOR),
        ("cu-xz", "中国联通（基准测试）", UnitKind.OPERATOR),
        ("bench-es", "地球站用户（基准测试）", UnitKind.DEPARTMENT),
        ("bench-ca", "通信管理局（基准测试）", UnitKind.DEPARTMENT),
    ):
        units[code] = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[
            0
        ]
    user = User.objects.filter(username="bench-regulator").first() or user_create(
        username="bench-regulator",
        password="Xz5g-Bench-Pw-9731!",
        role=Role.REGULATOR,
        unit=units["bench-ca"],
    )
    TerrainTile.objects.exclude(name="bench-synthetic-plateau").delete()
    if not TerrainTile.objects.exists():
        services.terrain_register(
            user=user,
            name="bench-synthetic-plateau",
            kind="synthetic",
            bounds=XIZANG_BOUNDS,
            params=synthetic_terrain_params(resolution_deg=1 / 240),
        )
    if Cell.objects.count() == N_CELLS and EarthStation.objects.count() == N_ES:
        return user, 0.0
    t0 = time.perf_counter()
    counties = list(AdminDivision.objects.filter(level="county").order_by("adcode"))
    layout = generate_layout(
        [(c.adcode, c.seat_lon, c.seat_lat) for c in counties],
        n_cells=N_CELLS,
        n_earth_stations=N_ES,
        seed=17,
    )
    with transaction.atomic(), acting_as(user):
        from xizang5g.network.models import InterferenceStudy

        for old in InterferenceStudy.objects.all():
            services.study_delete(user=user, study=old)
        Cell.objects.all().delete()
        Site.objects.all().delete()
        EarthStation.objects.all().delete()
        sites = []
        for k in range(layout.site_lon.size):
            op = layout.site_operator[k]
            sites.append(
                Site.objects.create(
                    operator=units[op],
                    code=f"B-{k:05d}",
                    name=f"基准站{k}",
                    division=counties[layout.site_county[k]],
                    lon=float(layout.site_lon[k]),
                    lat=float(layout.site_lat[k]),
                    is_synthetic=True,
                )
            )
        for j in range(layout.cell_site.size):
            site = sites[layout.cell_site[j]]
            Cell.objects.create(
                site=site,
                operator=site.operator,
                code=f"{site.code}-{j % 3}",
                band=layout.cell_band[j],
                f_mhz=float(layout.cell_f[j]),
                bw_mhz=float(layout.cell_bw[j]),
                power_dbm=float(layout.cell_power[j]),
                gain_dbi=18.0,
                height_m=float(layout.cell_height[j]),
                azimuth_deg=float(layout.cell_azimuth[j]),
                mech_tilt_deg=float(layout.cell_tilt[j]),
            )
        for k in range(layout.es_lon.size):
            sat, sat_lon = SATELLITES[layout.es_sat[k]]
            EarthStation.objects.create(
                owner=units["bench-es"],
                code=f"B-ES-{k:04d}",
                name=f"基准地球站{k}",
                purpose="broadcasting",
                division=counties[layout.es_county[k]],
                lon=float(layout.es_lon[k]),
                lat=float(layout.es_lat[k]),
                diameter_m=float(layout.es_diameter[k]),
                satellite=sat,
                orbital_lon_deg=sat_lon,
                lnb_p1db_dbm=float(layout.es_p1db[k]),
                filter_rejection_db=float(layout.es_filter_db[k]),
                carrier_low_mhz=3840.0,
                carrier_high_mhz=3876.0,
                is_synthetic=True,
            )
    return user, time.perf_counter() - t0


def reference_one_pair(study, sample: int):
    """The engine's one-pair API on a random sample of the study's pairs (seconds per pair)."""
    import numpy as np

    from xizang5g.network import constants as C
    from xizang5g.network import engine
    from xizang5g.network.models import TerrainTile
    from xizang5g.radio import interference

    dem = engine.dem_from_tiles(TerrainTile.objects.filter(is_active=True))
    ids = list(
        study.pairs.values_list("pk", flat=True).order_by("pk")[
            :: max(1, study.pairs.count() // sample)
        ][:sample]
    )
    pairs = list(study.pairs.filter(pk__in=ids).select_related("cell__site", "earth_station"))
    diffs = []
    t0 = time.perf_counter()
    for p in pairs:
        c, es = p.cell, p.earth_station
        res = interference.assess_pair(
            interference.BaseStationCell(
                lon=c.site.lon,
                lat=c.site.lat,
                antenna_height_m=c.height_m,
                azimuth_deg=c.azimuth_deg,
                tilt_deg=c.mech_tilt_deg,
                tx_power_dbm=c.power_dbm,
                f_low_mhz=c.f_mhz - c.bw_mhz / 2,
                f_high_mhz=c.f_mhz + c.bw_mhz / 2,
                g0_dbi=c.gain_dbi,
                phi3_deg=c.beamwidth_deg,
            ),
            interference.EarthStation(
                lon=es.lon,
                lat=es.lat,
                antenna_height_m=es.antenna_height_m,
                dish_diameter_m=es.diameter_m,
                satellite_lon=es.orbital_lon_deg,
                carrier_low_mhz=es.carrier_low_mhz,
                carrier_high_mhz=es.carrier_high_mhz,
            ),
            dem,
            criteria=interference.ProtectionCriteria(
                es_noise_temp_k=es.noise_temp_k,
                lnb_max_input_dbm=es.lnb_p1db_dbm - C.BLOCKING_BACKOFF_DB,
            ),
            mitigation=interference.Mitigation(filter_rejection_db=es.filter_rejection_db),
            delta_n=C.DELTA_N,
            n0=C.N0,
            press_hpa=C.PLATEAU_PRESSURE_HPA,
            temp_c=C.PLATEAU_TEMPERATURE_C,
            spacing_m=SPACING_M,
        )
        diffs.append(p.margin_db - res.worst_margin_db)
    per_pair = (time.perf_counter() - t0) / max(len(pairs), 1)
    return per_pair, np.array(diffs)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    import numpy as np

    from xizang5g.network import services
    from xizang5g.network.models import InterferenceStudy, StudyPair

    user, build_s = build_registry()
    for old in InterferenceStudy.objects.all():
        services.study_delete(user=user, study=old)
    from xizang5g.network import engine
    from xizang5g.network.models import TerrainTile

    t0 = time.perf_counter()
    dem = engine.dem_from_tiles(
        TerrainTile.objects.filter(is_active=True)
    )  # built once, cached (untimed)
    engine.path_loss(
        dem=dem,
        tx_lon=90.0,
        tx_lat=30.0,
        rx_lon=90.1,
        rx_lat=30.1,
        f_mhz=3500.0,
        htg_m=30.0,
        hrg_m=5.0,
        p_percent=20.0,
        spacing_m=SPACING_M,
    )  # JIT warm-up (cached on disk after the first run)
    warm_s = time.perf_counter() - t0
    study = services.study_create(
        user=user,
        name="全区基准（合成地形）",
        scope="all",
        coordination_km=DISTANCE_KM,
        enqueue=False,
        profile_spacing_m=SPACING_M,
    )
    base_rss = rss_mb()
    with PeakRss() as peak:
        t0 = time.perf_counter()
        study = services.study_execute(study_id=study.pk)
        total_s = time.perf_counter() - t0
    s = study.summary
    stored = StudyPair.objects.filter(study=study).count()
    per_pair, diffs = reference_one_pair(study, SAMPLE)
    ref_total = per_pair * s["n_pairs"]
    print(
        f"Region study benchmark — {N_CELLS:,} cells, {N_ES:,} earth stations, {DISTANCE_KM:g} km, "
        f"profiles every {SPACING_M:g} m, PostgreSQL ({DB_URL.rsplit('/', 1)[1]})"
    )
    print(
        f"registry build {build_s:.1f} s (untimed, reused when present); DEM build + JIT warm-up {warm_s:.1f} s (untimed)"
    )
    print()
    print(f"| {'stage':<42} | {'time (s)':>9} |")
    print(f"|{'-' * 44}|{'-' * 11}|")
    for key, value in s["timings"].items():
        print(f"| {key:<42} | {value:>9.2f} |")
    print(f"| {'end to end (study_execute, +snapshot+alerts)':<42} | {total_s:>9.2f} |")
    print()
    print(
        f"pairs within {DISTANCE_KM:g} km : {s['n_pairs']:,} (stored {stored:,}); {s['n_profiles']:,} distinct profiles, "
        f"{s['n_p452_paths']:,} P.452 paths (in-band + blocking)"
    )
    print(
        f"failing pairs          : {s['n_failing_pairs']:,}; failing earth stations {s['n_failing_stations']:,} / {s['n_stations']:,}"
    )
    print(f"throughput             : {s['n_pairs'] / total_s:,.0f} pairs/s")
    print(
        f"peak RSS during study  : {peak.peak:,.0f} MB (process before the study: {base_rss:,.0f} MB)"
    )
    print()
    print("| approach | time for all pairs (s) | pairs/s | ratio |")
    print("|---|---|---|---|")
    print(f"| this study job (end to end) | {total_s:.1f} | {s['n_pairs'] / total_s:,.0f} | 1.0 |")
    print(
        f"| engine one-pair API `assess_pair`, {len(diffs)} sampled pairs, extrapolated | {ref_total:,.0f} | {1 / per_pair:,.0f} | {ref_total / total_s:,.0f}x slower |"
    )
    print(
        f"| goal | {GOAL_S:.0f} | {s['n_pairs'] / GOAL_S:,.0f} | study takes {total_s / GOAL_S:.2f} of the goal |"
    )
    print()
    print(
        f"margin agreement with assess_pair on the sample: median {np.median(diffs):+.3f} dB, max |diff| {np.max(np.abs(diffs)):.3f} dB"
    )


if __name__ == "__main__":
    main()
