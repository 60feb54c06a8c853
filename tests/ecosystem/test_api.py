"""The ecosystem API: posting, lists under the access rule, suggestions with score and reasons,
intents; bad input answers 4xx naming the field."""

import json

from django.test import Client

from xizang5g.core.services import api_token_create
from xizang5g.ecosystem import services
from xizang5g.ecosystem.models import Demand

P = "/api/v1/ecosystem"


def api(user):
    client = Client()
    token = api_token_create(user=user, name="eco")
    return lambda method, path, body=None: getattr(client, method)(
        P + path,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_post_suggest_and_express_intent(approved, publish, office, sign_up):
    _mine, mine_user = approved("藏北矿业", "mine")
    _cmcc, cmcc_user = approved("移动西藏", "cm1", "operator")
    solution = publish(
        "solution",
        cmcc_user,
        "5G智慧矿山专网",
        "尾矿库安全监测、井下人员定位。",
        industries=["mining"],
        scenarios=["mine-safety-monitoring"],
    )
    mine = api(mine_user)
    bad = mine("post", "/demands", {"title": "x", "description": "y", "industries": ["no-such"]})
    assert bad.status_code == 422 and "no-such" in bad.json()["detail"]
    answer = mine(
        "post",
        "/demands",
        {
            "title": "矿区专网与尾矿库监测",
            "description": "尾矿库坝体位移监测，井下人员定位。",
            "industries": ["mining"],
            "scenarios": ["mine-safety-monitoring"],
            "prefectures": [540100],
            "budget_min_wan": "100",
            "budget_max_wan": "300",
            "submit": True,
        },
    )
    assert answer.status_code == 201, answer.content
    demand = answer.json()
    assert demand["status"] == "submitted" and demand["prefectures"] == [540100]
    # Not published yet: the operator does not see it, the suggestions wait.
    assert api(cmcc_user)("get", f"/demands/{demand['id']}").status_code == 404
    services.post_publish(post=Demand.objects.get(pk=demand["id"]), user=office)
    found = mine("get", f"/demands/{demand['id']}/suggestions").json()
    assert found[0]["id"] == solution.pk
    assert found[0]["score"] > 50
    assert found[0]["reasons"]["industries"] == ["矿山"]
    assert found[0]["reasons"]["scenarios"] == ["矿区安全监控"]
    assert set(found[0]["reasons"]["keywords"]) & {"尾矿库", "井下", "定位"}
    assert set(found[0]["parts"]) == {"industry", "scenario", "prefecture", "text"}
    intent = mine("post", "/intents", {"demand_id": demand["id"], "solution_id": solution.pk})
    assert intent.status_code == 201 and intent.json()["score"] == found[0]["score"]
    again = mine("post", "/intents", {"demand_id": demand["id"], "solution_id": solution.pk})
    assert again.status_code == 422
    iid = intent.json()["id"]
    assert mine("post", f"/intents/{iid}/answer", {"accept": True}).status_code == 403
    operator = api(cmcc_user)
    assert (
        operator("post", f"/intents/{iid}/answer", {"accept": True}).json()["status"] == "accepted"
    )
    assert operator("post", f"/intents/{iid}/notes", {"text": "下周勘察"}).status_code == 201
    assert operator("get", "/intents").json()["count"] == 1
    # A pending organisation's member may not post.
    pending = sign_up("待审公司", "wait")
    refused = api(pending.applicant)(
        "post",
        "/solutions",
        {"title": "x", "description": "y", "maturity": "pilot", "industries": ["mining"]},
    )
    assert refused.status_code == 403


def test_lists_follow_the_rule(approved, publish, catalogue):
    _a, first = approved("甲公司", "a1")
    _b, second = approved("乙公司", "b1")
    publish("demand", first, "公开需求", "尾矿库", industries=["mining"])
    services.demand_create(
        user=first,
        values={"title": "草稿需求", "description": "机密"},
        tags={"industries": [catalogue["mining"]]},
    )
    mine = api(first)("get", "/demands").json()
    theirs = api(second)("get", "/demands").json()
    assert {d["title"] for d in mine["items"]} == {"公开需求", "草稿需求"}
    assert {d["title"] for d in theirs["items"]} == {"公开需求"}
    assert Client().get(P + "/demands").status_code == 401
