"""Tourism fixtures: the tourism department, a managing unit, their editors and a spot."""

import pytest

from tests.iot.conftest import (  # noqa: F401  (the IoT hub's broker and worker fixtures)
    _fresh_caches,
    broker,
    connect_device,
    embedded_broker,
    start_worker,
)
from xizang5g.core.choices import Role, UnitKind
from xizang5g.tourism import services

# A worked example: the palace interior 6,000 m² at 4 m² per visitor (1,500) and the square
# 3,000 m² at 2 m² (1,500): C1 = 3,000; open 8 h, stay 2 h: Z = 4, C2 = 12,000, capped at 5,000.
PALACE_ZONES = [
    services.ZoneInput("interior", "宫殿内部", 6000, 4),
    services.ZoneInput("square", "广场", 3000, 2),
]


@pytest.fixture
def tourism_dept(make_unit):
    return make_unit("tourism-dept", "西藏自治区旅游发展厅", UnitKind.DEPARTMENT)


@pytest.fixture
def spot_unit(make_unit):
    return make_unit("potala-admin", "布达拉宫管理处", UnitKind.INSTITUTION)


@pytest.fixture
def other_unit(make_unit):
    return make_unit("namtso-admin", "纳木错景区管理局", UnitKind.INSTITUTION)


@pytest.fixture
def spot_editor(make_user, spot_unit):
    return make_user("potala", Role.UNIT_EDITOR, spot_unit)


@pytest.fixture
def dept_editor(make_user, tourism_dept):
    return make_user("tourism", Role.UNIT_EDITOR, tourism_dept)


@pytest.fixture
def other_editor(make_user, other_unit):
    return make_user("namtso", Role.UNIT_EDITOR, other_unit)


@pytest.fixture
def spot(spot_editor, tourism_dept):
    spot, _created = services.spot_save(
        user=spot_editor,
        code="potala",
        name="布达拉宫",
        zones=PALACE_ZONES,
        open_hours=8,
        average_stay_hours=2,
        cap_daily=5000,
        lon=91.1175,
        lat=29.6578,
    )
    return spot
