"""Radio engine of the Xizang 5G platform: pure NumPy (plus Numba), no Django.

Submodules
----------
p452          ITU-R P.452-18 interference prediction, batched over ragged profiles.
p676          Gaseous specific attenuation (ITU-R P.676-11 Annex 1) used by P.452.
refractivity  Loader for the ITU DN50 / N050 digital maps (user-supplied files).
terrain       DEM protocol, rasterio DEM, synthetic plateau DEM, great-circle profiles.
antennas      ITU-R S.465, S.580, F.1336 and M.2101 antenna patterns.
interference  Base station -> earth station in-band and blocking budgets with mitigations.
emf           Far-field exposure and GB 8702-2014 compliance distances.
"""

from .errors import PathInputError, RadioInputError

__all__ = ["PathInputError", "RadioInputError"]
