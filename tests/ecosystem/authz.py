"""The ecosystem's pages and API operations for the authorization matrix, and its objects in the
matrix world: approved organisations for a unit with a demo user ("health"), for one without
("lhasa-gov") and a third ("ct-xz"), a pending application, their demands and solutions
(published and draft), intents between them and an event."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.authz.api_routes import Operation, by_id
from tests.authz.routes import Route, may, region
from tests.authz.world import PASSWORD
from tests.ecosystem.conftest import credit_code
from xizang5g.core.access import APPROVE, CHANGE
from xizang5g.core.models import AdminDivision
from xizang5g.ecosystem import services
from xizang5g.ecosystem.models import Demand, Event, Intent, Organisation, Solution
from xizang5g.plan.models import Industry


def _member_org(user):
    org = services.organisation_of(user) if user is not None else None
    return org if org is not None and org.is_approved else None


def poster(user, obj) -> bool:
    """Members of an approved organisation post, register for events and express intents."""
    return _member_org(user) is not None


def owner(user, obj) -> bool:
    org = _member_org(user)
    return org is not None and org.pk == obj.organisation_id


def party(user, obj) -> bool:
    return obj.side_of(getattr(user, "unit_id", None)) is not None


def answerer(user, obj) -> bool:
    return obj.side_of(getattr(user, "unit_id", None)) not in (None, obj.initiator)


PAGES = {
    "ecosystem:index": Route(lists="demand"),
    "ecosystem:signup": Route(public=True),
    "ecosystem:public_events": Route(public=True),
    "ecosystem:public_solutions": Route(public=True),
    "ecosystem:moderation": Route(requires=region(APPROVE, Demand)),
    "ecosystem:statistics": Route(),
    "ecosystem:organisation": Route(kind="organisation"),
    "ecosystem:organisation_review": Route(
        kind="organisation", action=APPROVE, method="post", data={"decision": "approve"}
    ),
    "ecosystem:intents": Route(lists="intent"),
    "ecosystem:intent": Route(kind="intent"),
    "ecosystem:intent_action": Route(
        kind="intent",
        action=CHANGE,
        method="post",
        data={"action": "note", "text": "矩阵跟进"},
        requires=party,
    ),
    "ecosystem:events": Route(),
    "ecosystem:event_new": Route(requires=may(CHANGE, Event)),
    "ecosystem:event": Route(kind="event"),
    "ecosystem:event_edit": Route(kind="event", action=CHANGE),
    "ecosystem:event_register": Route(kind="event", method="post", requires=poster),
}
for kind, plural in (("demand", "demands"), ("solution", "solutions")):
    PAGES.update(
        {
            f"ecosystem:{plural}": Route(lists=kind),
            f"ecosystem:{kind}_new": Route(requires=poster),
            f"ecosystem:{kind}": Route(kind=kind),
            f"ecosystem:{kind}_edit": Route(kind=kind, action=CHANGE),
            f"ecosystem:{kind}_submit": Route(kind=kind, action=CHANGE, method="post"),
            f"ecosystem:{kind}_close": Route(kind=kind, action=CHANGE, method="post"),
            f"ecosystem:{kind}_review": Route(
                kind=kind, action=APPROVE, method="post", data={"decision": "publish"}
            ),
            f"ecosystem:{kind}_intent": Route(
                kind=kind, action=CHANGE, method="post", requires=owner
            ),
        }
    )

P = "/api/v1/ecosystem"
TAGS = {"industries": ["medical"], "scenarios": ["remote-diagnosis"], "prefectures": [540100]}


def _intent_pair(world, obj) -> dict:
    intent = world.objects["intent"][0]
    return {"demand_id": intent.demand_id, "solution_id": intent.solution_id, "message": "矩阵"}


def _intent_party(user, obj) -> bool:
    org = _member_org(user)
    intent = Intent.objects.filter(message="矩阵意向甲").first()
    return (
        org is not None
        and intent is not None
        and org.pk
        in (
            intent.demand.organisation_id,
            intent.solution.organisation_id,
        )
    )


OPERATIONS = {
    f"GET {P}/demands": Operation(lists=Demand),
    f"POST {P}/demands": Operation(
        body=lambda w, o: {"title": "矩阵接口需求", "description": "远程会诊", **TAGS},
        requires=poster,
    ),
    f"GET {P}/demands/{{demand_id}}": Operation(kind="demand", path=by_id("demand_id")),
    f"GET {P}/demands/{{demand_id}}/suggestions": Operation(kind="demand", path=by_id("demand_id")),
    f"GET {P}/solutions": Operation(lists=Solution),
    f"POST {P}/solutions": Operation(
        body=lambda w, o: {
            "title": "矩阵接口方案",
            "description": "远程会诊",
            "maturity": "pilot",
            **TAGS,
        },
        requires=poster,
    ),
    f"GET {P}/solutions/{{solution_id}}": Operation(kind="solution", path=by_id("solution_id")),
    f"GET {P}/solutions/{{solution_id}}/suggestions": Operation(
        kind="solution", path=by_id("solution_id")
    ),
    f"GET {P}/intents": Operation(lists=Intent),
    # the pair has an intent already: a party gets 422, anyone else is refused first
    f"POST {P}/intents": Operation(body=_intent_pair, requires=_intent_party),
    f"POST {P}/intents/{{intent_id}}/answer": Operation(
        kind="intent",
        action=CHANGE,
        path=by_id("intent_id"),
        body=lambda w, o: {"accept": True, "text": "好"},
        requires=answerer,
    ),
    f"POST {P}/intents/{{intent_id}}/notes": Operation(
        kind="intent",
        action=CHANGE,
        path=by_id("intent_id"),
        body=lambda w, o: {"text": "跟进"},
        requires=party,
    ),
}


def populate(world, units) -> None:
    office = world.users["planoffice"]
    lhasa = AdminDivision.objects.get(adcode=540100)
    medical = Industry.objects.get(code="medical")
    orgs, members = {}, {}
    for serial, code in enumerate(("health", "lhasa-gov", "ct-xz", None), start=1):
        unit = units.get(code)
        org = services.organisation_register(
            data=services.SignUp(
                name=unit.name if unit else "矩阵待审机构",
                kind="enterprise",
                credit_code=credit_code(serial * 7919, prefix="91540100MB7Q"),
                prefecture=lhasa,
                contact_name="矩阵联系人",
                email=f"authz{serial}@example.cn",
                phone="13908900001",
                username=f"authz-eco-{serial}",
                password=PASSWORD,
            )
        )
        if code is not None:
            services.organisation_approve(organisation=org, user=office)
            org.refresh_from_db()
            # The applicant joins the unit; "health" (the demo user) is a member as well.
            members[code] = org.applicant
            members[code].refresh_from_db()
        orgs[code] = org
    world.add("organisation", orgs["health"], orgs["lhasa-gov"], orgs[None])
    tags = {"industries": [medical], "prefectures": [lhasa]}

    def post(model_create, code, title, publish):
        item = model_create(
            user=members[code],
            values={"title": title, "description": "远程会诊 高原医疗"}
            | ({"maturity": "pilot"} if model_create is services.solution_create else {}),
            tags=tags,
        )
        if publish:
            services.post_submit(post=item, user=members[code])
            services.post_publish(post=item, user=office)
        return item

    d_health = post(services.demand_create, "health", "卫健委矩阵公开需求", True)
    d_health_draft = post(services.demand_create, "health", "卫健委矩阵草稿需求", False)
    d_lhasa = post(services.demand_create, "lhasa-gov", "拉萨矩阵公开需求", True)
    d_lhasa_draft = post(services.demand_create, "lhasa-gov", "拉萨机密草稿需求", False)
    world.add("demand", d_health, d_health_draft, d_lhasa, d_lhasa_draft)
    s_health = post(services.solution_create, "health", "卫健委矩阵公开方案", True)
    s_lhasa = post(services.solution_create, "lhasa-gov", "拉萨矩阵公开方案", True)
    s_lhasa_draft = post(services.solution_create, "lhasa-gov", "拉萨机密草稿方案", False)
    s_ct = post(services.solution_create, "ct-xz", "电信矩阵公开方案", True)
    world.add("solution", s_health, s_lhasa, s_lhasa_draft, s_ct)
    # Lhasa asks the health unit (which may answer); Lhasa and the telecom operator between them.
    ours = services.intent_express(
        user=members["lhasa-gov"], demand=d_health, solution=s_lhasa, message="矩阵意向甲"
    )
    theirs = services.intent_express(
        user=members["lhasa-gov"], demand=d_lhasa, solution=s_ct, message="矩阵意向乙"
    )
    world.add("intent", ours, theirs)
    event = services.event_save(
        user=office,
        values={
            "title": "矩阵路演",
            "kind": "roadshow",
            "starts_at": timezone.now() + timedelta(days=30),
            "place": "拉萨",
            "capacity": 50,
        },
    )
    world.add("event", event)
    assert Organisation.objects.filter(status="approved").count() >= 3
