"""Portal fixtures: the plan with its demo projects (some typical cases), a little network data
(a county's villages and an EMF assessment, an operator's monthly reports), news in both states."""

from datetime import date

import pytest

from xizang5g.core.choices import DivisionLevel, Role, UnitKind
from xizang5g.core.models import AdminDivision
from xizang5g.network.models import EmfAssessment, OperatorMonthlyReport, Site, Village
from xizang5g.plan.demo import demo_load
from xizang5g.plan.loader import plan_load
from xizang5g.plan.management.commands.demo_setup import PLAN_FILE
from xizang5g.portal import demo as portal_demo
from xizang5g.portal import services


@pytest.fixture
def plan_demo(divisions):
    plan = plan_load(path=PLAN_FILE).plan
    demo_load(plan=plan)
    return plan


@pytest.fixture
def office(make_user, make_unit):
    return make_user("office", Role.PLAN_ADMIN, make_unit("econ-it", "西藏自治区经济和信息化厅"))


@pytest.fixture
def regulator(make_user, make_unit):
    return make_user("radio", Role.REGULATOR, make_unit("comms-admin", "西藏自治区通信管理局"))


@pytest.fixture
def county(divisions):
    return AdminDivision.objects.filter(level=DivisionLevel.COUNTY).order_by("adcode").first()


@pytest.fixture
def network_data(county, make_unit):
    operator = make_unit("cmcc", "中国移动西藏公司", UnitKind.OPERATOR)
    site = Site.objects.create(
        operator=operator,
        code="portal-site-1",
        name="城关基站",
        division=county,
        lon=91.1,
        lat=29.6,
    )
    EmfAssessment.objects.create(
        site=site,
        n_cells=3,
        compliance_distance_m=12.0,
        max_public_ratio=0.0123,
        max_public_s_w_m2=0.0049,
        max_public_at_m=40.0,
        passes=True,
    )
    for i, covered in enumerate((True, True, False)):
        Village.objects.create(
            adcode=f"{county.adcode}00{i}",
            name=f"演示村{i}",
            kind="village",
            county=county,
            lon=91.1,
            lat=29.6,
            population=500,
            covered=covered,
        )
    for month, stations in ((date(2026, 9, 1), 1200), (date(2026, 10, 1), 1350)):
        OperatorMonthlyReport.objects.create(
            operator=operator,
            prefecture=county.parent,
            month=month,
            base_stations_5g=stations,
            users_5g=stations * 100,
            terminal_users_5g=stations * 120,
            traffic_share_pct=30.0,
        )
    return site


@pytest.fixture
def news(office):
    portal_demo.load()
    draft = services.news_create(
        user=office, kind="notice", title="内部草稿：尚未发布的通知", body="草稿正文"
    )
    return draft
