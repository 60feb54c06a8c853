"""Medical API (/api/v1/health/): NEWS2 (the contract of issue 18), ambulances, emergency calls
and their run, vitals. Reads through `health.selectors`, writes through `health.services`."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Router, Schema
from pydantic import StrictBool, StrictFloat, StrictInt

from xizang5g.core.api_style import ApiInput, responses
from xizang5g.health import constants as C
from xizang5g.health import news2, services

router = Router(tags=["health"])

_R = C.PHYSIOLOGICAL_RANGES


def _ranged(kind, name: str, description: str):
    low, high = _R[name]
    return Annotated[kind, Field(ge=low, le=high, description=f"{description}, {low}–{high}")]


# ==== NEWS2 =======================================================================================
class HealthNews2ObservationIn(ApiInput):
    respiration_rate: _ranged(StrictInt, "respiration_rate", "breaths per minute")
    spo2: _ranged(StrictInt, "spo2", "SpO2, %")
    spo2_scale: Literal[1, 2] = Field(description="RCP SpO2 scale 1, or 2 (hypercapnic target)")
    on_oxygen: StrictBool = Field(description="any supplemental oxygen")
    systolic_bp: _ranged(StrictInt, "systolic_bp", "systolic blood pressure, mmHg")
    heart_rate: _ranged(StrictInt, "heart_rate", "pulse per minute")
    consciousness: Literal["A", "C", "V", "P", "U"] = Field(description="ACVPU")
    temperature_c: _ranged(StrictFloat, "temperature_c", "°C")
    altitude_m: _ranged(StrictFloat, "altitude_m", "patient's usual altitude, m") | None = None


class HealthNews2In(ApiInput):
    observations: list[HealthNews2ObservationIn] = Field(min_length=1, max_length=1000)


class HealthNews2Parameters(Schema):
    respiration_rate: int
    spo2: int
    on_oxygen: int
    systolic_bp: int
    heart_rate: int
    consciousness: int
    temperature_c: int


class HealthNews2Result(Schema):
    score: int
    parameters: HealthNews2Parameters
    response: Literal["low", "low-medium", "medium", "high"]


@router.post("/news2", response=responses({200: list[HealthNews2Result]}))
def news2_compute(request, payload: HealthNews2In):
    """NEWS2 (RCP 2017) of each observation: one result per item, in the order sent. With `altitude_m` absent or 0 the result
    is exactly RCP NEWS2; above 0 the SpO2 scale 1 bands are lowered only when the platform's
    altitude adjustment is switched on (docs/health.md)."""
    results = []
    for item in payload.observations:
        obs = news2.Observation(**{**item.dict(), "altitude_m": item.altitude_m or 0})
        results.append(services.news2_score(obs).as_dict())
    return results
