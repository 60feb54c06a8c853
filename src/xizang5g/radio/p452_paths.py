"""Inputs of ITU-R P.452-18 (`p452`): a batch of paths with ragged terrain profiles and
per-path parameters, flattened into arrays and checked at the engine's public boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .constants import (
    DELTA_N_LIMIT,
    F_GHZ_RANGE,
    P_PERCENT_RANGE,
)
from .errors import PathInputError

# Per-path scalar fields of a PathBatch: name -> (default or None if required, dtype).
_PATH_FIELDS: dict[str, tuple[float | None, type]] = {
    "f_ghz": (None, float),
    "p_percent": (None, float),
    "htg_m": (None, float),
    "hrg_m": (None, float),
    "tx_lon": (None, float),
    "tx_lat": (None, float),
    "rx_lon": (None, float),
    "rx_lat": (None, float),
    "gt_dbi": (0.0, float),
    "gr_dbi": (0.0, float),
    "pol": (1, np.int64),
    "dct_km": (500.0, float),
    "dcr_km": (500.0, float),
    "press_hpa": (1013.25, float),
    "temp_c": (15.0, float),
    "delta_n": (None, float),
    "n0": (None, float),
}


@dataclass(frozen=True, eq=False)
class PathBatch:
    """A batch of terrain paths for P.452-18, stored as flat arrays plus offsets.

    Build one with :meth:`from_profiles`. Profiles of path ``i`` occupy
    ``d_km[offsets[i]:offsets[i + 1]]`` (same for ``h_m``, ``clutter_m``, ``zone``).

    Attributes
    ----------
    d_km : ndarray, float
        Distance of each profile point from the transmitter (km); starts at 0, strictly ascending.
    h_m : ndarray, float
        Terrain height above mean sea level at each point (m).
    clutter_m : ndarray, float
        Representative clutter height above terrain at each point (m); 0 for open ground.
    zone : ndarray, int
        Radio-climatic zone per point: 1 coastal land (A1), 2 inland (A2), 3 sea (B).
    offsets : ndarray, int64
        ``n_paths + 1`` path boundaries into the flat arrays.
    f_ghz : ndarray
        Frequency (GHz), 0.1-50.
    p_percent : ndarray
        Time percentage for which Lb is not exceeded (%), 0.001-50.
    htg_m, hrg_m : ndarray
        Transmitter / receiver antenna centre height above ground (m), > 0.
    tx_lon, tx_lat, rx_lon, rx_lat : ndarray
        Terminal coordinates (degrees, east / north positive). The path-centre latitude for
        beta0 is taken at half the profile length along the great circle (P.2001 Att. H).
    gt_dbi, gr_dbi : ndarray
        Antenna gains toward the horizon along the path (dBi); used by troposcatter only.
    pol : ndarray, int
        Polarisation: 1 horizontal, 2 vertical.
    dct_km, dcr_km : ndarray
        Distance over land from each terminal to the coast along the path (km); 0 for a
        terminal on a ship or sea platform, large (e.g. 500) inland.
    press_hpa, temp_c : ndarray
        Dry-air pressure (hPa) and temperature (deg C) for gaseous absorption.
    delta_n : ndarray
        Average radio-refractive index lapse rate through the lowest 1 km (N-units/km), path
        centre value of the P.452 DN50 map (positive, below 157).
    n0 : ndarray
        Sea-level surface refractivity (N-units), path centre value of the P.452 N050 map.
    """

    d_km: np.ndarray
    h_m: np.ndarray
    clutter_m: np.ndarray
    zone: np.ndarray
    offsets: np.ndarray
    f_ghz: np.ndarray
    p_percent: np.ndarray
    htg_m: np.ndarray
    hrg_m: np.ndarray
    tx_lon: np.ndarray
    tx_lat: np.ndarray
    rx_lon: np.ndarray
    rx_lat: np.ndarray
    gt_dbi: np.ndarray
    gr_dbi: np.ndarray
    pol: np.ndarray
    dct_km: np.ndarray
    dcr_km: np.ndarray
    press_hpa: np.ndarray
    temp_c: np.ndarray
    delta_n: np.ndarray
    n0: np.ndarray

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_profiles(
        cls,
        d_km: Sequence[np.ndarray],
        h_m: Sequence[np.ndarray],
        *,
        clutter_m: Sequence[np.ndarray] | None = None,
        zone: Sequence[np.ndarray] | np.ndarray | int = 2,
        **path_params,
    ) -> PathBatch:
        """Build a batch from per-path profile arrays and per-path parameters.

        Parameters
        ----------
        d_km, h_m : sequence of 1-D arrays
            Distances (km) and terrain heights (m amsl), one array per path (ragged allowed).
        clutter_m : sequence of 1-D arrays, optional
            Representative clutter heights (m) per point; zeros when omitted.
        zone : sequence of 1-D arrays, or per-path ints, or int
            Radio-climatic zone per point (1 coastal land, 2 inland, 3 sea). A scalar or a
            per-path vector of ints applies one zone to every point of the path.
        **path_params
            Per-path scalars or length-``n_paths`` arrays: ``f_ghz, p_percent, htg_m, hrg_m,
            tx_lon, tx_lat, rx_lon, rx_lat, delta_n, n0`` (required) and ``gt_dbi=0,
            gr_dbi=0, pol=1, dct_km=500, dcr_km=500, press_hpa=1013.25, temp_c=15``.

        Raises
        ------
        PathInputError
            On any invalid input, naming the path index and the field.
        """
        n = len(d_km)
        if n == 0:
            raise PathInputError(None, "d_km", "at least one path is required")
        if len(h_m) != n:
            raise PathInputError(None, "h_m", f"{len(h_m)} profiles for {n} paths")
        d_list = [np.asarray(x, dtype=float).ravel() for x in d_km]
        lengths = np.array([x.size for x in d_list], dtype=np.int64)
        h_list = [np.asarray(x, dtype=float).ravel() for x in h_m]
        for i, (a, b) in enumerate(zip(d_list, h_list, strict=True)):
            if a.size != b.size:
                raise PathInputError(i, "h_m", f"{b.size} heights for {a.size} distances")
        if clutter_m is None:
            c_list = None
        else:
            if len(clutter_m) != n:
                raise PathInputError(None, "clutter_m", f"{len(clutter_m)} profiles for {n} paths")
            c_list = [np.asarray(x, dtype=float).ravel() for x in clutter_m]
            for i, c in enumerate(c_list):
                if c.size != lengths[i]:
                    raise PathInputError(i, "clutter_m", f"{c.size} values for {lengths[i]} points")
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        zone_flat = _zone_flat(zone, n, lengths)
        clutter_flat = np.zeros(offsets[-1]) if c_list is None else np.concatenate(c_list)
        return cls.from_flat(
            np.concatenate(d_list),
            np.concatenate(h_list),
            offsets,
            clutter_m=clutter_flat,
            zone=zone_flat,
            **path_params,
        )

    @classmethod
    def from_flat(
        cls,
        d_km: np.ndarray,
        h_m: np.ndarray,
        offsets: np.ndarray,
        *,
        clutter_m: np.ndarray | None = None,
        zone: np.ndarray | int = 2,
        **path_params,
    ) -> PathBatch:
        """Build a batch from flat concatenated profiles and ``offsets`` (no per-path copies).

        ``offsets`` has ``n_paths + 1`` entries (``offsets[0] == 0``); ``clutter_m`` and
        ``zone`` are flat like ``d_km`` (``zone`` may be a single int). Per-path parameters as
        in :meth:`from_profiles`. This is the fast path for :func:`terrain.profiles` output.
        """
        offsets = np.asarray(offsets, dtype=np.int64).ravel()
        d_flat = np.ascontiguousarray(d_km, dtype=float).ravel()
        h_flat = np.ascontiguousarray(h_m, dtype=float).ravel()
        n = offsets.size - 1
        if n < 1 or offsets[0] != 0 or np.any(np.diff(offsets) < 0):
            raise PathInputError(None, "offsets", "must start at 0 and be non-decreasing")
        total = int(offsets[-1])
        if d_flat.size != total:
            raise PathInputError(None, "d_km", f"{d_flat.size} points but offsets say {total}")
        if h_flat.size != total:
            raise PathInputError(None, "h_m", f"{h_flat.size} heights for {total} points")
        if clutter_m is None:
            clutter_flat = np.zeros(total)
        else:
            clutter_flat = np.ascontiguousarray(clutter_m, dtype=float).ravel()
            if clutter_flat.size != total:
                raise PathInputError(None, "clutter_m", f"{clutter_flat.size} for {total} points")
        zone_arr = np.asarray(zone)
        if zone_arr.ndim == 0:
            zone_flat = np.full(total, int(zone_arr), dtype=np.int64)
        else:
            zone_flat = np.ascontiguousarray(zone_arr, dtype=np.int64).ravel()
            if zone_flat.size != total:
                raise PathInputError(None, "zone", f"{zone_flat.size} values for {total} points")
        params = {}
        for name, (default, dtype) in _PATH_FIELDS.items():
            value = path_params.pop(name, default)
            if value is None:
                raise PathInputError(None, name, "required parameter missing")
            arr = np.asarray(value)
            if arr.ndim == 0:
                arr = np.full(n, arr.item())
            arr = arr.ravel()
            if arr.size != n:
                raise PathInputError(None, name, f"{arr.size} values for {n} paths")
            if dtype is np.int64:
                if not np.all(np.isfinite(arr.astype(float))):
                    bad = int(np.flatnonzero(~np.isfinite(arr.astype(float)))[0])
                    raise PathInputError(bad, name, "must be finite")
                arr = arr.astype(np.int64)
            else:
                arr = arr.astype(float)
            params[name] = arr
        if path_params:
            raise TypeError(f"unknown PathBatch parameters: {sorted(path_params)}")
        batch = cls(
            d_km=d_flat,
            h_m=h_flat,
            clutter_m=clutter_flat,
            zone=zone_flat,
            offsets=offsets,
            **params,
        )
        batch.validate()
        return batch

    # ------------------------------------------------------------------ helpers
    def __len__(self) -> int:
        return self.offsets.size - 1

    @property
    def n_points(self) -> np.ndarray:
        """Number of profile points of each path."""
        return np.diff(self.offsets)

    def profile(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(d_km, h_m, clutter_m, zone)`` of path ``i`` (views)."""
        s = slice(self.offsets[i], self.offsets[i + 1])
        return self.d_km[s], self.h_m[s], self.clutter_m[s], self.zone[s]

    def subset(self, start: int, stop: int) -> PathBatch:
        """Paths ``start:stop`` as a new batch (profile arrays are views, no copy)."""
        a, b = self.offsets[start], self.offsets[stop]
        kw = {name: getattr(self, name)[start:stop] for name in _PATH_FIELDS}
        return PathBatch(
            d_km=self.d_km[a:b],
            h_m=self.h_m[a:b],
            clutter_m=self.clutter_m[a:b],
            zone=self.zone[a:b],
            offsets=self.offsets[start : stop + 1] - a,
            **kw,
        )

    def validate(self) -> None:
        """Check every field; raise :class:`PathInputError` naming the first bad path."""
        n = len(self)
        lengths = self.n_points
        short = np.flatnonzero(lengths < 4)
        if short.size:
            raise PathInputError(int(short[0]), "d_km", "a profile needs at least 4 points")
        pid = np.repeat(np.arange(n), lengths)
        first = self.offsets[:-1]
        _first_bad(self.d_km[first] != 0.0, "d_km", "first distance d[0] must be 0 km")
        for name in ("d_km", "h_m", "clutter_m"):
            _first_bad(~np.isfinite(getattr(self, name)), name, "must be finite", pid)
        step = np.diff(self.d_km)
        not_boundary = np.ones(step.size, dtype=bool)
        not_boundary[self.offsets[1:-1] - 1] = False
        _first_bad(
            (step <= 0.0) & not_boundary, "d_km", "distances must be strictly ascending", pid[1:]
        )
        _first_bad(self.clutter_m < 0.0, "clutter_m", "must be >= 0 m", pid)
        _first_bad(~np.isin(self.zone, (1, 2, 3)), "zone", "must be 1, 2 or 3", pid)
        for name in _PATH_FIELDS:
            _first_bad(~np.isfinite(getattr(self, name)), name, "must be finite")
        _range_check(self.f_ghz, "f_ghz", *F_GHZ_RANGE)
        _range_check(self.p_percent, "p_percent", *P_PERCENT_RANGE)
        _first_bad(self.htg_m <= 0.0, "htg_m", "must be > 0 m")
        _first_bad(self.hrg_m <= 0.0, "hrg_m", "must be > 0 m")
        _first_bad(~np.isin(self.pol, (1, 2)), "pol", "must be 1 (horizontal) or 2 (vertical)")
        _range_check(self.tx_lat, "tx_lat", -90.0, 90.0)
        _range_check(self.rx_lat, "rx_lat", -90.0, 90.0)
        _range_check(self.tx_lon, "tx_lon", -180.0, 360.0)
        _range_check(self.rx_lon, "rx_lon", -180.0, 360.0)
        _first_bad(self.dct_km < 0.0, "dct_km", "must be >= 0 km")
        _first_bad(self.dcr_km < 0.0, "dcr_km", "must be >= 0 km")
        _first_bad(self.press_hpa <= 0.0, "press_hpa", "must be > 0 hPa")
        _first_bad(self.temp_c <= -273.15, "temp_c", "must be above absolute zero")
        _first_bad(
            (self.delta_n <= 0.0) | (self.delta_n >= DELTA_N_LIMIT),
            "delta_n",
            f"must be in (0, {DELTA_N_LIMIT}) N-units/km",
        )
        _first_bad(self.n0 <= 0.0, "n0", "must be > 0 N-units")


def _zone_flat(zone, n: int, lengths: np.ndarray) -> np.ndarray:
    if np.isscalar(zone) or (isinstance(zone, np.ndarray) and zone.ndim == 0):
        return np.full(int(lengths.sum()), int(zone), dtype=np.int64)
    if len(zone) != n:
        raise PathInputError(None, "zone", f"{len(zone)} entries for {n} paths")
    parts = []
    for i, z in enumerate(zone):
        z = np.asarray(z)
        if z.ndim == 0:
            parts.append(np.full(lengths[i], int(z), dtype=np.int64))
        else:
            if z.size != lengths[i]:
                raise PathInputError(i, "zone", f"{z.size} values for {lengths[i]} points")
            parts.append(z.astype(np.int64).ravel())
    return np.concatenate(parts)


def _first_bad(mask: np.ndarray, field: str, problem: str, pid: np.ndarray | None = None) -> None:
    if mask.any():
        k = int(np.argmax(mask))
        raise PathInputError(int(pid[k]) if pid is not None else k, field, problem)


def _range_check(values: np.ndarray, field: str, lo: float, hi: float) -> None:
    _first_bad((values < lo) | (values > hi), field, f"must be within [{lo}, {hi}]")
