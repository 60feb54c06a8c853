"""An app adds itself to the platform from its own folder: the test-only app (tests/testapp) is
installed by one line in tests/settings.py and declares everything in its AppConfig."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.testapp.models import Observation
from xizang5g.core import registry
from xizang5g.core.choices import UnitKind
from xizang5g.core.evidence import evidence_for
from xizang5g.core.models import Alert, Pilot
from xizang5g.core.schedule import enqueue_due
from xizang5g.core.services import alert_raise
from xizang5g.iot import services as iot
from xizang5g.iot.models import Product


def test_nothing_outside_its_folder_names_the_test_app():
    """Besides the test settings and the tests that exercise it, no file of the project knows the
    app: the platform found its navigation, pages, API, job, sources and handlers by itself."""
    root = Path(__file__).resolve().parents[2]
    mentions = [
        path.relative_to(root).as_posix()
        for path in (root / "src").rglob("*.py")
        if "tests.testapp" in path.read_text(encoding="utf-8")
    ]
    assert mentions == []


def test_navigation_page_and_api_are_mounted(client, plan_admin):
    client.force_login(plan_admin)
    page = client.get(reverse("testapp:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'href="/testapp/"' in page.text  # its own nav entry
    assert "Frost watch" in page.text
    response = client.get("/api/v1/testapp/observations")
    assert response.status_code == 200 and response.json()["items"] == []
    assert "/api/v1/testapp/observations" in client.get("/api/v1/openapi.json").json()["paths"]


def test_its_tile_is_on_the_dashboard_beside_the_systems(client, plan_admin, divisions):
    from xizang5g.plan.loader import plan_load

    plan_load(path="src/xizang5g/plan/data/xizang-5g-2020.yaml")
    client.force_login(plan_admin)
    tiles = client.get(reverse("plan:dashboard")).context["tiles"]
    assert [tile.title for tile in tiles][-1] == "Frost watch"
    assert len(tiles) == 4  # 5G supervision, IoT hub, security, and the test app


def test_its_periodic_job_is_scheduled(db):
    assert "testapp_frost_summary" in {job.name for job in registry.periodic_jobs()}
    assert "testapp_frost_summary" in enqueue_due(now=timezone.now())


def test_its_alert_source_is_one_of_the_alert_centre(db):
    alert, _ = alert_raise(source="frost", dedup_key="frost:t", title="霜冻")
    assert Alert.objects.get(pk=alert.pk).get_source_display() == "Frost warning"
    assert ("frost", "Frost warning") in [(v, str(label)) for v, label in registry.alert_sources()]


def test_its_evidence_reaches_plan_supervision(station_with_observations):
    pilot, _device = station_with_observations
    today = timezone.localdate()
    found = evidence_for([pilot.pk], start=today - timedelta(days=6), end=today)
    frost = [e for e in found[pilot.pk] if e.system == "Frost watch"]
    assert frost and frost[0].daily[today] == 2


def test_its_subscription_and_rule_action_are_registered():
    assert "testapp.temperatures" in [s.name for s in registry.iot_subscriptions()]
    assert "testapp.frost" in registry.rule_actions()


@pytest.fixture
def station_with_observations(db, make_unit):
    unit = make_unit("farm", "温室合作社", UnitKind.ENTERPRISE)
    pilot = Pilot.objects.create(code="P-T-1", name="温室试点", lead_unit=unit)
    product = iot.product_create(name="气象站", unit=unit)
    device, _ = iot.device_create(product=product, name="ws", unit=unit, project=pilot)
    now = timezone.now()
    Observation.objects.bulk_create(
        [Observation(device=device, msg_id=str(n), time=now, temperature=-1.0) for n in range(2)]
    )
    return pilot, device


def test_setup_installs_what_the_app_ships_once(db, capsys):
    """`xizang5g setup` (production, after migrate; and the demo) runs each app's declared steps,
    and running it again changes nothing."""
    call_command("setup")
    call_command("setup")
    assert Product.objects.filter(product_key="frost-weather-station").count() == 1
    out = capsys.readouterr().out
    assert "weather-station product installed" in out and "product present" in out


def test_the_demo_runs_each_apps_demo_and_processes():
    assert {("network_demo",), ("iot_demo",), ("security_demo",)} <= set(registry.demo_commands())
    assert ("iot_run", "--embedded-broker", "--simulate") in registry.demo_processes()
