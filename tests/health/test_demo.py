"""The demo data loads once (idempotent), labelled as demo data, with live runs for the board."""

import pytest
from django.core.management import call_command

from xizang5g.core.models import Alert
from xizang5g.health.demo import simulated_monitors
from xizang5g.health.models import Ambulance, EmergencyCall, VitalSigns


@pytest.mark.django_db
def test_the_demo_loads_once(divisions):
    call_command("health_demo")
    assert Ambulance.objects.count() == 12
    assert {a.division.adcode for a in Ambulance.objects.all()} == {540100, 540200, 540400, 540600}
    assert all(c.chief_complaint.startswith("【演示数据】") for c in EmergencyCall.objects.all())
    assert EmergencyCall.objects.filter(state="transporting").count() == 2
    assert VitalSigns.objects.filter(response="high").exists()
    assert Alert.objects.filter(source="clinical").exists()
    assert Alert.objects.filter(source="epidemic", details__adcode=540602).exists()
    assert len(simulated_monitors()) == 12
    call_command("health_demo")
    assert Ambulance.objects.count() == 12
