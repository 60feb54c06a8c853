"""Fixed numbers of the 5G supervision app, each with the standard it comes from."""

# --- Coordination (MIIT 工信部无〔2019〕 notice on 3000–5000 MHz IMT / FSS coordination) -------
DEFAULT_COORDINATION_KM = 60.0
"""Default search radius around an earth station; studies accept 1–150 km."""
MAX_COORDINATION_KM = 150.0

IN_BAND_I_N_DB = -10.0
"""Long-term protection criterion I/N = -10 dB for FSS earth stations (ITU-R S.1432 / SF.1006)."""

P_PERCENT_LONG_TERM = 20.0
"""Time percentage for the long-term criterion (ITU-R SF.1006: 20 %)."""

P_PERCENT_BLOCKING = 1.0
"""Time percentage for the blocking loss: the engine's default (`radio.interference`), an
engineering choice since no ITU-R percentage is defined for LNB saturation."""

BLOCKING_BACKOFF_DB = 10.0
"""The LNB must work with this much margin below its input P1dB: a P1dB of -10 dBm gives the
-20 dBm tolerance the MIIT (2020) C-band LNB anti-interference requirement asks for."""

DEFAULT_EMISSION_MASK_TEXT = "3GPP TS 38.104 Category B spurious limit, -30 dBm/MHz"
"""What a cell without a registered emission mask is assumed to emit in the ES band (the
engine's `interference.DEFAULT_EMISSION_MASK`)."""

# Atmosphere for Xizang (3,600-4,500 m): ITU-R P.835 mean annual reference atmosphere at ~4 km.
PLATEAU_PRESSURE_HPA = 616.0
PLATEAU_TEMPERATURE_C = -2.0
DELTA_N = 45.0
"""ΔN (N-units/km) at 30°N 90°E from the ITU-R P.452 DN50 map (rounded)."""
N0 = 310.0
"""N0 (N-units) at 30°N 90°E from the ITU-R P.452 N050 map (rounded)."""

PROFILE_STEP_KM = 0.5
"""Profile sampling step for studies (P.452 §4.5.1 asks for a step commensurate with the DEM)."""

# --- Receive bands of C-band earth stations ----------------------------------------------------
FSS_BAND_MHZ = (3700.0, 4200.0)
"""Standard C-band downlink used in China after the 3.4–3.7 GHz reallocation (MIIT 2019)."""

# --- EMF (GB 8702-2014 《电磁环境控制限值》: its Table 1 limits live in `radio.emf`) ---------------
EMF_COSITE_RADIUS_M = 50.0
"""Cells of all operators within this distance of a site count as co-sited (HJ 1151-2020 §5)."""
EMF_PUBLIC_HEIGHT_M = 1.7
"""Public-area evaluation height above ground (HJ 1151-2020: 1.7 m measurement height)."""
EMF_ACTIVITY_FACTOR = 1.0
"""Worst case: cells at maximum power (GB 8702 evaluates the maximum)."""

# --- Coverage ------------------------------------------------------------------------------------
DEFAULT_COVERAGE_DBM = -105.0
"""SS-RSRP level (dBm) above which a village counts as covered (MIIT 5G coverage practice)."""
COVERAGE_RADIUS_KM = 15.0
COVERAGE_P_PERCENT = 50.0
UE_HEIGHT_M = 1.5

# --- Case deadlines ------------------------------------------------------------------------------
CASE_DEADLINE_DAYS = {
    "applied": 10,
    "computing": 10,
    "coordinating": 30,
    "implementing": 60,
    "reviewing": 15,
}
"""Working deadlines per state (Communications Administration practice)."""
