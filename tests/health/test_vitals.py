"""Vitals from the ambulance monitor (an IoT product with the capability "vital_signs"): through
the IoT hub's subscription, NEWS2 on every update, and a medium or high response alerts the
receiving hospital."""

import uuid

import pytest

from tests.health.conftest import LHASA
from tests.iot.conftest import body, wait_until
from xizang5g.core.choices import AlertSeverity
from xizang5g.core.models import Alert
from xizang5g.health import services
from xizang5g.health.choices import CallState
from xizang5g.health.models import VitalSigns
from xizang5g.iot.ingest import Inbound, ingest_batch

CALM = {
    "heart_rate": 80,
    "respiration_rate": 16,
    "spo2": 97,
    "systolic_bp": 125,
    "temperature_c": 36.8,
    "consciousness": "A",
    "on_oxygen": False,
    "spo2_scale": 1,
}
# RR 26 → 3, SpO2 90 → 3, on oxygen → 2, SBP 98 → 2, HR 118 → 2, A → 0, 38.4 → 1: 13, high
SICK = {
    **CALM,
    "respiration_rate": 26,
    "spo2": 90,
    "on_oxygen": True,
    "systolic_bp": 98,
    "heart_rate": 118,
    "temperature_c": 38.4,
}
# RR 22 → 2, SpO2 94 → 1, HR 95 → 1, 38.2 → 1: 5, medium
WORSE = {**CALM, "respiration_rate": 22, "spo2": 94, "heart_rate": 95, "temperature_c": 38.2}


def transporting(centre, hospital, dispatcher, altitude=0):
    lon, lat = LHASA
    call = services.call_create(
        unit=centre,
        caller_lon=lon + 0.05,
        caller_lat=lat,
        chief_complaint="呼吸困难",
        priority=1,
        patient_altitude_m=altitude,
        user=dispatcher,
    )
    call = services.call_dispatch(call=call, user=dispatcher)
    for state in (CallState.EN_ROUTE, CallState.ON_SCENE):
        call = services.call_advance(call=call, state=state, user=dispatcher)
    return services.call_advance(
        call=call,
        state=CallState.TRANSPORTING,
        hospital=hospital,
        eta=services.eta_from_minutes(20),
        user=dispatcher,
    )


def post(device, *updates):
    return ingest_batch(
        [
            Inbound(device.product.product_key, device.name, "property", body(values, msg_id))
            for msg_id, values in updates
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_every_update_is_scored_and_a_high_score_alerts_the_hospital(
    monitor, centre, hospital, dispatcher, nurse
):
    ambulance, device, _secret = monitor
    call = transporting(centre, hospital, dispatcher)
    assert call.ambulance_id == ambulance.pk
    post(device, ("v1", {**CALM, "lon": 91.2, "lat": 29.66}), ("v2", WORSE))
    rows = list(VitalSigns.objects.filter(call=call).order_by("time", "id"))
    assert [(r.msg_id, r.score, r.response) for r in rows] == [
        ("v1", 0, "low"),
        ("v2", 5, "medium"),
    ]
    alert = Alert.objects.get(source="clinical")
    assert alert.unit_id == hospital.pk and alert.severity == AlertSeverity.MAJOR
    assert call.number in alert.title
    # the hospital's nurse sees the alert and the vitals; another unit does not
    assert Alert.objects.restrict(nurse).filter(pk=alert.pk).exists()
    assert VitalSigns.objects.restrict(nurse).filter(call=call).count() == 2
    ambulance.refresh_from_db()
    assert (ambulance.lon, ambulance.lat) == (91.2, 29.66)

    post(device, ("v3", SICK))
    high = Alert.objects.get(source="clinical", severity=AlertSeverity.CRITICAL)
    assert high.details["score"] == 13 and high.details["response"] == "high"
    # at least once: a redelivered message is kept once and alerts no more
    post(device, ("v3", SICK))
    assert VitalSigns.objects.filter(call=call).count() == 3
    assert Alert.objects.filter(source="clinical").count() == 2


@pytest.mark.django_db(transaction=True)
def test_low_scores_and_incomplete_updates_raise_nothing(monitor, centre, hospital, dispatcher):
    _ambulance, device, _secret = monitor
    transporting(centre, hospital, dispatcher)
    post(device, ("a", CALM), ("b", {"heart_rate": 150}))  # b lacks the other parameters
    assert list(VitalSigns.objects.values_list("msg_id", flat=True)) == ["a"]
    assert not Alert.objects.filter(source="clinical").exists()


@pytest.mark.django_db(transaction=True)
def test_the_patients_altitude_is_used_when_the_adjustment_is_on(
    monitor, centre, hospital, dispatcher, settings
):
    _ambulance, device, _secret = monitor
    settings.HEALTH_NEWS2_ALTITUDE_ADJUSTMENT = True
    transporting(centre, hospital, dispatcher, altitude=4500)
    post(device, ("hi", {**CALM, "spo2": 88}))  # at 4,500 m scale 1 is shifted by 8: 88 → 0
    row = VitalSigns.objects.get(msg_id="hi")
    assert (row.altitude_m, row.parameters["spo2"], row.score) == (4500, 0, 0)


@pytest.mark.broker
def test_vitals_published_over_mqtt_reach_the_hospital(
    monitor, centre, hospital, dispatcher, start_worker, connect_device
):
    _ambulance, device, secret = monitor
    call = transporting(centre, hospital, dispatcher)
    start_worker()
    client = connect_device(device, secret)
    for n, values in enumerate((CALM, WORSE, SICK)):
        client.publish(body(values, f"mqtt-{n}-{uuid.uuid4().hex[:6]}"))
    client.wait_replies(3)
    assert wait_until(lambda: VitalSigns.objects.filter(call=call).count() == 3)
    assert list(VitalSigns.objects.filter(call=call).values_list("score", flat=True)) == [0, 5, 13]
    assert wait_until(lambda: Alert.objects.filter(source="clinical", unit=hospital).count() == 2)
