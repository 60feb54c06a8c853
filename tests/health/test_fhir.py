"""FHIR R4 at /fhir/r4/: every resource validates with `fhir.resources`, and a real FHIR client
(fhirpy) reads and searches them over HTTPS with a bearer token."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhirpy import SyncFHIRClient

from tests.health.test_vitals import CALM, SICK, transporting
from xizang5g.core.services import api_token_create
from xizang5g.health import services

MODELS = {
    "Patient": Patient,
    "Encounter": Encounter,
    "Observation": Observation,
    "Location": Location,
    "Organization": Organization,
}


@pytest.fixture
def run(fleet, centre, hospital, dispatcher):
    call = transporting(centre, hospital, dispatcher)
    start = timezone.now() - timedelta(minutes=10)
    services.vitals_record_many(
        ambulance=call.ambulance,
        updates=[
            ("f1", start, CALM),
            ("f2", start + timedelta(minutes=5), {**CALM, "heart_rate": 101}),
            ("f3", start + timedelta(minutes=9), SICK),
        ],
    )
    return call


def fhir_client(live_server, user) -> SyncFHIRClient:
    token = api_token_create(user=user, name="fhir test")
    return SyncFHIRClient(
        f"{live_server.url}/fhir/r4",
        authorization=f"Bearer {token}",
        requests_config={"verify": str(live_server.certificate[0])},
    )


@pytest.mark.django_db(transaction=True)
def test_a_fhir_client_reads_and_searches_the_run(live_server, run, nurse, hospital):
    client = fhir_client(live_server, nurse)

    encounter = client.reference("Encounter", str(run.pk)).to_resource()
    Encounter.model_validate(encounter.serialize())
    assert encounter["class"]["code"] == "EMER"
    assert encounter["status"] == "in-progress"
    assert encounter["hospitalization"]["destination"]["reference"] == f"Organization/{hospital.pk}"

    patient = client.reference("Patient", f"call-{run.pk}").to_resource()
    Patient.model_validate(patient.serialize())
    assert patient["identifier"][0]["value"] == run.patient_ref
    assert "name" not in patient.serialize() and "birthDate" not in patient.serialize()

    vital = (
        client.resources("Observation")
        .search(encounter=f"Encounter/{run.pk}", category="vital-signs")
        .fetch_all()
    )
    assert len(vital) == 3 * 5  # three updates × five vital signs
    for obs in vital:
        Observation.model_validate(obs.serialize())
    heart = (
        client.resources("Observation")
        .search(patient=f"Patient/call-{run.pk}", code="http://loinc.org|8867-4")
        .fetch_all()
    )
    assert [o["valueQuantity"]["value"] for o in heart] == [80, 101, 118]
    assert heart[0]["code"]["coding"][0]["code"] == "8867-4"
    spo2 = client.resources("Observation").search(code="59408-5").fetch_all()
    assert {c["code"] for c in spo2[0]["code"]["coding"]} == {"59408-5", "2708-6"}
    recent = (
        client.resources("Observation")
        .search(code="news2", date__ge=(timezone.now() - timedelta(minutes=3)).isoformat())
        .fetch_all()
    )
    assert [o["valueInteger"] for o in recent] == [13]

    for kind in ("Location", "Organization", "Patient", "Encounter"):
        for resource in client.resources(kind).fetch_all():
            MODELS[kind].model_validate(resource.serialize())

    metadata = requests.get(
        f"{live_server.url}/fhir/r4/metadata", verify=str(live_server.certificate[0]), timeout=10
    )
    statement = CapabilityStatement.model_validate(metadata.json())
    assert statement.fhirVersion == "4.0.1"
    assert metadata.headers["Content-Type"].startswith("application/fhir+json")


@pytest.mark.django_db(transaction=True)
def test_others_see_nothing(live_server, run, outsider):
    client = fhir_client(live_server, outsider)
    assert client.resources("Encounter").fetch_all() == []
    assert client.resources("Observation").fetch_all() == []
    response = requests.get(
        f"{live_server.url}/fhir/r4/Encounter/{run.pk}",
        headers={"Authorization": client.authorization},
        verify=str(live_server.certificate[0]),
        timeout=10,
    )
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.django_db
def test_errors_are_operation_outcomes(client, run, nurse):
    assert client.get(f"/fhir/r4/Encounter/{run.pk}").status_code == 401
    client.force_login(nurse)
    for url, status in [
        ("/fhir/r4/Medication", 404),
        ("/fhir/r4/Encounter/x1", 404),
        ("/fhir/r4/Observation/1-nope", 404),
        ("/fhir/r4/Observation?date=yesterday", 400),
        ("/fhir/r4/Observation?_count=0", 400),
        ("/fhir/r4/Observation?patient=Patient/123", 400),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.django_db
def test_search_pages_through_a_bundle(client, run, nurse):
    client.force_login(nurse)
    first = client.get("/fhir/r4/Observation?_count=10").json()
    Bundle.model_validate(first)
    assert first["total"] == 3 * 7 and len(first["entry"]) == 10
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = client.get(nxt.split("testserver", 1)[1]).json()
    ids = [e["resource"]["id"] for e in first["entry"] + second["entry"]]
    assert len(set(ids)) == 20
