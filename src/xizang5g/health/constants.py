"""Fixed numbers of the health app, each with the source it comes from.

NEWS2 — Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising the
assessment of acute-illness severity in the NHS. Updated report of a working party. London: RCP,
2017 — the chart "NEWS2 scoring system" (chart 1) and "Clinical response to NEWS2 trigger
thresholds" (table 2/chart 2). The bands below are copied from that chart; each band is
``(upper bound inclusive, score)`` read from the lowest band up, with ``None`` for "and above".
"""

from __future__ import annotations

# ------------------------------------------------------------------------------ NEWS2 (RCP 2017)
# Respiration rate, breaths per minute: ≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3.
RESPIRATION_BANDS = ((8, 3), (11, 1), (20, 0), (24, 2), (None, 3))

# SpO2 scale 1, %: ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0.
SPO2_SCALE1_BANDS = ((91, 3), (93, 2), (95, 1), (None, 0))

# SpO2 scale 2 (patients with hypercapnic respiratory failure whose prescribed target is
# 88–92 %, chosen by a clinician), %: ≤83 → 3, 84–85 → 2, 86–87 → 1, 88–92 → 0, and also ≥93 → 0
# on air; on oxygen 93–94 → 1, 95–96 → 2, ≥97 → 3.
SPO2_SCALE2_BANDS = ((83, 3), (85, 2), (87, 1), (92, 0))
SPO2_SCALE2_ON_AIR_ABOVE = 0
SPO2_SCALE2_ON_OXYGEN_BANDS = ((94, 1), (96, 2), (None, 3))

# Air or oxygen: air → 0, any supplemental oxygen → 2.
ON_OXYGEN_SCORE = 2

# Systolic blood pressure, mmHg: ≤90 → 3, 91–100 → 2, 101–110 → 1, 111–219 → 0, ≥220 → 3.
SYSTOLIC_BANDS = ((90, 3), (100, 2), (110, 1), (219, 0), (None, 3))

# Pulse, per minute: ≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3.
HEART_RATE_BANDS = ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3))

# Consciousness (ACVPU): Alert → 0; new Confusion, Voice, Pain, Unresponsive → 3.
CONSCIOUSNESS_SCORES = {"A": 0, "C": 3, "V": 3, "P": 3, "U": 3}

# Temperature, °C (one decimal): ≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1,
# ≥39.1 → 2.
TEMPERATURE_BANDS = ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (None, 2))

# Clinical response (RCP 2017, chart 2): aggregate 0–4 → low; a single parameter scoring 3 (with
# an aggregate under 5) → low-medium ("urgent ward-based response"); 5–6 → medium (key threshold
# for urgent response); 7 or more → high (emergency response).
RED_SCORE = 3
MEDIUM_FROM = 5
HIGH_FROM = 7

# ------------------------------------------------------------------------------ accepted input
# What the platform accepts as a physiologically possible measurement (outside → 422). These are
# the platform's plausibility limits, not clinical thresholds: a value outside them is a sensor or
# typing fault, not a patient.
PHYSIOLOGICAL_RANGES = {
    "respiration_rate": (1, 80),  # breaths/min
    "spo2": (50, 100),  # %
    "systolic_bp": (40, 300),  # mmHg
    "heart_rate": (20, 300),  # beats/min
    "temperature_c": (25.0, 45.0),  # °C
    "altitude_m": (0, 6000),  # m, the highest permanent settlements are ~5,100 m
}

# ------------------------------------------------------------------------------ altitude
# Residents of high altitude have a lower normal SpO2. When the adjustment is switched on
# (setting HEALTH_NEWS2_ALTITUDE_ADJUSTMENT, off by default), the SpO2 *scale 1* band limits are
# lowered by a shift read from this table (linear between rows, in whole percentage points,
# constant beyond the last row). The shift is 0 at 0 m and up to 1,500 m, so that the score
# there is exactly NEWS2. Scale 2 is never shifted: its target range is prescribed by a clinician.
#
# The rows follow the fall of the median SpO2 of healthy acclimatised residents with altitude
# (from ~98 % at sea level to the mid-80s at ~5,100 m) reported by
#   - Rojas-Camayo J, Mejia CR, Callacondo D, et al. Reference values for oxygen saturation from
#     sea level to the highest human habitation in the Andes in acclimatised persons.
#     Thorax 2018;73:776–778;
#   - Beall CM. Two routes to functional adaptation: Tibetan and Andean high-altitude natives.
#     PNAS 2007;104(suppl 1):8655–8660 (Tibetan highlanders' SpO2 at ~4,000 m, lower than at sea
#     level);
# and the shift is the fall of that median relative to sea level. It is a platform default to be
# reviewed by the region's clinicians (override with HEALTH_NEWS2_ALTITUDE_SHIFTS), not part of
# the RCP standard: NEWS2 itself makes no altitude correction.
ALTITUDE_SHIFTS = ((0, 0), (1500, 0), (2500, 2), (3500, 5), (4500, 8), (5500, 12))

# ------------------------------------------------------------------------------ dispatch
# Estimated travel time = great-circle distance × detour factor ÷ speed. Roads in Xizang wind over
# passes and along valleys, so the road distance is well above the straight line. Defaults for
# the platform, to be replaced by each 120 centre's own figures: settings
# HEALTH_DETOUR_FACTORS ({county adcode: factor}), HEALTH_DEFAULT_DETOUR_FACTOR and
# HEALTH_AMBULANCE_SPEED_KMH ({county adcode: km/h} or one number).
DEFAULT_DETOUR_FACTOR = 1.5
DEFAULT_SPEED_KMH = 45.0
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

# ------------------------------------------------------------------------------ epidemic warning
# EARS — the CDC's Early Aberration Reporting System: Hutwagner L, Thompson W, Seeman GM,
# Treadwell T. The bioterrorism preparedness and response Early Aberration Reporting System
# (EARS). J Urban Health 2003;80(2 Suppl 1):i89–i96; and Fricker RD Jr, Hegler BL, Dunfee DA.
# Comparing syndromic surveillance detection methods: EARS' versus a CUSUM-based methodology.
# Stat Med 2008;27:3407–3429.
#   C1: today against the mean and standard deviation of the 7 days before it (days t−7…t−1);
#       alarm when (x − mean) / sd > 3.
#   C2: the same with a 2-day guard band (baseline t−9…t−3); alarm when > 3.
#   C3: the sum over t−2…t of max(0, C2 − 1); alarm when > 2.
EARS_BASELINE_DAYS = 7
EARS_C2_LAG_DAYS = 2
EARS_C1_THRESHOLD = 3.0
EARS_C2_THRESHOLD = 3.0
EARS_C3_THRESHOLD = 2.0
# A baseline of identical counts has sd 0; the platform floors the sd at this many cases so that
# a flat week of zeros followed by one case is not an infinite score (a platform choice, as in
# the `surveillance` R package's `earsC(minSigma=…)`).
EARS_MIN_SD = 0.5

# ------------------------------------------------------------------------------ response targets
# 《关于进一步完善院前医疗急救服务的指导意见》(国卫医发〔2020〕19号, National Health Commission and
# eight departments, 2020): ambulances leave within 3 minutes of a call (95 %), and the average
# emergency response time (call to arrival on scene) is below 12 minutes. Shown against each
# county's medians on the dispatch page; override with HEALTH_TARGET_DISPATCH_MIN and
# HEALTH_TARGET_RESPONSE_MIN (a county of the plateau may set its own).
TARGET_DISPATCH_MIN = 3.0
TARGET_RESPONSE_MIN = 12.0
