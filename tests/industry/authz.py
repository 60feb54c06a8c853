"""The industry app's pages and API operations for the authorization matrix (tests/authz).

The Handle REST API (/api/handles/…) is not a session page nor a /api/v1 operation: the matrix
skips "api/" paths, and its own auth (anonymous reads, Basic-auth writes per prefix) is tested in
tests/industry/test_handles.py against a live server with pyhandle."""

from tests.authz.api_routes import Operation
from tests.authz.routes import Route, may
from xizang5g.core.access import CHANGE
from xizang5g.industry.demo import build_bottling_line, build_jiama
from xizang5g.industry.handles import handle_user_create, identifiers_register
from xizang5g.industry.models import HandleUser, Identifier, ProductionLine

ASSIGNMENT = {"truck": "T01", "loader": "EX-1"}

PAGES = {
    "industry:index": Route(lists="industry_mine"),
    "industry:pond_detail": Route(kind="industry_pond"),
    "industry:mine_underground": Route(kind="industry_mine"),
    "industry:mine_dispatch": Route(kind="industry_mine"),
    "industry:assignment_create": Route(
        kind="industry_mine", action=CHANGE, method="post", data=ASSIGNMENT
    ),
    "industry:mine_slope": Route(kind="industry_mine"),
    "industry:line_list": Route(lists="industry_line"),
    "industry:line_detail": Route(kind="industry_line"),
    # every mine and line the user may read, for one shift
    "industry:shift_report": Route(lists="industry_line"),
    "industry:shift_report_export": Route(),
    "industry:identifier_list": Route(lists="industry_identifier"),
    "industry:handle_user_create": Route(method="post", requires=may(CHANGE, HandleUser)),
    "industry:identifier_import": Route(method="post", requires=may(CHANGE, Identifier)),
}

P = "/api/v1/industry"
OPERATIONS = {
    f"GET {P}/lines": Operation(lists=ProductionLine),
    f"GET {P}/lines/{{line_id}}/shifts": Operation(
        kind="industry_line", path=lambda w, o: {"line_id": o.pk}
    ),
    f"GET {P}/shift-report": Operation(query={"date": "2026-12-03", "shift": "day"}),
    f"GET {P}/mines/{{mine_id}}/dispatch": Operation(
        kind="industry_mine", path=lambda w, o: {"mine_id": o.pk}
    ),
    f"POST {P}/mines/{{mine_id}}/assignments": Operation(
        kind="industry_mine",
        action=CHANGE,
        path=lambda w, o: {"mine_id": o.pk},
        body=lambda w, o: ASSIGNMENT,
    ),
}


def populate(world, units) -> None:
    admin = world.users["admin"]
    for number, code in enumerate(("health", "lhasa-gov"), start=1):
        mine = build_jiama(units[code], label=f"{code} ")
        world.add("industry_mine", mine)
        world.add("industry_pond", *mine.ponds.all())
        line = build_bottling_line(units[code], label=f"{code} ", code=f"authz-{code}-line")
        world.add("industry_line", line)
        prefix = f"88.118.{number}"
        handle_user_create(
            unit=units[code], prefix=prefix, name="ADMIN", password="Authz-World-Pass-1"
        )
        identifiers_register(
            unit=units[code],
            prefix=prefix,
            rows=[{"suffix": f"ORE-{code}", "kind": "ore_batch", "url": "https://x.example/"}],
            user=admin,
        )
        world.add("industry_identifier", Identifier.objects.get(handle=f"{prefix}/ORE-{code}"))
