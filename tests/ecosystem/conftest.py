"""Ecosystem fixtures: the plan's catalogue (a few industries and scenarios), the prefectures, the
plan office and a way to make approved organisations with a member."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD
from xizang5g.core.models import AdminDivision
from xizang5g.ecosystem import services
from xizang5g.ecosystem.constants import USCC_ALPHABET
from xizang5g.ecosystem.creditcode import check_character
from xizang5g.plan.models import Industry, Scenario

CATALOGUE = {
    "mining": ("矿山", ["mine-safety-monitoring:矿区安全监控", "intelligent-extraction:智能开采"]),
    "education": ("教育", ["remote-interactive-teaching:远程互动教学"]),
    "culture-tourism": ("文旅", ["crowd-flow-warning:人流预警"]),
    "park": ("园区", ["iot:物联网", "edge-computing:边缘计算"]),
}


def credit_code(serial: int, prefix: str = "91540100MA6T") -> str:
    """A valid code (GB 32100-2015 check character) for a serial number."""
    body = prefix
    n = serial
    for _ in range(17 - len(prefix)):
        body += USCC_ALPHABET[n % 31]
        n //= 31
    return body + check_character(body)


@pytest.fixture
def catalogue(db):
    out = {}
    for order, (code, (name, scenarios)) in enumerate(CATALOGUE.items()):
        industry = Industry.objects.create(code=code, name=name, order=order)
        out[code] = industry
        for i, pair in enumerate(scenarios):
            s_code, s_name = pair.split(":")
            out[s_code] = Scenario.objects.create(
                code=s_code, name=s_name, industry=industry, order=i
            )
    return out


@pytest.fixture
def prefecture(divisions):
    return {d.adcode: d for d in AdminDivision.objects.filter(level="prefecture")}


@pytest.fixture
def office(plan_admin):
    return plan_admin


@pytest.fixture
def sign_up(prefecture):
    counter = {"n": 0}

    def make(name: str, username: str, kind: str = "enterprise", adcode: int = 540100):
        counter["n"] += 1
        return services.organisation_register(
            data=services.SignUp(
                name=name,
                kind=kind,
                credit_code=credit_code(counter["n"] * 977),
                prefecture=prefecture[adcode],
                contact_name="扎西",
                email=f"{username}@example.cn",
                phone="13908901234",
                username=username,
                password=TEST_PASSWORD,
            )
        )

    return make


@pytest.fixture
def approved(sign_up, office):
    """An approved organisation with its first member: (organisation, member)."""

    def make(name: str, username: str, kind: str = "enterprise"):
        org = sign_up(name, username, kind)
        services.organisation_approve(organisation=org, user=office)
        org.refresh_from_db()
        member = org.applicant
        member.refresh_from_db()
        return org, member

    return make


@pytest.fixture
def publish(office, catalogue, prefecture):
    """Post, submit and publish a demand or solution: publish("demand", member, title, text,
    industries=[...], scenarios=[...], prefectures=[adcodes])."""

    def make(
        kind, member, title, description, industries=(), scenarios=(), prefectures=(), **extra
    ):
        tags = {
            "industries": [catalogue[c] for c in industries],
            "scenarios": [catalogue[c] for c in scenarios],
            "prefectures": [prefecture[a] for a in prefectures],
        }
        values = {"title": title, "description": description, **extra}
        if kind == "demand":
            post = services.demand_create(user=member, values=values, tags=tags)
        else:
            values.setdefault("maturity", "pilot")
            post = services.solution_create(user=member, values=values, tags=tags)
        services.post_submit(post=post, user=member)
        return services.post_publish(post=post, user=office)

    return make
