"""Terrain (DEM tiles) registered for the path-loss engine."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xizang5g.core.audit import acting_as
from xizang5g.network.choices import TerrainKind
from xizang5g.network.models import TerrainTile
from xizang5g.network.services.permissions import require_regulator


def terrain_register(
    *,
    user,
    name: str,
    kind: str,
    path: str = "",
    params: dict | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> TerrainTile:
    """Register a DEM tile. GeoTIFF/HGT files are opened to read their bounds and resolution."""
    require_regulator(user)
    params = params or {}
    if kind == TerrainKind.SYNTHETIC:
        if bounds is None:
            raise ValidationError({"bounds": _("A synthetic terrain needs its bounds.")})
        west, south, east, north = bounds
        resolution_m = float(params.get("resolution_deg", 1 / 240)) * 111_320.0
    else:
        import rasterio  # GDAL takes ~0.6 s to load: only registering a DEM file needs it

        try:
            with rasterio.open(path) as src:
                west, south, east, north = src.bounds
                resolution_m = abs(src.res[0]) * (
                    111_320.0 if src.crs is None or src.crs.is_geographic else 1.0
                )
        except Exception as exc:
            raise ValidationError(
                {"path": _("Cannot read the DEM file: %(e)s") % {"e": exc}}
            ) from exc
    tile = TerrainTile(
        name=name,
        kind=kind,
        path=path,
        west=west,
        south=south,
        east=east,
        north=north,
        resolution_m=resolution_m,
        params=params,
    )
    tile.full_clean()
    with acting_as(user):
        tile.save()
    return tile
