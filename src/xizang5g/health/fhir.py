"""FHIR R4 resources of the health app, built and validated with `fhir.resources` (pydantic models).

The platform serves Patient (pseudonymised: no name, no birth date; one patient per emergency
run, identified by the run's pseudonym), Encounter (the emergency run, class EMER), Observation
(the ambulance monitor's vitals: vital-signs category with LOINC codes, the ACVPU level and the
NEWS2 total), Location (the ambulances, with their position) and Organization (units: 120 centres
and hospitals). Resources are validated with the models of `fhir.resources.R4B` — FHIR 4.3, whose
Patient, Encounter, Observation, Location and Organization keep the R4 (4.0.1) structure."""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient

from xizang5g.health.choices import CallState
from xizang5g.health.models import Ambulance, EmergencyCall, VitalSigns

FHIR_VERSION = "4.0.1"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PSEUDONYM_SYSTEM = "urn:xizang5g:health:patient-pseudonym"
CALL_SYSTEM = "urn:xizang5g:health:120-call"
NEWS2_SYSTEM = "urn:xizang5g:health:score"

# Observation kinds: key → (category, codings, display, value builder)
VITALS = {
    "hr": ("vital-signs", [("8867-4", "Heart rate")], "heart_rate", "/min", "beats/minute"),
    "rr": (
        "vital-signs",
        [("9279-1", "Respiratory rate")],
        "respiration_rate",
        "/min",
        "breaths/minute",
    ),
    "spo2": (
        "vital-signs",
        [
            ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
            ("2708-6", "Oxygen saturation in Arterial blood"),
        ],
        "spo2",
        "%",
        "%",
    ),
    "sbp": (
        "vital-signs",
        [("8480-6", "Systolic blood pressure")],
        "systolic_bp",
        "mm[Hg]",
        "mmHg",
    ),
    "temp": ("vital-signs", [("8310-5", "Body temperature")], "temperature_c", "Cel", "C"),
}
ACVPU = ("exam", [("67775-7", "Level of responsiveness")])
NEWS2 = ("survey", "news2", "NEWS2 total score (RCP 2017)")
OBSERVATION_KEYS = (*VITALS, "acvpu", "news2")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _category(code: str) -> list[dict]:
    return [{"coding": [{"system": CATEGORY, "code": code}]}]


def patient(call: EmergencyCall) -> dict:
    resource = Patient(
        id=f"call-{call.pk}",
        identifier=[{"system": PSEUDONYM_SYSTEM, "value": call.patient_ref}],
        active=call.state not in (CallState.HANDED_OVER, CallState.CANCELLED),
        managingOrganization={"reference": f"Organization/{call.hospital_id or call.unit_id}"},
    )
    return resource.model_dump(mode="json", exclude_none=True)


ENCOUNTER_STATUS = {
    CallState.RECEIVED: "planned",
    CallState.HANDED_OVER: "finished",
    CallState.CANCELLED: "cancelled",
}


def encounter(call: EmergencyCall) -> dict:
    data = {
        "id": str(call.pk),
        "identifier": [{"system": CALL_SYSTEM, "value": call.number}],
        "status": ENCOUNTER_STATUS.get(call.state, "in-progress"),
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "EMER",
            "display": "emergency",
        },
        "priority": {"text": call.get_priority_display()},
        "subject": {"reference": f"Patient/call-{call.pk}"},
        "reasonCode": [{"text": call.chief_complaint}],
        "period": {"start": _iso(call.received_at)},
        "serviceProvider": {"reference": f"Organization/{call.unit_id}"},
    }
    if call.handed_over_at:
        data["period"]["end"] = _iso(call.handed_over_at)
    if call.ambulance_id:
        data["location"] = [{"location": {"reference": f"Location/amb-{call.ambulance_id}"}}]
    if call.hospital_id:
        data["hospitalization"] = {"destination": {"reference": f"Organization/{call.hospital_id}"}}
    return Encounter(**data).model_dump(mode="json", exclude_none=True)


def observation(vitals: VitalSigns, key: str) -> dict:
    data = {
        "id": f"{vitals.pk}-{key}",
        "status": "final",
        "effectiveDateTime": _iso(vitals.time),
        "note": [{"text": f"ambulance monitor, Location/amb-{vitals.ambulance_id}"}],
    }
    if vitals.call_id:
        data["subject"] = {"reference": f"Patient/call-{vitals.call_id}"}
        data["encounter"] = {"reference": f"Encounter/{vitals.call_id}"}
    if key in VITALS:
        category, codings, field, ucum, unit = VITALS[key]
        data["category"] = _category(category)
        data["code"] = {
            "coding": [{"system": LOINC, "code": c, "display": d} for c, d in codings],
            "text": codings[0][1],
        }
        data["valueQuantity"] = {
            "value": getattr(vitals, field),
            "unit": unit,
            "system": UCUM,
            "code": ucum,
        }
        if key == "spo2":
            data["method"] = {"text": f"NEWS2 SpO2 scale {vitals.spo2_scale}"}
            data["component"] = [
                {
                    "code": {"text": "supplemental oxygen"},
                    "valueBoolean": vitals.on_oxygen,
                }
            ]
    elif key == "acvpu":
        category, codings = ACVPU
        data["category"] = _category(category)
        data["code"] = {"coding": [{"system": LOINC, "code": c, "display": d} for c, d in codings]}
        data["valueCodeableConcept"] = {"text": vitals.get_consciousness_display()}
    elif key == "news2":
        category, code, display = NEWS2
        data["category"] = _category(category)
        data["code"] = {"coding": [{"system": NEWS2_SYSTEM, "code": code, "display": display}]}
        data["valueInteger"] = vitals.score
        data["interpretation"] = [{"text": vitals.response}]
        data["component"] = [
            {"code": {"text": name}, "valueInteger": value}
            for name, value in vitals.parameters.items()
        ]
    else:
        raise KeyError(key)
    return Observation(**data).model_dump(mode="json", exclude_none=True)


def location(ambulance: Ambulance) -> dict:
    return Location(
        id=f"amb-{ambulance.pk}",
        identifier=[{"system": "urn:xizang5g:health:ambulance", "value": ambulance.code}],
        status="active" if ambulance.state != "out_of_service" else "suspended",
        name=ambulance.name,
        mode="instance",
        physicalType={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                    "code": "ve",
                    "display": "Vehicle",
                }
            ]
        },
        position={"longitude": ambulance.lon, "latitude": ambulance.lat},
        managingOrganization={"reference": f"Organization/{ambulance.unit_id}"},
    ).model_dump(mode="json", exclude_none=True)


def organization(unit) -> dict:
    return Organization(
        id=str(unit.pk),
        identifier=[{"system": "urn:xizang5g:unit", "value": unit.code}],
        active=unit.is_active,
        name=unit.name,
        alias=[unit.short_name] if unit.short_name else None,
    ).model_dump(mode="json", exclude_none=True)


SEARCH_PARAMS = {
    "Patient": [("_id", "token")],
    "Encounter": [("_id", "token"), ("patient", "reference"), ("date", "date")],
    "Observation": [
        ("patient", "reference"),
        ("encounter", "reference"),
        ("category", "token"),
        ("code", "token"),
        ("date", "date"),
    ],
    "Location": [("_id", "token")],
    "Organization": [("_id", "token")],
}


def capability_statement(base_url: str, *, now: datetime) -> dict:
    return CapabilityStatement(
        status="active",
        date=now.isoformat(),
        kind="instance",
        software={"name": "Xizang 5G Application Platform — health"},
        implementation={"description": "Pre-hospital emergency (120) records", "url": base_url},
        fhirVersion=FHIR_VERSION,
        format=["json"],
        rest=[
            {
                "mode": "server",
                "security": {
                    "description": "A personal API token (Authorization: Bearer) or a session."
                },
                "resource": [
                    {
                        "type": kind,
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [{"name": n, "type": t} for n, t in params],
                    }
                    for kind, params in SEARCH_PARAMS.items()
                ],
            }
        ],
    ).model_dump(mode="json", exclude_none=True)


def operation_outcome(code: str, text: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }
