"""Compiled great-circle profile extraction against a straightforward reference implementation.

The reference below is written independently of the engine: one Python loop per path and per
point, ``math`` functions only (spherical linear interpolation between the terminal unit vectors,
``asin``/``atan2`` back to degrees, textbook bilinear interpolation between pixel centres).
Tolerances are floating-point noise: 1e-9 km on distances, 1e-12 deg on coordinates and 1e-9 m
on heights (the terrains here are at most ~0.5 m/m steep; a coordinate differing by one ulp,
about 1.4e-9 m at 90 deg E, moves a height by slope x that distance).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xizang5g.radio import RadioInputError, terrain
from xizang5g.radio.terrain import (
    RasterDem,
    SyntheticPlateauDem,
    destination_point,
    great_circle_distance_km,
    profiles,
)

R_KM = 6371.0
H_TOL_M = 1e-9
D_TOL_KM = 1e-9
LL_TOL_DEG = 1e-12


def reference_points(tx_lon, tx_lat, rx_lon, rx_lat, spacing_m, min_points=4):
    """Per-path, per-point reference: (offsets, d_km, lon, lat) as Python-computed arrays."""
    d_all, lon_all, lat_all, offsets = [], [], [], [0]
    for lo1, la1, lo2, la2, sp in zip(tx_lon, tx_lat, rx_lon, rx_lat, spacing_m, strict=True):
        p1, p2 = math.radians(la1), math.radians(la2)
        dl = math.radians(lo2 - lo1)
        hav = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        dist = 2.0 * R_KM * math.asin(math.sqrt(min(max(hav, 0.0), 1.0)))
        n = max(math.ceil(dist * 1000.0 / sp) + 1, min_points)
        a = _unit(lo1, la1)
        b = _unit(lo2, la2)
        omega = dist / R_KM
        for j in range(n):
            f = j / (n - 1)
            wa = math.sin((1 - f) * omega) / math.sin(omega)
            wb = math.sin(f * omega) / math.sin(omega)
            v = [wa * a[i] + wb * b[i] for i in range(3)]
            lat = math.degrees(math.asin(min(max(v[2], -1.0), 1.0)))
            lon = math.degrees(math.atan2(v[1], v[0]))
            lon += -360.0 if lon - lo1 > 180.0 else (360.0 if lon - lo1 < -180.0 else 0.0)
            d_all.append(f * dist)
            lon_all.append(lon)
            lat_all.append(lat)
        offsets.append(offsets[-1] + n)
    return np.array(offsets), np.array(d_all), np.array(lon_all), np.array(lat_all)


def _unit(lon, lat):
    lam, phi = math.radians(lon), math.radians(lat)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def reference_bilinear(grid, col, row):
    """Textbook bilinear interpolation at fractional pixel-centre (col, row), edge-clamped."""
    ny, nx = grid.shape
    out = np.empty(len(col))
    for i, (c, r) in enumerate(zip(col, row, strict=True)):
        c = min(max(c, 0.0), nx - 1.0)
        r = min(max(r, 0.0), ny - 1.0)
        c0 = min(math.floor(c), nx - 2)
        r0 = min(math.floor(r), ny - 2)
        fc, fr = c - c0, r - r0
        top = grid[r0, c0] * (1 - fc) + grid[r0, c0 + 1] * fc
        bottom = grid[r0 + 1, c0] * (1 - fc) + grid[r0 + 1, c0 + 1] * fc
        out[i] = top * (1 - fr) + bottom * fr
    return out


def random_pairs(rng, n, *, lon=(89.0, 91.0), lat=(29.3, 30.7), km=(0.05, 160.0)):
    tx_lon = rng.uniform(*lon, n)
    tx_lat = rng.uniform(*lat, n)
    rx_lon, rx_lat = destination_point(
        tx_lon, tx_lat, rng.uniform(0.0, 360.0, n), rng.uniform(*km, n)
    )
    return tx_lon, tx_lat, rx_lon, rx_lat, rng.uniform(30.0, 90.0, n)


def assert_matches_reference(ps, ref, heights):
    offsets, d, lon, lat = ref
    np.testing.assert_array_equal(ps.offsets, offsets)
    assert np.abs(ps.d_km - d).max() <= D_TOL_KM
    assert np.abs(ps.lon - lon).max() <= LL_TOL_DEG
    assert np.abs(ps.lat - lat).max() <= LL_TOL_DEG
    assert np.abs(ps.h_m - heights).max() <= H_TOL_M


class SmoothDem:
    """An analytic terrain (any ``Dem`` that is not a grid): exercises the generic path."""

    def __init__(self):
        self.calls = 0

    @staticmethod
    def height(lon, lat):
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        # Slopes below 0.3 m/m: 300 m of relief over wavelengths of a few km.
        return 4500.0 + 150.0 * np.sin(lon * 97.0) * np.cos(lat * 83.0) + 2.0 * lat

    def sample(self, lon, lat):
        self.calls += 1
        return self.height(lon, lat)


@pytest.fixture(scope="module")
def plateau():
    return SyntheticPlateauDem(seed=11)


def test_synthetic_dem_profiles_match_reference_on_random_pairs(plateau):
    rng = np.random.default_rng(20261123)
    pairs = random_pairs(rng, 120)
    ps = profiles(*pairs, plateau)
    ref = reference_points(*pairs)
    lon0, lat0 = plateau.bounds[:2]
    res = plateau.resolution_deg
    heights = reference_bilinear(plateau._grid, (ref[2] - lon0) / res, (ref[3] - lat0) / res)
    assert_matches_reference(ps, ref, heights)
    # The Dem protocol's own sample() is the same interpolation.
    np.testing.assert_array_equal(plateau.sample(ps.lon, ps.lat), ps.h_m)


def test_generic_dem_long_polar_and_antimeridian_paths_match_reference(monkeypatch):
    """Non-grid DEMs go through ``sample`` in chunks; long/polar arcs use the exact formulas."""
    monkeypatch.setattr(terrain, "_SAMPLE_CHUNK_POINTS", 5_000)
    rng = np.random.default_rng(7)
    groups = [
        random_pairs(rng, 30),  # short arcs on the plateau
        random_pairs(rng, 6, km=(330.0, 900.0)),  # beyond the short-arc limit (318 km)
        random_pairs(rng, 6, lat=(84.0, 88.0), km=(5.0, 60.0)),  # near the pole
        random_pairs(rng, 6, lon=(179.8, 179.99), lat=(-10.0, 10.0), km=(20.0, 60.0)),
    ]
    pairs = tuple(np.concatenate(parts) for parts in zip(*groups, strict=True))
    spacing = np.where(great_circle_distance_km(*pairs[:4]) > 300.0, 900.0, pairs[4])
    pairs = (*pairs[:4], spacing)
    dem = SmoothDem()
    ps = profiles(*pairs, dem)
    ref = reference_points(*pairs)
    assert_matches_reference(ps, ref, SmoothDem.height(ref[2], ref[3]))
    assert dem.calls > 1  # sampled chunk by chunk
    # Antimeridian crossings stay continuous around the Tx longitude.
    for i in range(len(ps)):
        assert np.all(np.abs(np.diff(ps.split("lon")[i])) < 5.0)


def test_subclass_overriding_sample_is_honoured(plateau):
    class Raised(SyntheticPlateauDem):
        def sample(self, lon, lat):
            return super().sample(lon, lat) + 100.0

    dem = Raised(seed=11)
    pairs = random_pairs(np.random.default_rng(3), 5)
    np.testing.assert_array_equal(profiles(*pairs, dem).h_m, profiles(*pairs, plateau).h_m + 100)


def _write_tif(path, data, crs, transform):
    rasterio = pytest.importorskip("rasterio")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=data.shape[0],
        width=data.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
    ) as dst:
        dst.write(data.astype(np.float32), 1)


def test_raster_dem_geographic_geotiff_matches_reference(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    # 3 arc-second (~90 m) smooth relief, north-up GeoTIFF over 89.9-90.4 E, 29.8-30.2 N.
    res = 1.0 / 1200.0
    west, north = 89.9, 30.2
    rows, cols = np.mgrid[0:480, 0:600]
    lon_c, lat_c = west + (cols + 0.5) * res, north - (rows + 0.5) * res
    data = SmoothDem.height(lon_c, lat_c).astype(np.float32)
    tif = tmp_path / "relief.tif"
    _write_tif(tif, data, "EPSG:4326", from_origin(west, north, res, res))
    dem = RasterDem(tif)

    rng = np.random.default_rng(5)
    pairs = random_pairs(rng, 40, lon=(89.95, 90.35), lat=(29.85, 30.15), km=(0.1, 20.0))
    pairs = (*pairs[:4], rng.uniform(20.0, 90.0, 40))
    ps = profiles(*pairs, dem)
    ref = reference_points(*pairs)
    with rasterio.open(tif) as src:
        grid = src.read(1).astype(np.float64)
        inv = ~src.transform
    col = inv.a * ref[2] + inv.b * ref[3] + inv.c - 0.5
    row = inv.d * ref[2] + inv.e * ref[3] + inv.f - 0.5
    assert_matches_reference(ps, ref, reference_bilinear(grid, col, row))


def test_raster_dem_projected_geotiff_matches_reference(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin
    from rasterio.warp import transform as warp

    # UTM zone 46N, 90 m pixels around 90.2 E, 30.0 N: points are transformed, then sampled.
    x0, y0 = warp("EPSG:4326", "EPSG:32646", [90.0], [30.15])
    x0, y0 = x0[0], y0[0]
    rows, cols = np.mgrid[0:220, 0:260]
    data = 4200.0 + 0.2 * 90.0 * cols - 0.1 * 90.0 * rows + 40.0 * np.sin(cols / 9.0)
    tif = tmp_path / "utm.tif"
    _write_tif(tif, data, "EPSG:32646", from_origin(x0, y0, 90.0, 90.0))
    dem = RasterDem(tif)
    rng = np.random.default_rng(9)
    pairs = random_pairs(rng, 10, lon=(90.05, 90.15), lat=(30.0, 30.1), km=(0.5, 5.0))
    ps = profiles(*pairs, dem)
    ref = reference_points(*pairs)
    x, y = (np.asarray(v) for v in warp("EPSG:4326", "EPSG:32646", ref[2], ref[3]))
    with rasterio.open(tif) as src:
        grid = src.read(1).astype(np.float64)
        inv = ~src.transform
    heights = reference_bilinear(grid, inv.a * x + inv.c - 0.5, inv.e * y + inv.f - 0.5)
    assert_matches_reference(ps, ref, heights)


def test_bad_input_is_rejected_with_a_clear_error(plateau):
    with pytest.raises(RadioInputError, match="pair 1: tx_lat is not finite"):
        profiles([90.0, 90.1], [30.0, np.nan], 90.2, 30.1, 50.0, plateau)
    with pytest.raises(RadioInputError, match="incompatible shapes"):
        profiles([90.0, 90.1], [30.0, 30.1, 30.2], 90.2, 30.1, 50.0, plateau)
    with pytest.raises(RadioInputError, match="coincide"):
        profiles(90.0, 30.0, 90.0, 30.0, 50.0, plateau)
    with pytest.raises(RadioInputError, match="spacing_m"):
        profiles(90.0, 30.0, 90.1, 30.0, 0.0, plateau)

    class Broken:
        def sample(self, lon, lat):
            return np.zeros(3)

    with pytest.raises(RadioInputError, match=r"Broken.sample returned shape"):
        profiles(90.0, 30.0, 90.1, 30.0, 50.0, Broken())
