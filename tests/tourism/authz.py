"""The tourism app's pages and API operations for the authorization matrix, and its objects in the
matrix world: a spot managed by a unit with a demo user ("health") and one managed by a unit
without ("lhasa-gov"), both supervised by the tourism department."""

from __future__ import annotations

from tests.authz.api_routes import Operation
from tests.authz.routes import Route
from xizang5g.core import access
from xizang5g.core.access import CHANGE
from xizang5g.tourism import services
from xizang5g.tourism.models import ScenicSpot


def by_code(obj) -> dict:
    return {"code": obj.code}


PAGES = {
    "tourism:index": Route(lists="spot"),
    "tourism:public_status": Route(public=True),  # published levels, parking and forecasts
    "tourism:data": Route(lists="spot"),
    "tourism:data_export": Route(),
    "tourism:spot": Route(kind="spot", kwargs=by_code),
    "tourism:spot_live": Route(kind="spot", kwargs=by_code),
}

P = "/api/v1/tourism"


def _may_create_spot(user, obj) -> bool:
    unit = getattr(user, "unit", None)
    return unit is not None and access.can_create(user, ScenicSpot, managing_unit=unit)


OPERATIONS = {
    f"GET {P}/spots": Operation(lists=ScenicSpot),
    f"POST {P}/spots": Operation(
        body=lambda w, o: {
            "code": "authz-new-spot",
            "name": "矩阵新景区",
            "zones": [{"code": "main", "name": "主景区", "area_m2": 1000, "per_visitor_m2": 2}],
            "open_hours": 8,
            "average_stay_hours": 2,
        },
        requires=_may_create_spot,
    ),
    f"POST {P}/spots/{{code}}/counts": Operation(
        kind="spot",
        action=CHANGE,
        path=lambda w, o: {"code": o.code},
        body=lambda w, o: {
            "zone": "main",
            "at": "2026-08-01T10:00:00+08:00",
            "entries": 5,
            "exits": 1,
        },
    ),
    f"POST {P}/spots/{{code}}/headcounts": Operation(
        kind="spot",
        action=CHANGE,
        path=lambda w, o: {"code": o.code},
        body=lambda w, o: {"zone": "main", "at": "2026-08-01T10:05:00+08:00", "count": 3},
    ),
    f"GET {P}/spots/{{code}}/status": Operation(kind="spot", path=lambda w, o: {"code": o.code}),
}


def populate(world, units) -> None:
    for code in ("health", "lhasa-gov"):
        spot, _created = services.spot_save(
            user=None,
            code=f"authz-{code}-spot",
            name=f"{code} 景区",
            zones=[services.ZoneInput("main", "主景区", 2000, 2)],
            open_hours=8,
            average_stay_hours=2,
            managing_unit=units[code],
        )
        world.add("spot", spot)
