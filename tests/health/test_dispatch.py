"""Pre-hospital emergency: the nearest available ambulance by estimated travel time, the run from
call to handover with timestamps, and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings

from tests.health.conftest import LHASA
from xizang5g.core.models import AdminDivision, ChangeLog
from xizang5g.health import dispatch, selectors, services
from xizang5g.health.choices import AmbulanceState, CallState
from xizang5g.health.models import Ambulance, EmergencyCall


def test_travel_time_is_distance_times_detour_over_speed():
    # One degree of latitude on the mean sphere: 111.195 km.
    d = dispatch.distance_km(91.0, 29.0, 91.0, 30.0)
    assert d == pytest.approx(111.195, abs=0.01)
    with override_settings(
        HEALTH_DETOUR_FACTORS={540102: 2.0},
        HEALTH_DEFAULT_DETOUR_FACTOR=1.0,
        HEALTH_AMBULANCE_SPEED_KMH=60.0,
    ):
        assert dispatch.travel_minutes(91, 29, 91, 30, adcode=None) == pytest.approx(d)
        assert dispatch.travel_minutes(91, 29, 91, 30, adcode=540102) == pytest.approx(2 * d)
    with override_settings(HEALTH_AMBULANCE_SPEED_KMH={540102: 30.0}):
        assert dispatch.travel_minutes(91, 29, 91, 30, adcode=540102) == pytest.approx(
            d * 1.5 / 30 * 60
        )


@pytest.mark.django_db
def test_dispatch_picks_the_nearest_available_ambulance(fleet, centre, dispatcher):
    lon, lat = LHASA
    call = services.call_create(
        unit=centre,
        caller_lon=lon,
        caller_lat=lat,
        chief_complaint="胸痛",
        priority=1,
        user=dispatcher,
    )
    ranked = services.ambulances_by_travel_time(call=call)
    assert [a.code for a, _m in ranked] == ["amb-west", "amb-east", "amb-south"]
    call = services.call_dispatch(call=call, user=dispatcher)
    assert call.ambulance.code == "amb-west"
    assert call.estimated_minutes == pytest.approx(
        dispatch.travel_minutes(lon - 0.021, lat, lon, lat), abs=0.05
    )
    assert Ambulance.objects.get(code="amb-west").state == AmbulanceState.DISPATCHED

    # the next call near the west ambulance gets the east one: the west one is busy
    second = services.call_create(
        unit=centre,
        caller_lon=lon - 0.021,
        caller_lat=lat,
        chief_complaint="跌倒",
        user=dispatcher,
    )
    assert services.call_dispatch(call=second, user=dispatcher).ambulance.code == "amb-east"
    # a call already dispatched is not dispatched again
    with pytest.raises(ValidationError):
        services.call_dispatch(call=second, user=dispatcher)


@pytest.mark.django_db
def test_the_detour_factor_of_the_county_can_change_the_choice(
    fleet, centre, dispatcher, divisions
):
    county = AdminDivision.objects.filter(
        adcode__gte=540100, adcode__lt=540200, level="county"
    ).first()
    if county is None:
        pytest.skip("the shipped divisions have no Lhasa county")
    lon, lat = LHASA
    call = services.call_create(
        unit=centre,
        caller_lon=lon,
        caller_lat=lat,
        chief_complaint="呼吸困难",
        division=county,
        user=dispatcher,
    )
    plain = {a.code: m for a, m in services.ambulances_by_travel_time(call=call)}
    with override_settings(HEALTH_DETOUR_FACTORS={county.adcode: 3.0}):
        slow = {a.code: m for a, m in services.ambulances_by_travel_time(call=call)}
    assert slow["amb-west"] == pytest.approx(plain["amb-west"] * 2.0)  # 3.0 / 1.5


@pytest.mark.django_db
def test_no_ambulance_available_is_a_validation_error(centre, dispatcher):
    call = services.call_create(
        unit=centre, caller_lon=91.1, caller_lat=29.6, chief_complaint="腹痛", user=dispatcher
    )
    with pytest.raises(ValidationError) as info:
        services.call_dispatch(call=call, user=dispatcher)
    assert "ambulance" in info.value.message_dict
    assert EmergencyCall.objects.get(pk=call.pk).state == CallState.RECEIVED


@pytest.mark.django_db
def test_a_run_from_call_to_handover(fleet, centre, hospital, dispatcher, nurse):
    lon, lat = LHASA
    call = services.call_create(
        unit=centre,
        caller_lon=lon,
        caller_lat=lat - 0.17,
        chief_complaint="高原肺水肿?",
        priority=1,
        patient_altitude_m=4500,
        user=dispatcher,
    )
    assert call.number.startswith("XZ-120-") and call.patient_ref
    call = services.call_dispatch(call=call, user=dispatcher)
    assert call.ambulance.code == "amb-south"
    ambulance = call.ambulance
    # the steps must come in order
    with pytest.raises(ValidationError):
        services.call_advance(
            call=call, state=CallState.TRANSPORTING, hospital=hospital, user=dispatcher
        )
    for state, ambulance_state in [
        (CallState.EN_ROUTE, AmbulanceState.EN_ROUTE),
        (CallState.ON_SCENE, AmbulanceState.ON_SCENE),
    ]:
        call = services.call_advance(call=call, state=state, user=dispatcher)
        ambulance.refresh_from_db()
        assert (call.state, ambulance.state) == (state, ambulance_state)
    # transporting needs the receiving hospital
    with pytest.raises(ValidationError) as info:
        services.call_advance(call=call, state=CallState.TRANSPORTING, user=dispatcher)
    assert "hospital" in info.value.message_dict
    call = services.call_advance(
        call=call,
        state=CallState.TRANSPORTING,
        hospital=hospital,
        eta=services.eta_from_minutes(25),
        user=dispatcher,
    )
    # the hospital now sees the call (its board) and, on arrival, writes the handover
    assert EmergencyCall.objects.restrict(nurse).filter(pk=call.pk).exists()
    call = services.call_advance(call=call, state=CallState.AT_HOSPITAL, user=nurse)
    with pytest.raises(ValidationError):
        services.call_handover(call=call, note="  ", user=nurse)
    call = services.call_handover(call=call, note="交接：神志清，SpO2 88%，已吸氧", user=nurse)
    ambulance.refresh_from_db()
    assert call.state == CallState.HANDED_OVER
    assert ambulance.state == AmbulanceState.AVAILABLE
    times = [
        call.received_at,
        call.dispatched_at,
        call.en_route_at,
        call.on_scene_at,
        call.transporting_at,
        call.at_hospital_at,
        call.handed_over_at,
    ]
    assert all(times) and times == sorted(times)
    # every step is in the change log, with who did it
    logged = ChangeLog.objects.filter(object_id=str(call.pk), content_type__model="emergencycall")
    assert {entry.username for entry in logged} == {"health", "hospital"}
    assert logged.count() == 7  # created + 6 steps
    (row,) = selectors.response_times(user=dispatcher)
    assert row["runs"] == 1
    assert row["response"] == pytest.approx(
        (call.on_scene_at - call.received_at).total_seconds() / 60
    )


@pytest.mark.django_db
def test_others_may_not_see_or_change_calls(fleet, centre, dispatcher, outsider):
    call = services.call_create(
        unit=centre, caller_lon=91.1, caller_lat=29.6, chief_complaint="胸痛", user=dispatcher
    )
    assert not EmergencyCall.objects.restrict(outsider).exists()
    with pytest.raises(PermissionDenied):
        services.call_create(
            unit=centre, caller_lon=91.1, caller_lat=29.6, chief_complaint="x", user=outsider
        )
    with pytest.raises(Http404):
        services.call_dispatch(call=call, user=outsider)


@pytest.mark.django_db
def test_the_api_runs_a_call(client, fleet, centre, hospital, dispatcher, nurse):
    client.force_login(dispatcher)
    lon, lat = LHASA
    response = client.post(
        "/api/v1/health/calls",
        {
            "unit": "health",
            "caller_lon": lon,
            "caller_lat": lat,
            "chief_complaint": "胸痛",
            "priority": 1,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    call_id = response.json()["id"]
    body = client.post(
        f"/api/v1/health/calls/{call_id}/dispatch", {}, content_type="application/json"
    ).json()
    assert body["state"] == "dispatched" and body["estimated_minutes"] > 0
    for step in ("en_route", "on_scene"):
        assert (
            client.post(
                f"/api/v1/health/calls/{call_id}/advance",
                {"state": step},
                content_type="application/json",
            ).status_code
            == 200
        )
    bad = client.post(
        f"/api/v1/health/calls/{call_id}/advance",
        {"state": "transporting"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "hospital"
    ok = client.post(
        f"/api/v1/health/calls/{call_id}/advance",
        {"state": "transporting", "hospital": "tar-peoples-hospital", "eta_minutes": 12},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["hospital"] == "tar-peoples-hospital"
    client.force_login(nurse)
    listed = client.get("/api/v1/health/calls?active=true").json()
    assert [item["id"] for item in listed["items"]] == [call_id]
    # the hospital reads the call but may not dispatch it again (403, not 404)
    assert client.post(
        f"/api/v1/health/calls/{call_id}/dispatch", {}, content_type="application/json"
    ).status_code in (403, 422)
