"""EARS C1, C2 and C3 — the CDC's Early Aberration Reporting System methods for daily syndromic
counts (Hutwagner et al. 2003; see constants.py). Pure functions over a list of daily counts,
oldest first."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from xizang5g.health import constants as C


@dataclass(frozen=True)
class EarsDay:
    index: int
    count: float
    c1: float | None
    c2: float | None
    c3: float | None

    @property
    def c1_alarm(self) -> bool:
        return self.c1 is not None and self.c1 > C.EARS_C1_THRESHOLD

    @property
    def c2_alarm(self) -> bool:
        return self.c2 is not None and self.c2 > C.EARS_C2_THRESHOLD

    @property
    def c3_alarm(self) -> bool:
        return self.c3 is not None and self.c3 > C.EARS_C3_THRESHOLD

    @property
    def alarm(self) -> bool:
        return self.c1_alarm or self.c2_alarm or self.c3_alarm


def _score(counts, t: int, lag: int, min_sd: float) -> float | None:
    start = t - lag - C.EARS_BASELINE_DAYS
    if start < 0:
        return None
    baseline = counts[start : t - lag]
    mean = statistics.fmean(baseline)
    sd = max(statistics.stdev(baseline), min_sd)
    return (counts[t] - mean) / sd


def ears(counts, *, min_sd: float = C.EARS_MIN_SD) -> list[EarsDay]:
    """C1, C2 and C3 for every day of `counts` (None until the baseline is long enough)."""
    counts = [float(c) for c in counts]
    c1 = [_score(counts, t, 0, min_sd) for t in range(len(counts))]
    c2 = [_score(counts, t, C.EARS_C2_LAG_DAYS, min_sd) for t in range(len(counts))]
    out = []
    for t in range(len(counts)):
        window = c2[t - 2 : t + 1] if t >= 2 else []
        c3 = (
            sum(max(0.0, v - 1.0) for v in window)
            if len(window) == 3 and None not in window
            else None
        )
        out.append(EarsDay(t, counts[t], c1[t], c2[t], c3))
    return out
