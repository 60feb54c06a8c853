"""Terrain: DEM access and great-circle profile extraction, batched over station pairs.

* :class:`Dem` - protocol: ``sample(lon, lat) -> h_m`` on arrays (degrees in, metres out).
* :class:`RasterDem` - any raster GDAL reads through rasterio (GeoTIFF, SRTM ``.hgt``),
  bilinear interpolation, loaded once into memory.
* :class:`SyntheticPlateauDem` - clearly synthetic fractal plateau terrain (3,500-5,500 m) for
  demos, tests and benchmarks. It is NOT real terrain.
* :func:`profiles` - great-circle profiles for many Tx/Rx pairs, returned as flat ragged arrays
  (:class:`ProfileSet`) ready for :meth:`xizang5g.radio.p452.PathBatch.from_flat`.

Geometry uses a spherical Earth of radius 6371 km (as ITU-R P.2001 Attachment H).

Speed: the points and, for the two grid DEMs of this module, the bilinear heights are computed by
compiled kernels (:mod:`._terrain_kernels`) in one pass per path, without per-point temporaries;
any other :class:`Dem` is sampled through its ``sample`` method in bounded chunks of points.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from . import _terrain_kernels as _tk
from .constants import EARTH_RADIUS_KM, K_STANDARD_ATMOSPHERE
from .errors import RadioInputError

__all__ = [
    "Dem",
    "ProfileSet",
    "RasterDem",
    "SyntheticPlateauDem",
    "destination_point",
    "elevation_angle_deg",
    "great_circle_distance_km",
    "initial_bearing_deg",
    "profiles",
    "unit_chord",
    "unit_vectors",
]


@runtime_checkable
class Dem(Protocol):
    """A digital elevation model: terrain height (m amsl) at WGS84 longitude/latitude (deg)."""

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray: ...


# Points per chunk when a DEM without a compiled grid path is sampled through ``sample``:
# bounds the temporaries of that call (about 8 arrays of 8 bytes per point, ~64 MB).
_SAMPLE_CHUNK_POINTS = 1 << 20


def _sample_mapped(grid: np.ndarray, mapping: np.ndarray, x, y) -> np.ndarray:
    """Bilinear heights of ``grid`` at (x, y) through the grid mapping (compiled kernel)."""
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    out = np.empty(x.shape)
    _tk.sample_grid(
        grid, mapping, np.ascontiguousarray(x).ravel(), np.ascontiguousarray(y).ravel(), out.ravel()
    )
    return out


class RasterDem:
    """DEM read with rasterio (GeoTIFF, SRTM ``.hgt`` and any other GDAL raster).

    Parameters
    ----------
    path : str or Path
        Raster file. Geographic (lon/lat) rasters are sampled directly; projected rasters
        have the query points transformed with ``rasterio.warp.transform``.
    band : int
        Band to read (1-based).
    nodata_m : float
        Height used where the raster has no data (SRTM voids are -32768).

    Notes
    -----
    Interpolation is bilinear between pixel centres; points outside the raster are clamped to
    the nearest edge pixel, so check :attr:`bounds` for coverage.
    """

    def __init__(self, path: str | Path, *, band: int = 1, nodata_m: float = 0.0):
        import rasterio  # local import: only this class needs GDAL

        with rasterio.open(path) as src:
            data = src.read(band).astype(np.float64)
            nodata = src.nodata
            self._inverse = ~src.transform
            self.crs = src.crs
            self.bounds = tuple(src.bounds)
        invalid = ~np.isfinite(data) | (data <= -32767)
        if nodata is not None:
            invalid |= data == nodata
        data[invalid] = nodata_m
        self._grid = np.ascontiguousarray(data)
        self._geographic = self.crs is None or self.crs.is_geographic
        inv = self._inverse
        # Raster (x, y) -> pixel-centre (col, row): the affine maps to corners, centres at +0.5.
        self._mapping = np.array(
            [inv.a, inv.b, inv.c, 0.5, 1.0, inv.d, inv.e, inv.f, 0.5, 1.0], dtype=np.float64
        )

    def _lonlat_grid(self):
        """(grid, mapping) sampling this DEM directly at lon/lat, or None if it is projected."""
        return (self._grid, self._mapping) if self._geographic else None

    def sample(self, lon, lat):
        """Terrain height (m) at ``lon``, ``lat`` (degrees, any broadcastable shapes)."""
        lon, lat = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
        x, y = lon.ravel(), lat.ravel()
        if not self._geographic:
            from rasterio.warp import transform  # GDAL: only projected rasters need it

            x, y = (np.asarray(v) for v in transform("EPSG:4326", self.crs, x, y))
        return _sample_mapped(self._grid, self._mapping, x, y).reshape(lon.shape)


class SyntheticPlateauDem:
    """Synthetic fractal plateau terrain for demos and tests (NOT real elevation data).

    A spectral (1/f^beta) random field, seeded, scaled so heights span 3,500-5,500 m, with a
    gentle ridge structure typical of a high plateau.

    Parameters
    ----------
    seed : int
        Random seed; the same seed, bounds and resolution give the same terrain.
    bounds : (lon_min, lat_min, lon_max, lat_max)
        Covered area (degrees). Queries outside are clamped to the edge.
    resolution_deg : float
        Grid spacing (degrees); 1/240 deg is about 460 m x 400 m at 30 deg N.
    h_min_m, h_max_m : float
        Height range of the terrain (m amsl).
    spectral_slope : float
        Exponent beta of the amplitude spectrum ~ k^-beta (larger is smoother).
    """

    def __init__(
        self,
        seed: int = 0,
        bounds: tuple[float, float, float, float] = (88.0, 28.5, 92.0, 31.5),
        resolution_deg: float = 1.0 / 240.0,
        *,
        h_min_m: float = 3500.0,
        h_max_m: float = 5500.0,
        spectral_slope: float = 1.6,
    ):
        lon0, lat0, lon1, lat1 = (float(v) for v in bounds)
        if not (lon1 > lon0 and lat1 > lat0 and resolution_deg > 0):
            raise RadioInputError("bounds must be (lon_min, lat_min, lon_max, lat_max), res > 0")
        self.bounds = (lon0, lat0, lon1, lat1)
        self.resolution_deg = float(resolution_deg)
        nx = int(np.ceil((lon1 - lon0) / resolution_deg)) + 1
        ny = int(np.ceil((lat1 - lat0) / resolution_deg)) + 1
        if nx * ny > 50_000_000:
            raise RadioInputError("synthetic grid too large; coarsen resolution_deg")
        rng = np.random.default_rng(seed)
        kx = np.fft.rfftfreq(nx)
        ky = np.fft.fftfreq(ny)
        k = np.hypot(ky[:, None], kx[None, :])
        k[0, 0] = 1.0
        amplitude = k**-spectral_slope
        amplitude[0, 0] = 0.0
        phase = rng.uniform(0.0, 2.0 * np.pi, size=amplitude.shape)
        field = np.fft.irfft2(amplitude * np.exp(1j * phase), s=(ny, nx))
        # Fold the field into ridges (|x| shaping), typical of dissected plateau relief.
        field = -np.abs(field - np.median(field))
        field = (field - field.min()) / (field.max() - field.min())
        self._grid = np.ascontiguousarray(h_min_m + (h_max_m - h_min_m) * field)
        self.shape = self._grid.shape
        # (lon, lat) -> pixel (col, row) = ((lon - lon0) / res, (lat - lat0) / res).
        res = self.resolution_deg
        self._mapping = np.array([1.0, 0.0, -lon0, 0.0, res, 0.0, 1.0, -lat0, 0.0, res])

    def _lonlat_grid(self):
        """(grid, mapping) sampling this DEM at lon/lat (see :mod:`._terrain_kernels`)."""
        return self._grid, self._mapping

    def sample(self, lon, lat):
        """Terrain height (m) at ``lon``, ``lat`` (degrees); row 0 is the southern edge."""
        return _sample_mapped(self._grid, self._mapping, lon, lat)


def great_circle_distance_km(lon1, lat1, lon2, lat2):
    """Great-circle distance (km) on the 6371 km sphere (haversine), broadcast."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def initial_bearing_deg(lon1, lat1, lon2, lat2):
    """Initial great-circle bearing (deg clockwise from north, 0-360) from point 1 to 2."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.mod(np.degrees(np.arctan2(y, x)), 360.0)


def destination_point(lon, lat, bearing_deg, distance_km):
    """Point reached from (lon, lat) along ``bearing_deg`` after ``distance_km`` (deg, deg)."""
    phi1 = np.radians(lat)
    lam1 = np.radians(lon)
    theta = np.radians(bearing_deg)
    delta = np.asarray(distance_km, float) / EARTH_RADIUS_KM
    phi2 = np.arcsin(np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(theta))
    lam2 = lam1 + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi1), np.cos(delta) - np.sin(phi1) * np.sin(phi2)
    )
    return np.degrees(lam2), np.degrees(phi2)


def elevation_angle_deg(d_km, h_from_m, h_to_m, k_factor=K_STANDARD_ATMOSPHERE):
    """Elevation angle (deg) of one terminal seen from another over a smooth effective Earth.

    The Earth is a sphere of effective radius a_e = k a (a = 6371 km), which accounts for
    refraction. With the central angle t = d / a_e and r1 = a_e + h_from, r2 = a_e + h_to,
    tan(el) = (r2 cos t - r1) / (r2 sin t); for short paths this is the familiar
    (h_to - h_from) / d - d / (2 a_e).

    Parameters
    ----------
    d_km : array_like
        Great-circle distance between the terminals (km), > 0.
    h_from_m, h_to_m : array_like
        Heights of the observing and the observed terminal above one reference, e.g. above
        mean sea level (m).
    k_factor : float
        Effective Earth-radius factor; default 4/3 (standard atmosphere).

    Returns
    -------
    ndarray
        Elevation (deg) above the observer's horizontal plane; negative below it.
    """
    d = np.asarray(d_km, float)
    h1 = np.asarray(h_from_m, float)
    h2 = np.asarray(h_to_m, float)
    if np.any(~(d > 0.0)) or np.any(~np.isfinite(d)):
        raise RadioInputError("d_km must be a finite distance > 0 km")
    if not (np.all(np.isfinite(h1)) and np.all(np.isfinite(h2))):
        raise RadioInputError("h_from_m and h_to_m must be finite heights")
    if not k_factor > 0.0:
        raise RadioInputError("k_factor must be > 0")
    ae = EARTH_RADIUS_KM * k_factor
    t = d / ae
    r1 = ae + h1 / 1000.0
    r2 = ae + h2 / 1000.0
    return np.degrees(np.arctan2(r2 * np.cos(t) - r1, r2 * np.sin(t)))


def unit_vectors(lon, lat):
    """Points (deg) as unit vectors from the Earth's centre, shape (n, 3) (for k-d trees)."""
    lam, phi = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    return np.column_stack(
        [np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]
    ).reshape(-1, 3)


def unit_chord(d_km):
    """Straight-line distance between two :func:`unit_vectors` that lie ``d_km`` apart along
    the great circle (monotonic in distance, so a radius search on the vectors with this chord
    finds every point within ``d_km``)."""
    d = np.asarray(d_km, float)
    if np.any(~(d >= 0.0)):
        raise RadioInputError("d_km must be >= 0 km")
    return 2.0 * np.sin(np.minimum(d / EARTH_RADIUS_KM, np.pi) / 2.0)


def _compiled_grid(dem):
    """(grid, mapping) when ``dem`` is one of this module's grid DEMs sampled as-is, else None.

    A subclass that overrides ``sample`` keeps its own sampling (it goes through ``sample``).
    """
    for cls in (SyntheticPlateauDem, RasterDem):
        if isinstance(dem, cls) and type(dem).sample is cls.sample:
            return dem._lonlat_grid()
    return None


@dataclass(frozen=True, eq=False)
class ProfileSet:
    """Ragged great-circle profiles stored flat; path ``i`` is ``[offsets[i]:offsets[i + 1]]``.

    Attributes
    ----------
    d_km, h_m, lon, lat : ndarray
        Distance from Tx (km), terrain height (m), point longitude and latitude (deg).
    offsets : ndarray of int64
        ``n_paths + 1`` boundaries.
    """

    d_km: np.ndarray
    h_m: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return self.offsets.size - 1

    def split(self, name: str = "h_m") -> list[np.ndarray]:
        """One array per path of field ``name`` (views into the flat array)."""
        return np.split(getattr(self, name), self.offsets[1:-1])


def profiles(tx_lon, tx_lat, rx_lon, rx_lat, spacing_m, dem: Dem, *, min_points: int = 4):
    """Great-circle terrain profiles for many Tx/Rx pairs in one vectorised call.

    Parameters
    ----------
    tx_lon, tx_lat, rx_lon, rx_lat : array_like
        Terminal coordinates (deg); scalars or length-``n`` arrays.
    spacing_m : float or array_like
        Target point spacing (m) per pair; points are equally spaced, the last at the Rx.
    dem : Dem
        Terrain model sampled (bilinearly) at every point.
    min_points : int
        Minimum number of points per profile (P.452 needs at least 4).

    Returns
    -------
    ProfileSet
    """
    tx_lon, tx_lat, rx_lon, rx_lat, spacing = (
        np.atleast_1d(np.asarray(v, float)) for v in (tx_lon, tx_lat, rx_lon, rx_lat, spacing_m)
    )
    try:
        tx_lon, tx_lat, rx_lon, rx_lat, spacing = np.broadcast_arrays(
            tx_lon, tx_lat, rx_lon, rx_lat, spacing
        )
    except ValueError as exc:
        raise RadioInputError(
            f"coordinates and spacing_m have incompatible shapes: {exc}"
        ) from None
    if tx_lon.ndim != 1:
        raise RadioInputError("coordinates and spacing_m must be scalars or 1-D arrays")
    if np.any(~np.isfinite(spacing) | (spacing <= 0)):
        raise RadioInputError("spacing_m must be positive and finite")
    for name, v in (("tx_lon", tx_lon), ("tx_lat", tx_lat), ("rx_lon", rx_lon), ("rx_lat", rx_lat)):
        if not np.all(np.isfinite(v)):
            raise RadioInputError(
                f"pair {int(np.flatnonzero(~np.isfinite(v))[0])}: {name} is not finite"
            )
    dist_km = great_circle_distance_km(tx_lon, tx_lat, rx_lon, rx_lat)
    if np.any(dist_km <= 0):
        bad = int(np.flatnonzero(dist_km <= 0)[0])
        raise RadioInputError(f"pair {bad}: Tx and Rx coincide")
    n_pts = np.maximum(np.ceil(dist_km * 1000.0 / spacing).astype(np.int64) + 1, min_points)
    offsets = np.zeros(n_pts.size + 1, dtype=np.int64)
    np.cumsum(n_pts, out=offsets[1:])
    total = int(offsets[-1])
    d_km = np.empty(total)
    h_m = np.empty(total)
    lon = np.empty(total)
    lat = np.empty(total)
    args = tuple(np.ascontiguousarray(v) for v in (tx_lon, tx_lat, rx_lon, rx_lat, dist_km))
    n_paths = n_pts.size
    grid = _compiled_grid(dem)
    if grid is not None:
        # Points and bilinear heights in one compiled pass; no temporaries beyond the outputs.
        _tk.great_circle_profiles_on_grid(
            *args, EARTH_RADIUS_KM, offsets, 0, n_paths, grid[0], grid[1], d_km, h_m, lon, lat
        )
        return ProfileSet(d_km=d_km, h_m=h_m, lon=lon, lat=lat, offsets=offsets)
    # Any other DEM: compiled points, then ``dem.sample`` on chunks of whole paths.
    p0 = 0
    while p0 < n_paths:
        p1 = int(np.searchsorted(offsets, offsets[p0] + _SAMPLE_CHUNK_POINTS, side="right")) - 1
        p1 = min(max(p1, p0 + 1), n_paths)
        s, e = int(offsets[p0]), int(offsets[p1])
        _tk.great_circle_points(
            *args, EARTH_RADIUS_KM, offsets, p0, p1, d_km[s:e], lon[s:e], lat[s:e]
        )
        heights = np.asarray(dem.sample(lon[s:e], lat[s:e]), float)
        if heights.shape != (e - s,):
            raise RadioInputError(
                f"{type(dem).__name__}.sample returned shape {heights.shape}, expected ({e - s},)"
            )
        h_m[s:e] = heights
        p0 = p1
    return ProfileSet(d_km=d_km, h_m=h_m, lon=lon, lat=lat, offsets=offsets)
