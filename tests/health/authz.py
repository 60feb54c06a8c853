"""The health app's pages and API operations for the authorization matrix, and its objects in the
matrix world (one 120 centre's call for the unit "health", which has a demo user, one for
"lhasa-gov", which has none)."""

from datetime import date

from tests.authz.api_routes import Operation, by_id
from tests.authz.routes import Route, create
from xizang5g.core.access import CHANGE, can_create
from xizang5g.core.models import Unit
from xizang5g.health import services
from xizang5g.health.models import Ambulance, Consultation, EmergencyCall, SyndromicCount

P = "/api/v1/health"

OBSERVATION = {
    "respiration_rate": 16,
    "spo2": 97,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp": 120,
    "heart_rate": 72,
    "consciousness": "A",
    "temperature_c": 36.8,
}


def _health():
    return Unit.objects.get(code="health")


PAGES = {
    "health:index": Route(lists="call"),
    "health:board": Route(lists="call"),
    "health:call_detail": Route(kind="call"),
    "health:call_step": Route(kind="call", action=CHANGE, method="post", data={"step": "dispatch"}),
    "health:call_new": Route(
        method="post",
        data={"unit": "health", "caller_lon": "91.1", "caller_lat": "29.6", "chief_complaint": "x"},
        requires=create(EmergencyCall, unit=lambda o: _health()),
    ),
    "health:epidemic": Route(),
    "health:consultation_list": Route(lists="consultation"),
    "health:consultation_new": Route(
        method="post",
        data={
            "requesting_unit": "health",
            "consulting_unit": "lhasa-gov",
            "department": "cardiology",
            "urgency": "urgent",
            "question": "x",
        },
        requires=create(Consultation, requesting_unit=lambda o: _health()),
    ),
    "health:consultation_detail": Route(kind="consultation"),
    "health:consultation_step": Route(
        kind="consultation", action=CHANGE, method="post", data={"step": "none"}
    ),
    # FHIR R4 (401 for anonymous callers, like the API)
    "fhir:metadata": Route(public=True),
    "fhir:search": Route(kwargs=lambda o: {"kind": "Encounter"}),
    "fhir:read": Route(kind="call", kwargs=lambda o: {"kind": "Encounter", "rid": str(o.pk)}),
}

OPERATIONS = {
    f"POST {P}/news2": Operation(body=lambda w, o: {"observations": [OBSERVATION]}),
    f"GET {P}/ambulances": Operation(lists=Ambulance),
    f"GET {P}/calls": Operation(lists=EmergencyCall),
    f"POST {P}/calls": Operation(
        body=lambda w, o: {
            "unit": "health",
            "caller_lon": 91.13,
            "caller_lat": 29.66,
            "chief_complaint": "胸痛",
        },
        requires=lambda user, obj: create(EmergencyCall, unit=lambda o: _health())(user, None),
    ),
    f"GET {P}/calls/{{call_id}}": Operation(kind="call", path=by_id("call_id")),
    f"POST {P}/calls/{{call_id}}/dispatch": Operation(
        kind="call", action=CHANGE, path=by_id("call_id"), body=lambda w, o: {}
    ),
    f"POST {P}/calls/{{call_id}}/advance": Operation(
        kind="call", action=CHANGE, path=by_id("call_id"), body=lambda w, o: {"state": "en_route"}
    ),
    f"GET {P}/calls/{{call_id}}/vitals": Operation(kind="call", path=by_id("call_id")),
    f"POST {P}/syndromic": Operation(
        body=lambda w, o: {
            "county_adcode": 540102,
            "day": date.today().isoformat(),
            "counts": {"fever": 3},
        },
        requires=lambda user, obj: (
            user.unit_id is not None and can_create(user, SyndromicCount, unit=user.unit)
        ),
    ),
    f"GET {P}/consultations": Operation(lists=Consultation),
    f"GET {P}/consultations/{{consultation_id}}": Operation(
        kind="consultation", path=by_id("consultation_id")
    ),
}


def populate(world, units) -> None:
    office = world.users["planoffice"]
    for n, code in enumerate(("health", "lhasa-gov")):
        unit = units[code]
        ambulance = services.ambulance_create(
            code=f"authz-amb-{code}",
            name=f"{code} 救护车",
            unit=unit,
            lon=91.1 + n,
            lat=29.6,
            user=office,
        )
        world.add("ambulance", ambulance)
        call = services.call_create(
            unit=unit,
            caller_lon=91.12 + n,
            caller_lat=29.61,
            chief_complaint="胸痛",
            user=office,
        )
        world.add("call", call)
        other = units["cac" if code == "health" else "econ-it"]
        world.add(
            "consultation",
            services.consultation_request(
                requesting_unit=unit,
                consulting_unit=other,
                department="cardiology",
                urgency="urgent",
                question="胸痛会诊",
                user=office,
            ),
        )
