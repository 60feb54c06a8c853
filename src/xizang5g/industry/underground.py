"""Underground air limits of metal and non-metal mines (GB 16423-2020, monitored per AQ 2031-2011)
and what altitude changes.

Gas limits are volume fractions (%, ppm), so they hold at any altitude; what altitude changes is
the oxygen partial pressure a miner breathes: pO₂ = x(O₂) · p(h). The barometric pressure comes
from the ICAO standard atmosphere, p(h) = 101.325 · (1 − 2.25577·10⁻⁵ h)^5.25588 kPa. The
platform alarms at the volume limits of the standard and reports pO₂ beside them; a pO₂ below the
sea-level equivalent of 19.5 % is a further "low oxygen partial pressure" warning (advisory: at
Xizang's altitudes it is always on, so it is shown, not escalated).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xizang5g.industry.constants import (
    AIRFLOW_MAX_M_S,
    AIRFLOW_MIN_M_S,
    CO_MAX_PPM,
    NO2_MAX_PPM,
    O2_MIN_PERCENT,
    O2_PARTIAL_PRESSURE_MIN_KPA,
    SEA_LEVEL_PRESSURE_KPA,
    TEMPERATURE_MAX_C,
)


def pressure_kpa(elevation_m: float) -> float:
    return SEA_LEVEL_PRESSURE_KPA * (1 - 2.25577e-5 * elevation_m) ** 5.25588


def o2_partial_pressure_kpa(o2_percent: float, elevation_m: float) -> float:
    return o2_percent / 100.0 * pressure_kpa(elevation_m)


def air_alarms(values: dict, *, elevation_m: float) -> list[str]:
    """Codes of the limits the readings break: "o2_low", "co_high", "no2_high", "airflow_low",
    "airflow_high", "temperature_high" (alarms) and "po2_low" (advisory)."""
    out = []
    o2 = values.get("o2")
    if o2 is not None:
        if o2 < O2_MIN_PERCENT:
            out.append("o2_low")
        if o2_partial_pressure_kpa(o2, elevation_m) < O2_PARTIAL_PRESSURE_MIN_KPA:
            out.append("po2_low")
    if values.get("co") is not None and values["co"] > CO_MAX_PPM:
        out.append("co_high")
    if values.get("no2") is not None and values["no2"] > NO2_MAX_PPM:
        out.append("no2_high")
    airflow = values.get("airflow")
    if airflow is not None:
        if airflow < AIRFLOW_MIN_M_S:
            out.append("airflow_low")
        elif airflow > AIRFLOW_MAX_M_S:
            out.append("airflow_high")
    if values.get("temperature") is not None and values["temperature"] > TEMPERATURE_MAX_C:
        out.append("temperature_high")
    return out


ADVISORY = {"po2_low"}

ALARM_LABELS = {
    "o2_low": _("O₂ below 20 %"),
    "po2_low": _("low O₂ partial pressure (altitude)"),
    "co_high": _("CO above 24 ppm"),
    "no2_high": _("NO₂ above 2.5 ppm"),
    "airflow_low": _("airflow too low"),
    "airflow_high": _("airflow too high"),
    "temperature_high": _("temperature above 27 °C"),
}
