"""Physical and model constants used by :mod:`xizang5g.radio`, each naming its source.

Equation numbers refer to Recommendation ITU-R P.452-18 (10/2023) unless stated otherwise.
"""

from __future__ import annotations

import numpy as np

# --- Earth and refractivity (P.452-18 §4.2.1/§4.3, eqs (5)-(6)) -------------------------
EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius (km), P.452-18 eq. (6a); also the R_e of P.2001 Attachment H."""

K_BETA = 3.0
"""Effective Earth-radius factor exceeded for beta0 % of time, P.452-18 eq. (6b)."""

DELTA_N_LIMIT = 157.0
"""k50 = 157 / (157 - dN) (P.452-18 eq. (5)); dN must stay below this value."""

SPEED_OF_LIGHT_MM = 0.2998
"""Wavelength numerator (m GHz) used by the P.452 reference implementation: lambda = 0.2998 / f.

Kept at the reference implementation's rounding so that the validation data agrees to 1e-4 dB;
everything outside P.452 uses :data:`C_M_GHZ`."""

K_STANDARD_ATMOSPHERE = 4.0 / 3.0
"""Effective Earth-radius factor k of the standard radio atmosphere (refractivity gradient
-40 N-units/km: k = 1 / (1 - 40e-6 a) = 4/3, ITU-R P.310 and P.834), for geometry outside
P.452 (which derives k from the path's delta N, eq. (5))."""

# --- Geostationary geometry ------------------------------------------------------------------
EARTH_EQUATORIAL_RADIUS_KM = 6378.137
"""Equatorial radius of the WGS84 ellipsoid (km), for look angles to the geostationary arc."""

GSO_RADIUS_KM = 42164.0
"""Radius of the geostationary orbit from the Earth's centre (km): Kepler's third law for one
sidereal day (86 164.1 s) with GM = 398 600.44 km^3/s^2."""

# --- Physical constants (SI 2019 exact values; CODATA 2018) -------------------------------
SPEED_OF_LIGHT_M_S = 299_792_458.0
"""Speed of light in vacuum (m/s), exact in the SI."""

C_M_GHZ = SPEED_OF_LIGHT_M_S / 1e9
"""Wavelength numerator (m GHz): lambda_m = C_M_GHZ / f_ghz (0.299792458)."""

BOLTZMANN_J_PER_K = 1.380649e-23
"""Boltzmann constant k (J/K), exact in the SI."""

BOLTZMANN_DBM_PER_K_HZ = 10.0 * np.log10(BOLTZMANN_J_PER_K) + 30.0
"""10 log10(k) in dBm/(K Hz): -198.599; k T at 290 K is -173.98 dBm/Hz."""

Z0_OHM = 376.730313668
"""Impedance of free space (ohm), CODATA 2018 (about 120 pi)."""

# --- Clutter handling (P.452-18 §4.5.1 step 4, "radio profile") -----------------------------
TERMINAL_CLUTTER_EXCLUSION_KM = 0.05
"""Profile points closer than 50 m to either terminal keep g = h (no representative clutter)."""

# --- Line of sight (P.452-18 §4.1) ----------------------------------------------------------
MULTIPATH_COEFF_DB = 2.6
"""Multipath/focusing correction coefficient in eqs (10a)/(10b)."""

# --- Diffraction (P.452-18 §4.2) ------------------------------------------------------------
KNIFE_EDGE_NU_MIN = -0.78
"""J(nu) = 0 for nu <= -0.78, P.452-18 eq. (13)."""

GROUND_LAND = (22.0, 0.003)
"""(relative permittivity, conductivity S/m) over land, P.452-18 §4.2.2.1."""

GROUND_SEA = (80.0, 5.0)
"""(relative permittivity, conductivity S/m) over sea, P.452-18 §4.2.2.1."""

# --- Anomalous propagation (P.452-18 §4.4) --------------------------------------------------
DUCT_EPSILON = 3.5
"""epsilon in eq. (55a)."""

ALPHA_MIN = -3.4
"""Lower limit of alpha in eq. (55a)."""

# --- Final combination (P.452-18 §4.6) ------------------------------------------------------
FJ_THETA = 0.3
"""Theta (mrad) in the Fj blend, eq. (58)."""
FJ_XI = 0.8
"""xi in the Fj blend, eq. (58)."""
FK_DSW_KM = 20.0
"""d_sw (km) in the Fk blend, eq. (59)."""
FK_KAPPA = 0.5
"""kappa in the Fk blend, eq. (59)."""
ETA = 2.5
"""eta in eq. (61)."""

# --- Inverse cumulative normal approximation (P.452-18 Attachment 3 to Annex 1) -------------
INV_NORM_C = (2.515516698, 0.802853, 0.010328)
INV_NORM_D = (1.432788, 0.189269, 0.001308)
INV_NORM_X_MIN = 1e-6
"""Arguments below 1e-6 are clamped (as in the ITU reference implementation)."""

# --- Input domain of P.452-18 (Table in §1 / scope) -----------------------------------------
F_GHZ_RANGE = (0.1, 50.0)
P_PERCENT_RANGE = (0.001, 50.0)

# --- Gaseous attenuation: ITU-R P.676-11 Annex 1 spectroscopic data ------------------------
# P.452-18 eq. (9) refers to P.676 for the specific attenuation; the ITU-R WP 3M reference
# implementation (and therefore the validation data) uses the line-by-line model of
# Rec. ITU-R P.676-11 Annex 1, Table 1 (oxygen) and Table 2 (water vapour).
# Columns: f0 (GHz), a1, a2, a3, a4, a5, a6 for oxygen; f0, b1 .. b6 for water vapour.
P676_OXYGEN = np.array(
    [
        [50.474214, 0.975, 9.651, 6.690, 0.0, 2.566, 6.850],
        [50.987745, 2.529, 8.653, 7.170, 0.0, 2.246, 6.800],
        [51.503360, 6.193, 7.709, 7.640, 0.0, 1.947, 6.729],
        [52.021429, 14.320, 6.819, 8.110, 0.0, 1.667, 6.640],
        [52.542418, 31.240, 5.983, 8.580, 0.0, 1.388, 6.526],
        [53.066934, 64.290, 5.201, 9.060, 0.0, 1.349, 6.206],
        [53.595775, 124.600, 4.474, 9.550, 0.0, 2.227, 5.085],
        [54.130025, 227.300, 3.800, 9.960, 0.0, 3.170, 3.750],
        [54.671180, 389.700, 3.182, 10.370, 0.0, 3.558, 2.654],
        [55.221384, 627.100, 2.618, 10.890, 0.0, 2.560, 2.952],
        [55.783815, 945.300, 2.109, 11.340, 0.0, -1.172, 6.135],
        [56.264774, 543.400, 0.014, 17.030, 0.0, 3.525, -0.978],
        [56.363399, 1331.800, 1.654, 11.890, 0.0, -2.378, 6.547],
        [56.968211, 1746.600, 1.255, 12.230, 0.0, -3.545, 6.451],
        [57.612486, 2120.100, 0.910, 12.620, 0.0, -5.416, 6.056],
        [58.323877, 2363.700, 0.621, 12.950, 0.0, -1.932, 0.436],
        [58.446588, 1442.100, 0.083, 14.910, 0.0, 6.768, -1.273],
        [59.164204, 2379.900, 0.387, 13.530, 0.0, -6.561, 2.309],
        [59.590983, 2090.700, 0.207, 14.080, 0.0, 6.957, -0.776],
        [60.306056, 2103.400, 0.207, 14.150, 0.0, -6.395, 0.699],
        [60.434778, 2438.000, 0.386, 13.390, 0.0, 6.342, -2.825],
        [61.150562, 2479.500, 0.621, 12.920, 0.0, 1.014, -0.584],
        [61.800158, 2275.900, 0.910, 12.630, 0.0, 5.014, -6.619],
        [62.411220, 1915.400, 1.255, 12.170, 0.0, 3.029, -6.759],
        [62.486253, 1503.000, 0.083, 15.130, 0.0, -4.499, 0.844],
        [62.997984, 1490.200, 1.654, 11.740, 0.0, 1.856, -6.675],
        [63.568526, 1078.000, 2.108, 11.340, 0.0, 0.658, -6.139],
        [64.127775, 728.700, 2.617, 10.880, 0.0, -3.036, -2.895],
        [64.678910, 461.300, 3.181, 10.380, 0.0, -3.968, -2.590],
        [65.224078, 274.000, 3.800, 9.960, 0.0, -3.528, -3.680],
        [65.764779, 153.000, 4.473, 9.550, 0.0, -2.548, -5.002],
        [66.302096, 80.400, 5.200, 9.060, 0.0, -1.660, -6.091],
        [66.836834, 39.800, 5.982, 8.580, 0.0, -1.680, -6.393],
        [67.369601, 18.560, 6.818, 8.110, 0.0, -1.956, -6.475],
        [67.900868, 8.172, 7.708, 7.640, 0.0, -2.216, -6.545],
        [68.431006, 3.397, 8.652, 7.170, 0.0, -2.492, -6.600],
        [68.960312, 1.334, 9.650, 6.690, 0.0, -2.773, -6.650],
        [118.750334, 940.300, 0.010, 16.640, 0.0, -0.439, 0.079],
        [368.498246, 67.400, 0.048, 16.400, 0.0, 0.000, 0.000],
        [424.763020, 637.700, 0.044, 16.400, 0.0, 0.000, 0.000],
        [487.249273, 237.400, 0.049, 16.000, 0.0, 0.000, 0.000],
        [715.392902, 98.100, 0.145, 16.000, 0.0, 0.000, 0.000],
        [773.839490, 572.300, 0.141, 16.200, 0.0, 0.000, 0.000],
        [834.145546, 183.100, 0.145, 14.700, 0.0, 0.000, 0.000],
    ]
)

P676_WATER_VAPOUR = np.array(
    [
        [22.235080, 0.1079, 2.144, 26.38, 0.76, 5.087, 1.00],
        [67.803960, 0.0011, 8.732, 28.58, 0.69, 4.930, 0.82],
        [119.995940, 0.0007, 8.353, 29.48, 0.70, 4.780, 0.79],
        [183.310087, 2.273, 0.668, 29.06, 0.77, 5.022, 0.85],
        [321.225630, 0.0470, 6.179, 24.04, 0.67, 4.398, 0.54],
        [325.152888, 1.514, 1.541, 28.23, 0.64, 4.893, 0.74],
        [336.227764, 0.0010, 9.825, 26.93, 0.69, 4.740, 0.61],
        [380.197353, 11.67, 1.048, 28.11, 0.54, 5.063, 0.89],
        [390.134508, 0.0045, 7.347, 21.52, 0.63, 4.810, 0.55],
        [437.346667, 0.0632, 5.048, 18.45, 0.60, 4.230, 0.48],
        [439.150807, 0.9098, 3.595, 20.07, 0.63, 4.483, 0.52],
        [443.018343, 0.1920, 5.048, 15.55, 0.60, 5.083, 0.50],
        [448.001085, 10.41, 1.405, 25.64, 0.66, 5.028, 0.67],
        [470.888999, 0.3254, 3.597, 21.34, 0.66, 4.506, 0.65],
        [474.689092, 1.260, 2.379, 23.20, 0.65, 4.804, 0.64],
        [488.490108, 0.2529, 2.852, 25.86, 0.69, 5.201, 0.72],
        [503.568532, 0.0372, 6.731, 16.12, 0.61, 3.980, 0.43],
        [504.482692, 0.0124, 6.731, 16.12, 0.61, 4.010, 0.45],
        [547.676440, 0.9785, 0.158, 26.00, 0.70, 4.500, 1.00],
        [552.020960, 0.1840, 0.158, 26.00, 0.70, 4.500, 1.00],
        [556.935985, 497.0, 0.159, 30.86, 0.69, 4.552, 1.00],
        [620.700807, 5.015, 2.391, 24.38, 0.71, 4.856, 0.68],
        [645.766085, 0.0067, 8.633, 18.00, 0.60, 4.000, 0.50],
        [658.005280, 0.2732, 7.816, 32.10, 0.69, 4.140, 1.00],
        [752.033113, 243.4, 0.396, 30.86, 0.68, 4.352, 0.84],
        [841.051732, 0.0134, 8.177, 15.90, 0.33, 5.760, 0.45],
        [859.965698, 0.1325, 8.055, 30.60, 0.68, 4.090, 0.84],
        [899.303175, 0.0547, 7.914, 29.85, 0.68, 4.530, 0.90],
        [902.611085, 0.0386, 8.429, 28.65, 0.70, 5.100, 0.95],
        [906.205957, 0.1836, 5.110, 24.08, 0.70, 4.700, 0.53],
        [916.171582, 8.400, 1.441, 26.73, 0.70, 5.150, 0.78],
        [923.112692, 0.0079, 10.293, 29.00, 0.70, 5.000, 0.80],
        [970.315022, 9.009, 1.919, 25.50, 0.64, 4.940, 0.67],
        [987.926764, 134.6, 0.257, 29.85, 0.68, 4.550, 0.90],
        [1780.000000, 17506.0, 0.952, 196.3, 2.00, 24.15, 5.00],
    ]
)
P676_OXYGEN.setflags(write=False)
P676_WATER_VAPOUR.setflags(write=False)

RHO_TROPOSCATTER_G_M3 = 3.0
"""Water-vapour density for the troposcatter gaseous term, P.452-18 §4.3 (rho = 3 g/m^3)."""


def rho_line_of_sight_g_m3(omega):
    """Water-vapour density (g/m^3) of P.452-18 eq. (9a): rho = 7.5 + 2.5 * omega."""
    return 7.5 + 2.5 * np.asarray(omega, dtype=float)
