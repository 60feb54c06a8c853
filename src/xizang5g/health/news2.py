"""NEWS2 — the Royal College of Physicians' National Early Warning Score 2 (2017).

A pure computation (no database): the score of each parameter from the RCP chart, the aggregate,
and the clinical response. The bands are in ``constants.py`` with their source. An optional
altitude adjustment lowers the SpO2 scale 1 bands for residents of high altitude; with the
altitude absent or 0 (or the adjustment off) the result is exactly NEWS2.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from xizang5g.health import constants as C

LOW = "low"
LOW_MEDIUM = "low-medium"
MEDIUM = "medium"
HIGH = "high"
RESPONSES = (LOW, LOW_MEDIUM, MEDIUM, HIGH)
CONSCIOUSNESS = tuple(C.CONSCIOUSNESS_SCORES)


@dataclass(frozen=True)
class Observation:
    """One set of vital signs (the NEWS2 chart's seven parameters)."""

    respiration_rate: int
    spo2: int
    spo2_scale: int  # 1 or 2
    on_oxygen: bool
    systolic_bp: int
    heart_rate: int
    consciousness: str  # A, C, V, P or U
    temperature_c: float
    altitude_m: float = 0


@dataclass(frozen=True)
class Score:
    score: int
    parameters: dict[str, int]
    response: str

    def as_dict(self) -> dict:
        return {"score": self.score, "parameters": dict(self.parameters), "response": self.response}


def band(value: float, bands) -> int:
    """The score of `value` in `bands` ((inclusive upper bound or None, score), lowest first)."""
    for upper, score in bands:
        if upper is None or value <= upper:
            return score
    raise ValueError(f"{value} is above the last band")  # the last band is open


def altitude_shift(altitude_m: float, table=C.ALTITUDE_SHIFTS) -> int:
    """Percentage points the SpO2 scale 1 limits are lowered at `altitude_m` (linear between the
    rows of `table`, rounded to a whole point; 0 at 0 m)."""
    if altitude_m <= table[0][0]:
        return table[0][1]
    for (a0, s0), (a1, s1) in pairwise(table):
        if altitude_m <= a1:
            shift = s0 + (s1 - s0) * (altitude_m - a0) / (a1 - a0)
            return int(Decimal(shift).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return table[-1][1]


def spo2_score(spo2: int, *, scale: int, on_oxygen: bool, shift: int = 0) -> int:
    if scale == 1:
        bands = tuple((None if u is None else u - shift, s) for u, s in C.SPO2_SCALE1_BANDS)
        return band(spo2, bands)
    if scale != 2:
        raise ValueError("the SpO2 scale is 1 or 2")
    if spo2 <= C.SPO2_SCALE2_BANDS[-1][0]:
        return band(spo2, C.SPO2_SCALE2_BANDS)
    if not on_oxygen:
        return C.SPO2_SCALE2_ON_AIR_ABOVE
    return band(spo2, C.SPO2_SCALE2_ON_OXYGEN_BANDS)


def temperature_tenths(temperature_c: float) -> Decimal:
    """The temperature as the chart reads it: to one decimal, halves rounded up."""
    return Decimal(str(temperature_c)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def response_for(total: int, parameters: dict[str, int]) -> str:
    if total >= C.HIGH_FROM:
        return HIGH
    if total >= C.MEDIUM_FROM:
        return MEDIUM
    if any(value >= C.RED_SCORE for value in parameters.values()):
        return LOW_MEDIUM
    return LOW


def score(obs: Observation, *, altitude_adjustment: bool = False, shifts=None) -> Score:
    """NEWS2 of one observation. With `altitude_adjustment`, the SpO2 scale 1 bands are lowered
    by `altitude_shift(obs.altitude_m)` (0 at 0 m: exactly NEWS2)."""
    shift = 0
    if altitude_adjustment and obs.altitude_m:
        shift = altitude_shift(obs.altitude_m, shifts or C.ALTITUDE_SHIFTS)
    parameters = {
        "respiration_rate": band(obs.respiration_rate, C.RESPIRATION_BANDS),
        "spo2": spo2_score(obs.spo2, scale=obs.spo2_scale, on_oxygen=obs.on_oxygen, shift=shift),
        "on_oxygen": C.ON_OXYGEN_SCORE if obs.on_oxygen else 0,
        "systolic_bp": band(obs.systolic_bp, C.SYSTOLIC_BANDS),
        "heart_rate": band(obs.heart_rate, C.HEART_RATE_BANDS),
        "consciousness": C.CONSCIOUSNESS_SCORES[obs.consciousness],
        "temperature_c": band(temperature_tenths(obs.temperature_c), _TEMPERATURE_BANDS),
    }
    total = sum(parameters.values())
    return Score(total, parameters, response_for(total, parameters))


_TEMPERATURE_BANDS = tuple(
    (None if u is None else Decimal(str(u)), s) for u, s in C.TEMPERATURE_BANDS
)
