"""Loader for the ITU-R P.452-18 digital maps DN50.TXT and N050.TXT (not shipped).

The maps are ITU digital products supplied with Rec. ITU-R P.452-18; users who hold them pass
their paths here. Both are 121 x 241 grids at 1.5 deg spacing, rows from latitude +90 to -90,
columns from longitude 0 to 360 east, read as whitespace-separated text.
Values are bilinearly interpolated. P.452 uses the path-centre values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import RadioInputError
from .terrain import destination_point, great_circle_distance_km, initial_bearing_deg

__all__ = ["MAP_SHAPE", "RefractivityMaps", "read_itu_map"]

MAP_SHAPE = (121, 241)
MAP_SPACING_DEG = 1.5


def read_itu_map(path: str | Path) -> np.ndarray:
    """Read one 121 x 241 ITU map (DN50.TXT or N050.TXT) as a float array."""
    grid = np.loadtxt(path, dtype=float)
    if grid.shape != MAP_SHAPE:
        raise RadioInputError(f"{path}: expected a {MAP_SHAPE} grid, got {grid.shape}")
    return grid


def _interp(grid: np.ndarray, lon, lat) -> np.ndarray:
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    if np.any(np.abs(lat) > 90) or np.any((lon < -180) | (lon > 360)):
        raise RadioInputError("latitude must be within [-90, 90], longitude within [-180, 360]")
    row = (90.0 - lat) / MAP_SPACING_DEG
    col = np.mod(lon, 360.0) / MAP_SPACING_DEG
    r0 = np.minimum(np.floor(row).astype(int), MAP_SHAPE[0] - 1)
    c0 = np.minimum(np.floor(col).astype(int), MAP_SHAPE[1] - 1)
    r1 = np.minimum(r0 + 1, MAP_SHAPE[0] - 1)
    c1 = np.minimum(c0 + 1, MAP_SHAPE[1] - 1)
    fr = row - r0
    fc = col - c0
    top = grid[r0, c0] + fc * (grid[r0, c1] - grid[r0, c0])
    bottom = grid[r1, c0] + fc * (grid[r1, c1] - grid[r1, c0])
    return top + fr * (bottom - top)


@dataclass(frozen=True, eq=False)
class RefractivityMaps:
    """DN50 (N-units/km) and N050 (N-units) maps of Rec. ITU-R P.452-18.

    Build with :meth:`from_files`; query with :meth:`delta_n`, :meth:`n0`, or
    :meth:`path_centre` for the values P.452 needs.
    """

    dn50: np.ndarray
    n050: np.ndarray

    @classmethod
    def from_files(cls, dn50_path: str | Path, n050_path: str | Path) -> RefractivityMaps:
        """Read the user-supplied ITU files DN50.TXT and N050.TXT."""
        return cls(read_itu_map(dn50_path), read_itu_map(n050_path))

    def delta_n(self, lon, lat) -> np.ndarray:
        """Average lapse rate of refractivity over the lowest 1 km, dN (N-units/km)."""
        return _interp(self.dn50, lon, lat)

    def n0(self, lon, lat) -> np.ndarray:
        """Sea-level surface refractivity N0 (N-units)."""
        return _interp(self.n050, lon, lat)

    def path_centre(self, tx_lon, tx_lat, rx_lon, rx_lat) -> tuple[np.ndarray, np.ndarray]:
        """(dN, N0) at the great-circle mid-point of each path (P.452-18 §3.2)."""
        half = 0.5 * great_circle_distance_km(tx_lon, tx_lat, rx_lon, rx_lat)
        bearing = initial_bearing_deg(tx_lon, tx_lat, rx_lon, rx_lat)
        lon_m, lat_m = destination_point(tx_lon, tx_lat, bearing, half)
        lon_m = np.mod(lon_m + 180.0, 360.0) - 180.0
        return self.delta_n(lon_m, lat_m), self.n0(lon_m, lat_m)
