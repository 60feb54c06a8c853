"""The industry app's pages and objects for the authorization matrix (tests/authz).

The Handle REST API (/api/handles/…) is not a session page nor a /api/v1 operation: the matrix
skips "api/" paths, and its own auth (anonymous reads, Basic-auth writes per prefix) is tested in
tests/industry/test_handles.py against a live server with pyhandle."""

from tests.authz.routes import Route, may
from xizang5g.core.access import CHANGE
from xizang5g.industry.demo import build_jiama
from xizang5g.industry.handles import handle_user_create, identifiers_register
from xizang5g.industry.models import HandleUser, Identifier

PAGES = {
    "industry:index": Route(lists="industry_mine"),
    "industry:pond_detail": Route(kind="industry_pond"),
    "industry:mine_underground": Route(kind="industry_mine"),
    "industry:mine_dispatch": Route(kind="industry_mine"),
    "industry:mine_slope": Route(kind="industry_mine"),
    "industry:identifier_list": Route(lists="industry_identifier"),
    "industry:handle_user_create": Route(method="post", requires=may(CHANGE, HandleUser)),
    "industry:identifier_import": Route(method="post", requires=may(CHANGE, Identifier)),
}


def populate(world, units) -> None:
    admin = world.users["admin"]
    for number, code in enumerate(("health", "lhasa-gov"), start=1):
        mine = build_jiama(units[code], label=f"{code} ")
        world.add("industry_mine", mine)
        world.add("industry_pond", *mine.ponds.all())
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
