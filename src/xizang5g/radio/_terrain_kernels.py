"""Numba kernels for great-circle profile extraction (:func:`xizang5g.radio.terrain.profiles`).

One compiled pass per path computes the equally spaced great-circle points (spherical linear
interpolation between the terminal unit vectors, the formulas of the NumPy reference in
:mod:`.terrain`), their distance from Tx and, when the DEM exposes a regular grid, the bilinear
height - with no per-point temporaries. The kernels are serial and release the GIL (``nogil``)
so callers may run chunks on several threads.

Grid mapping: a DEM grid is described by ``(ca, cb, cc, c_sub, c_div, ra, rb, rc, r_sub,
r_div)``; the fractional pixel-centre coordinates of (lon, lat) are
``col = ((ca*lon + cb*lat + cc) - c_sub) / c_div`` and likewise for ``row``. This one form
reproduces, operation for operation, both ``RasterDem`` (affine inverse, minus half a pixel)
and ``SyntheticPlateauDem`` (``(lon - lon0) / resolution``), so heights are bit-for-bit those
of the NumPy bilinear interpolation.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}

# Layout of the grid-mapping vector (see module docstring).
N_MAP = 10


@nb.njit(**_JIT)
def _bilinear_one(grid, col, row):
    """Bilinear height at fractional pixel-centre (col, row), edge-clamped; NaN in -> NaN out."""
    if not (col == col and row == row):
        return np.nan
    ny, nx = grid.shape
    col = min(max(col, 0.0), nx - 1.0)
    row = min(max(row, 0.0), ny - 1.0)
    c0 = min(int(col), nx - 2)  # col >= 0: truncation is floor
    r0 = min(int(row), ny - 2)
    if c0 < 0:
        c0 = 0
    if r0 < 0:
        r0 = 0
    fc = col - c0
    fr = row - r0
    c1 = min(c0 + 1, nx - 1)
    r1 = min(r0 + 1, ny - 1)
    top = grid[r0, c0] * (1.0 - fc) + grid[r0, c1] * fc
    bottom = grid[r1, c0] * (1.0 - fc) + grid[r1, c1] * fc
    return top * (1.0 - fr) + bottom * fr


@nb.njit(**_JIT)
def sample_grid(grid, mapping, lon, lat, out):
    """``out[i]`` = bilinear height of ``grid`` at (``lon[i]``, ``lat[i]``) through ``mapping``."""
    ca, cb, cc, c_sub, c_div = mapping[0], mapping[1], mapping[2], mapping[3], mapping[4]
    ra, rb, rc, r_sub, r_div = mapping[5], mapping[6], mapping[7], mapping[8], mapping[9]
    for i in range(lon.size):
        x = lon[i]
        y = lat[i]
        col = ((ca * x + cb * y + cc) - c_sub) / c_div
        row = ((ra * x + rb * y + rc) - r_sub) / r_div
        out[i] = _bilinear_one(grid, col, row)


@nb.njit(**_JIT)
def _path_points(tx_lon, tx_lat, rx_lon, rx_lat, dtot, earth_radius_km, n, q0, d, lon, lat):
    """The ``n`` points of one path written at ``q0 ... q0 + n - 1`` in the outputs."""
    lam1 = math.radians(tx_lon)
    phi1 = math.radians(tx_lat)
    lam2 = math.radians(rx_lon)
    phi2 = math.radians(rx_lat)
    ax = math.cos(phi1) * math.cos(lam1)
    ay = math.cos(phi1) * math.sin(lam1)
    az = math.sin(phi1)
    bx = math.cos(phi2) * math.cos(lam2)
    by = math.cos(phi2) * math.sin(lam2)
    bz = math.sin(phi2)
    omega = dtot / earth_radius_km
    sin_o = math.sin(omega)
    inv = n - 1.0
    for j in range(n):
        frac = j / inv
        wa = math.sin((1.0 - frac) * omega) / sin_o
        wb = math.sin(frac * omega) / sin_o
        vx = wa * ax + wb * bx
        vy = wa * ay + wb * by
        vz = wa * az + wb * bz
        q = q0 + j
        lat[q] = math.degrees(math.asin(min(max(vz, -1.0), 1.0)))
        lo = math.degrees(math.atan2(vy, vx))
        if lo - tx_lon > 180.0:
            lo -= 360.0
        if lo - tx_lon < -180.0:
            lo += 360.0
        lon[q] = lo
        d[q] = frac * dtot


# Short-arc evaluation (see _path_points_short): limits within which the odd Taylor polynomials
# below are exact to well under one ulp (truncation < 1e-17 relative).
_SHORT_OMEGA = 0.05  # rad, 318 km of arc: sin polynomial through x^9
_SHORT_DLON = 0.1  # rad: atan polynomial through u^17
_SHORT_LAT = math.radians(60.0)  # arcs reaching higher latitudes use the libm formulas
_S3, _S5, _S7, _S9 = -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0
_A3, _A5, _A7, _A9 = -1.0 / 3.0, 1.0 / 5.0, -1.0 / 7.0, 1.0 / 9.0
_A11, _A13, _A15, _A17 = -1.0 / 11.0, 1.0 / 13.0, -1.0 / 15.0, 1.0 / 17.0
_RAD2DEG = 180.0 / math.pi


@nb.njit(**_JIT)
def _sin_small(x):
    """sin(x) for |x| <= _SHORT_OMEGA (odd Taylor polynomial, leading term exact)."""
    x2 = x * x
    return x + x * x2 * (_S3 + x2 * (_S5 + x2 * (_S7 + x2 * _S9)))


@nb.njit(**_JIT)
def _atan_small(u):
    """atan(u) for |u| <= _SHORT_DLON (odd Taylor polynomial, leading term exact)."""
    u2 = u * u
    p = _A15 + u2 * _A17
    p = _A13 + u2 * p
    p = _A11 + u2 * p
    p = _A9 + u2 * p
    p = _A7 + u2 * p
    p = _A5 + u2 * p
    p = _A3 + u2 * p
    return u + u * u2 * p


@nb.njit(**_JIT)
def _is_short(tx_lon, tx_lat, rx_lat, omega):
    """True if every point of the arc is within the short-arc polynomial limits."""
    if not (omega <= _SHORT_OMEGA and abs(tx_lon) <= 360.0):
        return False
    # |dlat| <= omega along the arc; |dlon| <= omega / cos(max |lat| on the arc). Above 60 deg
    # the reference asin(z) is itself ill-conditioned (error ~ ulp / cos(lat)): stay with it.
    lat_max = math.radians(max(abs(tx_lat), abs(rx_lat))) + omega
    if lat_max > _SHORT_LAT:
        return False
    return omega <= _SHORT_DLON * math.cos(lat_max)


@nb.njit(**_JIT)
def _path_points_short(tx_lon, tx_lat, rx_lon, rx_lat, dtot, earth_radius_km, n, q0, d, lon, lat):
    """:func:`_path_points` for a short arc (:func:`_is_short`) without libm calls per point.

    Same spherical interpolation; ``sin`` of the sub-arc angles and the latitude/longitude
    offsets from the Tx (``atan2`` of the rotated point, small by construction) are evaluated by
    polynomials, so the loop vectorises. Agrees with :func:`_path_points` to a few ulp.
    """
    lam1 = math.radians(tx_lon)
    phi1 = math.radians(tx_lat)
    lam2 = math.radians(rx_lon)
    phi2 = math.radians(rx_lat)
    cl1 = math.cos(lam1)
    sl1 = math.sin(lam1)
    cp1 = math.cos(phi1)
    sp1 = math.sin(phi1)
    ax = cp1 * cl1
    ay = cp1 * sl1
    az = sp1
    bx = math.cos(phi2) * math.cos(lam2)
    by = math.cos(phi2) * math.sin(lam2)
    bz = math.sin(phi2)
    omega = dtot / earth_radius_km
    inv_sin_o = 1.0 / math.sin(omega)
    inv = n - 1.0
    for j in range(n):
        frac = j / inv
        wa = _sin_small((1.0 - frac) * omega) * inv_sin_o
        wb = _sin_small(frac * omega) * inv_sin_o
        vx = wa * ax + wb * bx
        vy = wa * ay + wb * by
        vz = wa * az + wb * bz
        # Rotate into the Tx meridian: longitude and latitude offsets from the Tx.
        ex = vx * cl1 + vy * sl1
        ey = vy * cl1 - vx * sl1
        rho = math.sqrt(ex * ex + ey * ey)
        dlon = _atan_small(ey / ex)
        dlat = _atan_small((vz * cp1 - rho * sp1) / (rho * cp1 + vz * sp1))
        q = q0 + j
        lon[q] = tx_lon + dlon * _RAD2DEG
        lat[q] = tx_lat + dlat * _RAD2DEG
        d[q] = frac * dtot


@nb.njit(**_JIT)
def _any_path_points(tx_lon, tx_lat, rx_lon, rx_lat, dtot, earth_radius_km, n, q0, d, lon, lat):
    if _is_short(tx_lon, tx_lat, rx_lat, dtot / earth_radius_km):
        _path_points_short(
            tx_lon, tx_lat, rx_lon, rx_lat, dtot, earth_radius_km, n, q0, d, lon, lat
        )
    else:
        _path_points(tx_lon, tx_lat, rx_lon, rx_lat, dtot, earth_radius_km, n, q0, d, lon, lat)


@nb.njit(**_JIT)
def great_circle_points(
    tx_lon, tx_lat, rx_lon, rx_lat, dist_km, earth_radius_km, offsets, p0, p1, d, lon, lat
):
    """Points of paths ``p0 <= k < p1``, written at ``offsets[k] - offsets[p0]`` in the outputs.

    Path ``k`` has ``offsets[k + 1] - offsets[k]`` (>= 2) points equally spaced along the great
    circle from Tx to Rx, the last at the Rx.
    """
    base = offsets[p0]
    for k in range(p0, p1):
        _any_path_points(
            tx_lon[k],
            tx_lat[k],
            rx_lon[k],
            rx_lat[k],
            dist_km[k],
            earth_radius_km,
            offsets[k + 1] - offsets[k],
            offsets[k] - base,
            d,
            lon,
            lat,
        )


@nb.njit(**_JIT)
def great_circle_profiles_on_grid(
    tx_lon,
    tx_lat,
    rx_lon,
    rx_lat,
    dist_km,
    earth_radius_km,
    offsets,
    p0,
    p1,
    grid,
    mapping,
    d,
    h,
    lon,
    lat,
):
    """:func:`great_circle_points` plus the grid height of every point, path by path.

    Each path's points are sampled right after they are computed, while still in cache.
    """
    ca, cb, cc, c_sub, c_div = mapping[0], mapping[1], mapping[2], mapping[3], mapping[4]
    ra, rb, rc, r_sub, r_div = mapping[5], mapping[6], mapping[7], mapping[8], mapping[9]
    base = offsets[p0]
    for k in range(p0, p1):
        q0 = offsets[k] - base
        n = offsets[k + 1] - offsets[k]
        _any_path_points(
            tx_lon[k],
            tx_lat[k],
            rx_lon[k],
            rx_lat[k],
            dist_km[k],
            earth_radius_km,
            n,
            q0,
            d,
            lon,
            lat,
        )
        for q in range(q0, q0 + n):
            x = lon[q]
            y = lat[q]
            col = ((ca * x + cb * y + cc) - c_sub) / c_div
            row = ((ra * x + rb * y + rc) - r_sub) / r_div
            h[q] = _bilinear_one(grid, col, row)
