"""Fixed numbers with the standard they come from."""

from django.utils.translation import gettext_lazy

from xizang5g.core.choices import AlertSeverity
from xizang5g.industry.choices import AlarmLevel

# ---------------------------------------------------------------- GB 51108-2015 tailings ponds
# Escalation (GB 50863-2013 clause 5.5.4, applied by GB 51108-2015 section 8.3): within one item,
# 4 points at blue make the item yellow, 3 at yellow make it orange, 2 at orange make it red; the
# same counts over items give the pond's level. (count, level reached, level it makes).
ESCALATION = (
    (4, AlarmLevel.BLUE, AlarmLevel.YELLOW),
    (3, AlarmLevel.YELLOW, AlarmLevel.ORANGE),
    (2, AlarmLevel.ORANGE, AlarmLevel.RED),
)
# Seepage line: red = the design minimum burial depth (GB 50863 table of minimum depths); orange =
# 1.1 × red (GB 51108 commentary 8.3.4, "an empirical value"); yellow and blue continue the same
# 10 % steps (platform convention where the design unit gives no value of its own).
PHREATIC_FACTORS = {
    AlarmLevel.RED: 1.0,
    AlarmLevel.ORANGE: 1.1,
    AlarmLevel.YELLOW: 1.2,
    AlarmLevel.BLUE: 1.3,
}
# Dry beach: red = the design minimum dry-beach length (GB 50863 tables of minimum beach length);
# higher levels at 1.1/1.2/1.3 × (platform convention, the design unit may set its own).
BEACH_FACTORS = PHREATIC_FACTORS
# Displacement: red = the design allowable cumulative displacement; orange = 80 % of red
# (GB 51108 commentary 8.3.8 for landslide displacement), yellow 60 %, blue 40 % (convention).
DISPLACEMENT_FACTORS = {
    AlarmLevel.RED: 1.0,
    AlarmLevel.ORANGE: 0.8,
    AlarmLevel.YELLOW: 0.6,
    AlarmLevel.BLUE: 0.4,
}
# Rainfall in 24 h (mm): GB 51108 commentary 8.3.7 sets yellow at rainstorm (暴雨) level; the
# grades are GB/T 28592-2012: heavy rain 25, rainstorm 50, heavy rainstorm 100, extreme 250.
RAINFALL_24H_MM = {
    AlarmLevel.BLUE: 25.0,
    AlarmLevel.YELLOW: 50.0,
    AlarmLevel.ORANGE: 100.0,
    AlarmLevel.RED: 250.0,
}
# Water level: GB 51108 commentary 8.3.6 cites the design levels directly: red = design highest
# flood level, orange = flood-season (pre-flood) control level; blue = the production control
# level, yellow halfway between it and the flood-season level (convention).

LEVEL_SEVERITY = {
    AlarmLevel.BLUE: AlertSeverity.INFO,
    AlarmLevel.YELLOW: AlertSeverity.MINOR,
    AlarmLevel.ORANGE: AlertSeverity.MAJOR,
    AlarmLevel.RED: AlertSeverity.CRITICAL,
}
LEVEL_COLOURS = {0: "#2e7d32", 1: "#1565c0", 2: "#f9a825", 3: "#ef6c00", 4: "#c62828"}

# ---------------------------------------------------------------- underground (GB 16423 / AQ 2031)
# GB 16423-2020 6.6 (air of metal and non-metal mines), by volume: O2 ≥ 20 %, CO ≤ 24 ppm,
# NO2 ≤ 2.5 ppm; AQ 2031-2011 requires these sensors with alarms at the limits.
O2_MIN_PERCENT = 20.0
CO_MAX_PPM = 24.0
NO2_MAX_PPM = 2.5
AIRFLOW_MIN_M_S = 0.25  # GB 16423: minimum air velocity in working roadways
AIRFLOW_MAX_M_S = 6.0  # GB 16423: maximum in transport roadways and main drifts
TEMPERATURE_MAX_C = 27.0  # GB 16423: wet-bulb temperature at working places
SEA_LEVEL_PRESSURE_KPA = 101.325
# Oxygen partial pressure below which the platform warns (equivalent to 19.5 % at sea level,
# OSHA's oxygen-deficient atmosphere); at 4,500 m even 20.9 % O2 gives ≈ 12 kPa, so underground
# at Xizang's altitudes the partial-pressure warning is advisory and always shown with the altitude.
O2_PARTIAL_PRESSURE_MIN_KPA = 0.195 * SEA_LEVEL_PRESSURE_KPA

# AQ 2032-2011 personnel positioning
OVERTIME_HOURS = 10.0  # a shift of 8 h plus the allowed 2 h before the overtime alarm

# ---------------------------------------------------------------- smart factory and dispatch
SHIFT_HOURS = 12  # two shifts a day (day and night), the usual rota of Xizang's mines and plants
DEFAULT_SHIFT_START = "08:00"  # local time (Asia/Shanghai) at which the day shift starts
LOCAL_TZ = "Asia/Shanghai"
# An OEE target of 0.65 is the usual "typical" level (Nakajima; world-class ≈ 0.85); each line
# sets its own. The running shift is judged only after an hour of planned time (less is noise).
DEFAULT_OEE_TARGET = 0.65
OEE_ALERT_MIN_PLANNED_S = 3600
DEFAULT_FAULT_ALERT_MIN = 15  # a machine in fault longer than this raises an alert
# A reading more than this after the previous one does not stretch the previous state over the
# gap: the time is left unaccounted ("no data"), as a lost controller connection should be.
MAX_READING_GAP_S = 600
# Live dispatch: travel and loading times are learned from the last cycles of each loader
# (within a day); a loader with fewer than MIN_LEARNED cycles keeps its nominal times.
LEARN_CYCLES = 20
LEARN_HOURS = 24
MIN_LEARNED = 3
LOADER_GEOFENCE_M = 250  # a truck queueing or loading is at the nearest loader within this radius

# Stop and fault reasons a line's controllers send as codes (shown translated; a reason not listed
# is shown as sent). A machine stopped by another sends "<machine code>:<reason>".
STOP_REASONS = {
    "bottle_jam": gettext_lazy("Bottle jam"),
    "cap_jam": gettext_lazy("Cap jam"),
    "cap_supply": gettext_lazy("Caps run out"),
    "label_break": gettext_lazy("Label web break"),
    "glue": gettext_lazy("Glue fault"),
    "preform_supply": gettext_lazy("Bottles run out"),
    "valve_leak": gettext_lazy("Filling valve leak"),
    "torque_head": gettext_lazy("Capping head fault"),
    "sensor": gettext_lazy("Sensor fault"),
    "changeover": gettext_lazy("Changeover"),
    "break": gettext_lazy("Break"),
}
