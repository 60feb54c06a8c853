"""The public EMF calculator: a base station's far-field exposure at a point against the GB
8702-2014 public limits, with `xizang5g.radio.emf` doing the physics.

Inputs come as text (a GET form or the API's query) and every bad one is named with a message a
resident understands; nothing here raises anything but :class:`CalculatorError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xizang5g.portal.constants import F_MAX_MHZ, F_MIN_MHZ
from xizang5g.radio import antennas, emf
from xizang5g.radio.errors import RadioInputError

# The sector antenna assumed when a direction is given as an angle below the main beam:
# ITU-R F.1336-5 recommends 3.1.1 with a typical 5G sector (peak 18 dBi, 65 deg azimuth beam).
SECTOR_PEAK_DBI = 18.0
SECTOR_PHI3_DEG = 65.0


class CalculatorError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Result:
    eirp_dbm: float
    eirp_w: float
    distance_m: float
    f_mhz: float
    gain_db: float
    power_density_w_m2: float
    field_strength_v_m: float
    limit_e_v_m: float
    limit_s_w_m2: float
    ratio: float  # power density / limit

    @property
    def passes(self) -> bool:
        return self.ratio <= 1.0

    @property
    def percent_of_limit(self) -> float:
        return 100.0 * self.ratio

    def as_dict(self) -> dict:
        return {
            "eirp_dbm": self.eirp_dbm,
            "eirp_w": self.eirp_w,
            "distance_m": self.distance_m,
            "f_mhz": self.f_mhz,
            "gain_db": self.gain_db,
            "power_density_w_m2": self.power_density_w_m2,
            "field_strength_v_m": self.field_strength_v_m,
            "limit_e_v_m": self.limit_e_v_m,
            "limit_s_w_m2": self.limit_s_w_m2,
            "ratio": self.ratio,
            "passes": self.passes,
        }


def _number(raw, field: str, label: str, errors: dict) -> float | None:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if text == "":
        errors[field] = _("Please enter %(what)s.") % {"what": label}
        return None
    try:
        value = float(text)
    except ValueError:
        errors[field] = _("%(what)s must be a number.") % {"what": label}
        return None
    if not math.isfinite(value):
        errors[field] = _("%(what)s must be a number.") % {"what": label}
        return None
    return value


def relative_gain_for_angle(angle_deg: float) -> float:
    """Attenuation (dB, <= 0) of the assumed sector antenna at `angle_deg` below its beam."""
    peak = antennas.f1336_sector_gain_dbi(0.0, 0.0, SECTOR_PEAK_DBI, SECTOR_PHI3_DEG)
    at = antennas.f1336_sector_gain_dbi(0.0, angle_deg, SECTOR_PEAK_DBI, SECTOR_PHI3_DEG)
    return float(min(at - peak, 0.0))


def calculate(
    *,
    eirp,
    distance_m,
    f_mhz,
    eirp_unit: str = "dbm",
    gain_db=None,
    angle_deg=None,
) -> Result:
    """Power density, field strength and the GB 8702-2014 public limit at one point."""
    errors: dict[str, str] = {}
    value = _number(eirp, "eirp", _("the EIRP"), errors)
    distance = _number(distance_m, "distance_m", _("the distance"), errors)
    freq = _number(f_mhz, "f_mhz", _("the frequency"), errors)
    gain = 0.0
    if str(gain_db or "").strip():
        gain = _number(gain_db, "gain_db", _("the relative antenna gain"), errors)
        if gain is not None and gain > 0:
            errors["gain_db"] = _(
                "The relative antenna gain is 0 dB in the main beam and negative off it."
            )
    elif str(angle_deg or "").strip():
        angle = _number(angle_deg, "angle_deg", _("the angle below the main beam"), errors)
        if angle is not None and not 0 <= angle <= 90:
            errors["angle_deg"] = _("The angle below the main beam must be from 0 to 90 degrees.")
        elif angle is not None:
            gain = relative_gain_for_angle(angle)
    if eirp_unit not in ("dbm", "w"):
        errors["eirp_unit"] = _("The EIRP unit must be dBm or W.")
    elif value is not None:
        if eirp_unit == "w":
            if value <= 0:
                errors["eirp"] = _("The EIRP in watts must be greater than 0.")
            else:
                value = 10 * math.log10(value) + 30
        if "eirp" not in errors and not -30 <= value <= 100:
            errors["eirp"] = _("The EIRP must be between -30 and 100 dBm (1 µW to 10 MW).")
    if distance is not None and distance <= 0:
        errors["distance_m"] = _("The distance must be greater than 0 m.")
    elif distance is not None and distance > 100_000:
        errors["distance_m"] = _("The distance must be at most 100 km.")
    if freq is not None and not F_MIN_MHZ <= freq <= F_MAX_MHZ:
        errors["f_mhz"] = _(
            "GB 8702-2014 sets public limits from 0.1 MHz to 300 GHz (300000 MHz): "
            "%(f)s MHz is outside that range."
        ) % {"f": f"{freq:g}"}
    if errors:
        raise CalculatorError(errors)
    try:
        s = float(emf.power_density_w_m2(value, distance, gain))
        e = float(emf.field_strength_v_m(s))
        e_lim, s_lim = (float(x) for x in emf.gb8702_public_limits(freq))
    except RadioInputError as exc:  # the engine's own checks, should the bounds above change
        raise CalculatorError({"eirp": str(exc)}) from exc
    return Result(
        eirp_dbm=value,
        eirp_w=10 ** ((value - 30) / 10),
        distance_m=distance,
        f_mhz=freq,
        gain_db=gain,
        power_density_w_m2=s,
        field_strength_v_m=e,
        limit_e_v_m=e_lim,
        limit_s_w_m2=s_lim,
        ratio=s / s_lim,
    )
