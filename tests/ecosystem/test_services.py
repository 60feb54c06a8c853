"""Sign-up and review, moderation of posts and who may do what, intents, events, statistics."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.conftest import TEST_PASSWORD
from tests.ecosystem.conftest import credit_code
from xizang5g.core import access
from xizang5g.core.choices import Role
from xizang5g.core.models import ChangeLog, Unit
from xizang5g.ecosystem import selectors, services
from xizang5g.ecosystem.choices import IntentStatus, OrganisationStatus, PostStatus
from xizang5g.ecosystem.models import Organisation


# --- sign-up and review -------------------------------------------------------------------------
def test_sign_up_creates_a_pending_organisation_and_its_account(sign_up):
    org = sign_up("藏北矿业", "mine")
    assert org.status == OrganisationStatus.PENDING
    user = org.applicant
    assert user.role == Role.UNIT_EDITOR and user.unit is None
    assert user.check_password(TEST_PASSWORD)
    assert org.phone == "+8613908901234"  # normalised
    assert services.organisation_of(user) == org
    # Its contact details are encrypted at rest and left out of the change log.
    log = ChangeLog.objects.filter(object_id=str(org.pk)).first()
    assert log is not None and "phone" not in (log.after or {})


def test_sign_up_refuses_bad_and_duplicate_input(sign_up, prefecture):
    sign_up("藏北矿业", "mine")
    first = Organisation.objects.get()
    data = services.SignUp(
        name="藏北矿业",
        kind="enterprise",
        credit_code=first.credit_code,
        prefecture=prefecture[540100],
        contact_name="扎西",
        email="x@example.cn",
        phone="12",
        username="MINE",
        password="short",
    )
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(data=data)
    errors = caught.value.message_dict
    assert set(errors) == {"credit_code", "name", "username", "phone", "password"}
    bad_check = credit_code(5)[:-1] + ("0" if credit_code(5)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        services.organisation_register(
            data=services.SignUp(
                **{
                    **data.__dict__,
                    "name": "新",
                    "username": "n1",
                    "phone": "13908901234",
                    "password": TEST_PASSWORD,
                    "credit_code": bad_check,
                }
            )
        )
    assert "check character" in caught.value.message_dict["credit_code"][0]


def test_approval_gives_a_unit_and_rejection_a_reason(sign_up, office, make_user):
    org = sign_up("藏北矿业", "mine")
    stranger = make_user(
        "stranger", Role.UNIT_EDITOR, Unit.objects.create(code="x", name="X", kind="enterprise")
    )
    with pytest.raises(Http404):  # a pending organisation is not even visible to other units
        services.organisation_approve(organisation=org, user=stranger)
    with pytest.raises(PermissionDenied):  # its own applicant may read it but not approve it
        services.organisation_approve(organisation=org, user=org.applicant)
    services.organisation_approve(organisation=org, user=office)
    org.refresh_from_db()
    assert org.status == OrganisationStatus.APPROVED and org.unit.kind == "enterprise"
    org.applicant.refresh_from_db()
    assert org.applicant.unit == org.unit

    other = sign_up("空壳公司", "shell")
    with pytest.raises(ValidationError):
        services.organisation_reject(organisation=other, user=office, reason=" ")
    services.organisation_reject(organisation=other, user=office, reason="营业执照与名称不符")
    other.refresh_from_db()
    assert (
        other.status == OrganisationStatus.REJECTED and other.reject_reason == "营业执照与名称不符"
    )
    assert other.applicant.unit is None


def test_approval_links_a_unit_the_plan_already_knows(sign_up, office, make_unit):
    known = make_unit("cm-xz", "中国移动通信集团西藏有限公司", "operator")
    org = sign_up("中国移动通信集团西藏有限公司", "cm", "operator")
    services.organisation_approve(organisation=org, user=office)
    org.refresh_from_db()
    assert org.unit == known


# --- posts and moderation -----------------------------------------------------------------------
def _demand(user, catalogue, title="矿区5G专网"):
    return services.demand_create(
        user=user,
        values={
            "title": title,
            "description": "尾矿库安全监测",
            "budget_min_wan": 10,
            "budget_max_wan": 20,
        },
        tags={
            "industries": [catalogue["mining"]],
            "scenarios": [catalogue["mine-safety-monitoring"]],
        },
    )


def test_pending_organisations_cannot_post(sign_up, catalogue):
    org = sign_up("藏北矿业", "mine")
    with pytest.raises(PermissionDenied):
        _demand(org.applicant, catalogue)


def test_moderation_workflow(approved, office, catalogue):
    _org, member = approved("藏北矿业", "mine")
    _other, other = approved("别家公司", "other")
    demand = _demand(member, catalogue)
    assert demand.status == PostStatus.DRAFT
    # A draft is the organisation's own: other organisations do not see it, the office does.
    assert not access.can(other, access.VIEW, demand)
    assert access.can(office, access.VIEW, demand)
    with pytest.raises(ValidationError):
        services.post_publish(post=demand, user=office)  # not submitted yet
    services.post_submit(post=demand, user=member)
    with pytest.raises(PermissionDenied):
        services.post_publish(post=demand, user=member)  # members cannot publish their own
    services.post_reject(post=demand, user=office, reason="预算区间请写清楚")
    assert demand.status == PostStatus.REJECTED
    services.demand_update(demand=demand, user=member, values={"budget_max_wan": 50})
    services.post_submit(post=demand, user=member)
    services.post_publish(post=demand, user=office)
    assert demand.status == PostStatus.PUBLISHED and demand.published_at
    with pytest.raises(ValidationError):  # published posts are not edited any more
        services.demand_update(demand=demand, user=member, values={"title": "改"})
    services.post_close(post=demand, user=member)
    assert demand.status == PostStatus.CLOSED


def test_another_organisation_cannot_edit_yours(approved, catalogue):
    _org, member = approved("藏北矿业", "mine")
    _other, intruder = approved("别家公司", "other")
    demand = _demand(member, catalogue)
    with pytest.raises(Http404):  # a draft of another organisation is invisible
        services.demand_update(demand=demand, user=intruder, values={"title": "改"})
    services.post_submit(post=demand, user=member)
    services.post_publish(post=demand, user=_office(demand))
    # Published: every organisation reads it, none but its own changes it.
    assert demand in selectors.demand_list(user=intruder)
    with pytest.raises(PermissionDenied):
        services.post_close(post=demand, user=intruder)


def _office(post):
    from xizang5g.core.models import User

    return User.objects.get(username="planoffice")


def test_budget_range_is_checked(approved, catalogue):
    _org, member = approved("藏北矿业", "mine")
    with pytest.raises(ValidationError) as caught:
        services.demand_create(
            user=member,
            values={"title": "x", "description": "y", "budget_min_wan": 50, "budget_max_wan": 10},
            tags={"industries": [catalogue["mining"]]},
        )
    assert "budget_max_wan" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.demand_create(
            user=member, values={"title": "x", "description": "y"}, tags={"industries": []}
        )


# --- intents ------------------------------------------------------------------------------------
@pytest.fixture
def pair(approved, publish):
    _mine, mine_user = approved("藏北矿业", "mine")
    _cmcc, cmcc_user = approved("移动西藏", "cmcc1", "operator")
    demand = publish("demand", mine_user, "矿区5G专网", "尾矿库监测", industries=["mining"])
    solution = publish("solution", cmcc_user, "智慧矿山专网", "尾矿库监测", industries=["mining"])
    return demand, solution, mine_user, cmcc_user


def test_intent_lifecycle(pair, approved):
    demand, solution, mine_user, cmcc_user = pair
    _x, outsider = approved("第三方", "third")
    with pytest.raises(PermissionDenied):
        services.intent_express(user=outsider, demand=demand, solution=solution)
    intent = services.intent_express(
        user=mine_user, demand=demand, solution=solution, message="请联系"
    )
    with pytest.raises(ValidationError):
        services.intent_express(user=cmcc_user, demand=demand, solution=solution)  # once per pair
    with pytest.raises(PermissionDenied):  # the side that asked does not answer itself
        services.intent_answer(intent=intent, user=mine_user, accept=True)
    with pytest.raises(Http404):  # others do not even see it
        services.intent_note(intent=intent, user=outsider, text="?")
    with pytest.raises(ValidationError):
        services.intent_start_project(intent=intent, user=mine_user)  # not accepted yet
    services.intent_answer(intent=intent, user=cmcc_user, accept=True, text="好的")
    services.intent_note(intent=intent, user=mine_user, text="勘察完成")
    services.intent_start_project(intent=intent, user=cmcc_user, text="签约")
    assert intent.status == IntentStatus.STARTED
    assert [e.action for e in intent.events.all()] == ["expressed", "accepted", "note", "started"]
    stats = selectors.statistics()
    assert stats["intents"] == 1 and stats["matches"] == 1 and stats["projects_started"] == 1


# --- events -------------------------------------------------------------------------------------
@pytest.fixture
def roadshow(office):
    return services.event_save(
        user=office,
        values={
            "title": "5G+矿山路演",
            "kind": "roadshow",
            "starts_at": timezone.now() + timedelta(days=7),
            "place": "拉萨",
            "capacity": 5,
        },
    )


def test_only_the_plan_office_runs_events(approved):
    _org, member = approved("藏北矿业", "mine")
    with pytest.raises(PermissionDenied):
        services.event_save(
            user=member,
            values={
                "title": "x",
                "kind": "forum",
                "starts_at": timezone.now(),
                "place": "y",
                "capacity": 1,
            },
        )


def test_capacity_and_double_registration(roadshow, approved, sign_up):
    _a, first = approved("甲公司", "a1")
    _b, second = approved("乙公司", "b1")
    _c, third = approved("丙公司", "c1")
    services.event_register(event=roadshow, user=first, attendees=3)
    with pytest.raises(ValidationError) as caught:
        services.event_register(event=roadshow, user=first, attendees=1)
    assert "already" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.event_register(event=roadshow, user=second, attendees=3)  # 2 seats left
    assert "Only 2 seats" in caught.value.messages[0]
    services.event_register(event=roadshow, user=second, attendees=2)
    with pytest.raises(ValidationError):
        services.event_register(event=roadshow, user=third, attendees=1)  # full
    assert services.seats_taken(roadshow) == 5
    pending = sign_up("丁公司", "d1")
    with pytest.raises(PermissionDenied):
        services.event_register(event=roadshow, user=pending.applicant)
    with pytest.raises(ValidationError):  # capacity cannot drop below the seats taken
        services.event_save(user=_office(roadshow), event=roadshow, values={"capacity": 4})


# --- statistics ---------------------------------------------------------------------------------
def test_statistics(approved, publish, sign_up):
    _a, mine = approved("藏北矿业", "mine")
    _b, cmcc = approved("移动西藏", "cm1", "operator")
    sign_up("待审公司", "wait")
    publish("demand", mine, "矿区专网", "尾矿库", industries=["mining"])
    publish("demand", mine, "景区人流", "人流预警", industries=["culture-tourism", "mining"])
    publish("solution", cmcc, "矿山专网", "尾矿库", industries=["mining"])
    stats = selectors.statistics()
    assert stats["organisations"] == 2 and stats["pending"] == 1
    assert stats["organisations_by_kind"] == {"enterprise": 1, "operator": 1}
    assert stats["demands"] == 2 and stats["solutions"] == 1
    rows = {r["code"]: r for r in stats["by_industry"]}
    assert rows["mining"]["demands"] == 2 and rows["mining"]["solutions"] == 1
    assert rows["culture-tourism"]["demands"] == 1 and rows["culture-tourism"]["solutions"] == 0
    assert stats["by_industry"][0]["code"] == "mining"
    assert stats["intents"] == 0 and stats["projects_started"] == 0
