from datetime import date
from pathlib import Path

import pytest

from xizang5g.core.choices import Role
from xizang5g.core.models import Unit
from xizang5g.plan.loader import plan_load
from xizang5g.plan.models import Industry, Scenario

PLAN_FILE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "xizang5g"
    / "plan"
    / "data"
    / "xizang-5g-2020.yaml"
)


@pytest.fixture
def plan(divisions):
    return plan_load(path=PLAN_FILE).plan


@pytest.fixture
def health_unit(plan):
    return Unit.objects.get(code="health")


@pytest.fixture
def health_editor(make_user, health_unit):
    return make_user("health-editor", Role.UNIT_EDITOR, health_unit)


@pytest.fixture
def other_editor(make_user, plan):
    return make_user("edu-editor", Role.UNIT_EDITOR, Unit.objects.get(code="education-dept"))


@pytest.fixture
def make_project(plan, health_unit):
    from xizang5g.core.models import AdminDivision
    from xizang5g.plan.services import project_create

    def make(
        *,
        industry="medical",
        scenarios=("remote-diagnosis",),
        unit=None,
        user=None,
        declared_on=date(2020, 3, 1),
        prefecture=540100,
        **extra,
    ):
        return project_create(
            user=user,
            name=extra.pop("name", f"试点 {industry}"),
            plan=plan,
            industry=Industry.objects.get(code=industry),
            lead_unit=unit or health_unit,
            prefecture=AdminDivision.objects.get(adcode=prefecture),
            declared_on=declared_on,
            start_date=extra.pop("start_date", declared_on),
            m2m={"scenarios": list(Scenario.objects.filter(code__in=scenarios))},
            **extra,
        )

    return make
