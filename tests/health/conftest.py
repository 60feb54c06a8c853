"""Health fixtures: a 120 centre and a hospital (core units) with their editors, ambulances
around Lhasa, and the ambulance monitor as an IoT product."""

import pytest

from xizang5g.core.choices import Role, UnitKind
from xizang5g.health import services
from xizang5g.health.monitor import MONITOR_THING_MODEL as MONITOR

LHASA = (91.1322, 29.6604)  # 拉萨 city centre


@pytest.fixture
def centre(make_unit):
    return make_unit("health", "西藏自治区卫生健康委员会", UnitKind.DEPARTMENT)


@pytest.fixture
def hospital(make_unit):
    return make_unit("tar-peoples-hospital", "西藏自治区人民医院", UnitKind.INSTITUTION)


@pytest.fixture
def dispatcher(make_user, centre):
    return make_user("health", Role.UNIT_EDITOR, centre)


@pytest.fixture
def nurse(make_user, hospital):
    return make_user("hospital", Role.UNIT_EDITOR, hospital)


@pytest.fixture
def outsider(make_user, make_unit):
    return make_user("cmcc", Role.UNIT_EDITOR, make_unit("cm-xz", "中国移动西藏公司"))


@pytest.fixture
def fleet(centre, dispatcher):
    """Three ambulances: 5 km east, 2 km west and 20 km south of the city centre."""
    lon, lat = LHASA
    specs = [
        ("amb-east", lon + 0.052, lat),
        ("amb-west", lon - 0.021, lat),
        ("amb-south", lon, lat - 0.18),
    ]
    return {
        code: services.ambulance_create(
            code=code, name=code, unit=centre, lon=x, lat=y, user=dispatcher
        )
        for code, x, y in specs
    }


# The IoT test machinery (real brokers, the ingest worker, devices on MQTT).
from tests.iot.conftest import (  # noqa: E402, F401
    _fresh_caches,
    broker,
    connect_device,
    embedded_broker,
    start_worker,
)


@pytest.fixture
def monitor(db, centre, fleet):
    """The ambulance monitor product and the east ambulance's monitor device."""
    from xizang5g.iot import services as iot
    from xizang5g.iot import subscriptions

    subscriptions.routes.invalidate()
    product = iot.product_create(name="车载监护仪", thing_model=MONITOR, unit=centre)
    device, secret = iot.device_create(product=product, name="amb-east-monitor", unit=centre)
    ambulance = fleet["amb-east"]
    ambulance.device = device
    ambulance.save()
    return ambulance, device, secret
