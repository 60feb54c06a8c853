"""Open-pit slope: the inverse-velocity method of Fukuzono (1985) for the time of failure.

In accelerating creep before a slope fails, the displacement rate v grows so that 1/v falls about
linearly with time (Fukuzono's α ≈ 2). A least-squares line through (t, 1/v) over the
accelerating part of the record reaches 1/v = 0 at the forecast time of failure t_f = −b/a
(line 1/v = a·t + b, a < 0). Velocities come from displacement differences; the forecast is only
given when the fitted slope is negative and the fit explains the data (R² ≥ 0.8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_POINTS = 4
MIN_R2 = 0.8


@dataclass(frozen=True)
class Forecast:
    failure_time: float | None  # same unit as the input times; None: no accelerating trend
    slope: float
    intercept: float
    r2: float
    points: int


def velocities(times, displacements) -> tuple[np.ndarray, np.ndarray]:
    """Mid-interval times and displacement rates from a displacement series."""
    t = np.asarray(times, dtype=float)
    d = np.asarray(displacements, dtype=float)
    if t.shape != d.shape or t.ndim != 1 or t.size < 2:
        raise ValueError("times and displacements must be 1-D arrays of the same length ≥ 2")
    if np.any(np.diff(t) <= 0):
        raise ValueError("times must increase")
    return (t[1:] + t[:-1]) / 2, np.diff(d) / np.diff(t)


def inverse_velocity_forecast(times, rates, *, window: int | None = None) -> Forecast:
    """Fit 1/v = a·t + b over the last `window` rates (all by default) and forecast t_f = −b/a."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(rates, dtype=float)
    if window:
        t, v = t[-window:], v[-window:]
    keep = v > 0
    t, inv = t[keep], 1.0 / v[keep]
    if t.size < MIN_POINTS:
        return Forecast(None, 0.0, 0.0, 0.0, int(t.size))
    a, b = np.polyfit(t, inv, 1)
    fitted = a * t + b
    total = float(np.sum((inv - inv.mean()) ** 2))
    r2 = 1.0 - float(np.sum((inv - fitted) ** 2)) / total if total > 0 else 0.0
    failure = -b / a if a < 0 and r2 >= MIN_R2 else None
    return Forecast(
        None if failure is None else float(failure), float(a), float(b), r2, int(t.size)
    )
