"""Plain builders shared by the network tests and the browser test."""

from xizang5g.network import services
from xizang5g.network.choices import EarthStationPurpose, TerrainKind

# A 0.6° x 0.5° synthetic plateau around Lhasa (coarse grid: fast and deterministic).
REGION = (90.8, 29.4, 91.4, 29.9)


def build_terrain(regulator):
    return services.terrain_register(
        user=regulator,
        name="synthetic-lhasa",
        kind=TerrainKind.SYNTHETIC,
        bounds=REGION,
        params={"seed": 7, "resolution_deg": 1 / 120},
    )


def build_region(*, regulator, operators, broadcaster):
    """Two earth stations and nine cells (three sites) near Lhasa; S0-2 faces ES-LS-01."""
    es1 = services.earth_station_create(
        user=regulator,
        owner=broadcaster,
        code="ES-LS-01",
        name="拉萨广电卫星接收站",
        purpose=EarthStationPurpose.BROADCASTING,
        lon=91.10,
        lat=29.65,
        diameter_m=4.5,
        satellite="中星6B",
        orbital_lon_deg=115.5,
        lnb_p1db_dbm=-55.0,
        filter_name="无",
        noise_temp_k=100.0,
    )
    es2 = services.earth_station_create(
        user=regulator,
        owner=broadcaster,
        code="ES-LS-02",
        name="堆龙德庆有线前端",
        purpose=EarthStationPurpose.CABLE_HEADEND,
        lon=91.00,
        lat=29.65,
        diameter_m=3.0,
        satellite="亚太6C",
        orbital_lon_deg=134.0,
    )
    cells = []
    for k, (lon, lat, op) in enumerate(
        [(91.12, 29.66, "ct-xz"), (91.20, 29.70, "cm-xz"), (91.05, 29.60, "ct-xz")]
    ):
        site = services.site_create(
            user=regulator, operator=operators[op], code=f"S{k}", name=f"站址{k}", lon=lon, lat=lat
        )
        for j, az in enumerate((0.0, 120.0, 240.0)):
            cells.append(
                services.cell_create(
                    user=regulator,
                    site=site,
                    code=f"S{k}-{j}",
                    band="n78",
                    f_mhz=3450.0,
                    bw_mhz=100.0,
                    power_dbm=49.0,
                    height_m=30.0,
                    azimuth_deg=az,
                    mech_tilt_deg=6.0,
                    gain_dbi=18.0,
                )
            )
    return {"stations": [es1, es2], "cells": cells}
