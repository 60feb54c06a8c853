"""The LRS's own rules: Basic key/secret per school or department, scoping of reads, authority from
the credential, clear 400s, the lrs_key command, partitions on PostgreSQL, the evidence provider."""

import base64
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xizang5g.core import partitions
from xizang5g.core.choices import Role, UnitKind
from xizang5g.core.models import Pilot, Unit
from xizang5g.edu import services
from xizang5g.edu.evidence import pilot_evidence
from xizang5g.edu.models import LrsCredential, School, Statement, StatementIndex

pytestmark = pytest.mark.django_db

V = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


def _auth(key, secret):
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", **V}


def _statement(email="pupil@example.cn", verb="http://adlnet.gov/expapi/verbs/completed"):
    return {
        "actor": {"mbox": f"mailto:{email}", "name": "Pupil"},
        "verb": {"id": verb},
        "object": {"id": "http://edu.xizang5g.cn/course/math-7/unit-1"},
    }


@pytest.fixture
def schools():
    unit_a = Unit.objects.create(code="lhasa-1", name="拉萨市第一中学", kind=UnitKind.INSTITUTION)
    unit_b = Unit.objects.create(code="nagqu-1", name="那曲市第一中学", kind=UnitKind.INSTITUTION)
    a = School.objects.create(code="lhasa-1", name="拉萨市第一中学", unit=unit_a, altitude_m=3650)
    b = School.objects.create(code="nagqu-1", name="那曲市第一中学", unit=unit_b, altitude_m=4500)
    return a, b


@pytest.fixture
def keys(schools):
    a, b = schools
    out = {}
    for name, school in (("a", a), ("b", b), ("dept", None)):
        credential, secret = services.lrs_key_create(name=f"key {name}", school=school)
        out[name] = _auth(credential.key, secret)
    return out


def _post(client, auth, body):
    return client.post("/xapi/statements", json.dumps(body), "application/json", **auth)


def test_without_or_with_wrong_credentials_401(client, keys):
    response = client.get("/xapi/statements", **V)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    credential = LrsCredential.objects.get(name="key a")
    wrong = _auth(credential.key, "not-the-secret")
    assert client.get("/xapi/statements", **wrong).status_code == 401
    credential.active = False
    credential.save()
    assert client.get("/xapi/statements", **keys["a"]).status_code == 401


def test_session_login_is_not_lrs_auth(client, keys, make_user, make_unit):
    user = make_user("admin-edu", Role.PLAN_ADMIN, make_unit("edu-dept", "西藏自治区教育厅"))
    client.force_login(user)
    assert client.get("/xapi/statements", **V).status_code == 401


def test_school_reads_only_its_own_statements_department_reads_all(client, keys, schools):
    ids_a = _post(client, keys["a"], [_statement("a1@x.cn"), _statement("a2@x.cn")]).json()
    ids_b = _post(client, keys["b"], [_statement("b1@x.cn")]).json()
    seen_a = {s["id"] for s in client.get("/xapi/statements", **keys["a"]).json()["statements"]}
    seen_dept = {
        s["id"] for s in client.get("/xapi/statements", **keys["dept"]).json()["statements"]
    }
    assert seen_a == set(ids_a)
    assert seen_dept == set(ids_a) | set(ids_b)
    # another school's statement by id: 404, as if missing
    response = client.get(f"/xapi/statements?statementId={ids_b[0]}", **keys["a"])
    assert response.status_code == 404
    row = Statement.objects.get(statement_id=ids_a[0])
    assert row.school == schools[0]


def test_authority_comes_from_the_credential(client, keys):
    body = _statement()
    body["authority"] = {"mbox": "mailto:forged@example.com"}
    (stmt_id,) = _post(client, keys["a"], body).json()
    stored = client.get(f"/xapi/statements?statementId={stmt_id}", **keys["a"]).json()
    key = LrsCredential.objects.get(name="key a").key
    assert stored["authority"]["account"]["name"] == key
    assert "mbox" not in stored["authority"]


def test_bad_statements_are_400_naming_the_property_and_store_nothing(client, keys):
    good = _statement()
    bad = _statement()
    bad["verb"] = {"id": "not an iri"}
    response = _post(client, keys["a"], [good, bad])
    assert response.status_code == 400
    assert "statement.verb.id" in response.json()["error"]
    assert Statement.objects.count() == 0
    assert StatementIndex.objects.count() == 0
    response = client.post("/xapi/statements", b"{not json", "application/json", **keys["a"])
    assert response.status_code == 400


def test_filters_agent_verb_since_and_more(client, keys):
    for number in range(7):
        _post(client, keys["a"], _statement(f"p{number % 2}@x.cn"))
    agent = json.dumps({"mbox": "mailto:p0@x.cn"})
    response = client.get(
        "/xapi/statements",
        {"agent": agent, "verb": "http://adlnet.gov/expapi/verbs/completed", "limit": 2},
        **keys["a"],
    )
    page = response.json()
    assert len(page["statements"]) == 2 and page["more"].startswith("/xapi/statements?")
    assert response["X-Experience-API-Consistent-Through"]
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        page = client.get(page["more"], **keys["a"]).json()
        seen += [s["id"] for s in page["statements"]]
    assert len(seen) == len(set(seen)) == 4
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    response = client.get("/xapi/statements", {"since": later}, **keys["a"])
    assert response.json()["statements"] == []


def test_documents_are_scoped_per_school(client, keys):
    params = "activityId=http://x.cn/a&agent=" + json.dumps({"mbox": "mailto:p@x.cn"})
    url = f"/xapi/activities/state?{params}&stateId=bookmark"
    response = client.put(url, b'{"page": 3}', "application/json", **keys["a"])
    assert response.status_code == 204
    assert client.get(url, **keys["a"]).json() == {"page": 3}
    assert client.get(url, **keys["b"]).status_code == 404


def test_version_header_required(client, keys):
    auth = {k: v for k, v in keys["a"].items() if k != "HTTP_X_EXPERIENCE_API_VERSION"}
    response = client.get("/xapi/statements", **auth)
    assert response.status_code == 400
    assert client.get("/xapi/about").json()["version"] == ["1.0.3", "2.0.0"]


def test_lrs_key_command(schools):
    out = io.StringIO()
    call_command("lrs_key", "create", "--name", "Moodle Lhasa", "--school", "lhasa-1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("key: ") and lines[1].startswith("secret: ")
    credential = LrsCredential.objects.get(key=lines[0][5:])
    assert credential.school.code == "lhasa-1"
    assert credential.secret_hash != lines[1][8:]
    out = io.StringIO()
    call_command("lrs_key", "create", "--name", "Department", stdout=out)
    assert LrsCredential.objects.get(key=out.getvalue().splitlines()[0][5:]).school is None
    with pytest.raises(Exception, match="No school"):
        call_command("lrs_key", "create", "--name", "x", "--school", "nowhere")


def test_statements_partitioned_by_month_on_postgresql(client, keys):
    if connection.vendor != "postgresql":
        pytest.skip("partitions exist on PostgreSQL only")
    assert partitions.is_partitioned("edu_statement")
    _post(client, keys["a"], _statement())
    names = [p.name for p in partitions.partitions_list("edu_statement")]
    month = timezone.now().strftime("%Y%m")
    assert f"edu_statement_p{month}" in names
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM edu_statement_p{month}")
        assert cursor.fetchone()[0] == 1


def test_evidence_counts_statements_per_day_per_pilot(client, keys, schools):
    unit = schools[0].unit
    pilot = Pilot.objects.create(code="P-EDU", name="5G+智慧教育", lead_unit=unit)
    School.objects.filter(pk=schools[0].pk).update(pilot=pilot)
    _post(client, keys["a"], [_statement(f"e{n}@x.cn") for n in range(3)])
    _post(client, keys["b"], [_statement("other@x.cn")])
    today = timezone.localdate()  # days are the region's (Asia/Shanghai), not UTC
    found = pilot_evidence([pilot.pk], start=today - timedelta(days=1), end=today)
    (evidence,) = found[pilot.pk]
    assert sum(evidence.daily.values()) == 3
    assert evidence.last_activity is not None


def test_statement_ids_are_unique_and_conflicts_409(client, keys):
    body = {**_statement(), "id": str(uuid.uuid4())}
    assert _post(client, keys["a"], body).status_code == 200
    assert _post(client, keys["a"], body).status_code == 200  # same content: accepted once
    assert Statement.objects.count() == 1
    changed = {**body, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    assert _post(client, keys["a"], changed).status_code == 409


def test_retention_removes_old_statements_and_their_index(client, keys, settings):
    from xizang5g.edu.tasks import edu_retention

    _post(client, keys["a"], [_statement("old@x.cn"), _statement("new@x.cn")])
    old = Statement.objects.get(actor="mbox:mailto:old@x.cn")
    Statement.objects.filter(pk=old.pk).update(stored=timezone.now() - timedelta(days=40))
    settings.XZ5G_EDU_RETENTION_DAYS = 30
    report = edu_retention.call()
    assert report["statements"] == 1
    assert list(Statement.objects.values_list("actor", flat=True)) == ["mbox:mailto:new@x.cn"]
    assert not StatementIndex.objects.filter(statement_id=old.statement_id).exists()


def test_a_verified_credential_is_cached_but_never_outlives_a_change(client, keys):
    credential = LrsCredential.objects.get(name="key a")
    assert client.get("/xapi/statements", **keys["a"]).status_code == 200
    # cached: a wrong secret for the same key is still refused
    wrong = _auth(credential.key, "not-the-secret")
    assert client.get("/xapi/statements", **wrong).status_code == 401
    assert client.get("/xapi/statements", **keys["a"]).status_code == 200
    credential.active = False
    credential.save()
    assert client.get("/xapi/statements", **keys["a"]).status_code == 401


def _ids(client, auth, **params):
    found = client.get("/xapi/statements", params, **auth).json()["statements"]
    return {s["id"] for s in found}


def test_agents_and_activities_found_through_columns_and_index_rows(client, keys):
    plain = _statement("pupil@x.cn")
    teacher = {"mbox": "mailto:teacher@x.cn"}
    course = {"id": "http://edu.xizang5g.cn/course/math-7"}
    rich = {
        "actor": {"objectType": "Group", "member": [{"mbox": "mailto:m1@x.cn"}]},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"objectType": "Agent", "mbox": "mailto:pupil@x.cn"},
        "context": {"instructor": teacher, "contextActivities": {"parent": course}},
    }
    (plain_id, rich_id) = _post(client, keys["a"], [plain, rich]).json()
    # a typical statement (actor and object Activity in its own columns) needs no index row
    assert not StatementIndex.objects.filter(statement_id=plain_id).exists()
    assert StatementIndex.objects.filter(statement_id=rich_id).count() == 4
    auth = keys["a"]
    pupil = json.dumps({"mbox": "mailto:pupil@x.cn"})
    assert _ids(client, auth, agent=pupil) == {plain_id, rich_id}  # actor, object
    assert _ids(client, auth, agent=json.dumps({"mbox": "mailto:m1@x.cn"})) == {rich_id}
    assert _ids(client, auth, agent=json.dumps(teacher)) == set()
    assert _ids(client, auth, agent=json.dumps(teacher), related_agents="true") == {rich_id}
    assert _ids(client, auth, activity=plain["object"]["id"]) == {plain_id}
    assert _ids(client, auth, activity=course["id"]) == set()
    assert _ids(client, auth, activity=course["id"], related_activities="true") == {rich_id}
    # the authority (the credential's agent) is a related agent of every statement it stored
    credential = LrsCredential.objects.get(name="key a")
    authority = json.dumps(
        {"account": {"homePage": "https://xapi.xizang5g.cn", "name": credential.key}}
    )
    dept = keys["dept"]
    assert _ids(client, dept, agent=authority) == set()
    assert _ids(client, dept, agent=authority, related_agents="true") == {plain_id, rich_id}
    credential.delete()  # its statements stay, and are still found by their authority
    assert _ids(client, dept, agent=authority, related_agents="true") == {plain_id, rich_id}


def test_statement_refs_match_the_filters_of_their_target(client, keys):
    (target,) = _post(client, keys["a"], _statement("ref@x.cn")).json()
    referring = {
        "actor": {"mbox": "mailto:other@x.cn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/commented"},
        "object": {"objectType": "StatementRef", "id": target},
    }
    (level1,) = _post(client, keys["a"], referring).json()
    second = {**referring, "object": {"objectType": "StatementRef", "id": level1}}
    (level2,) = _post(client, keys["a"], second).json()
    agent = json.dumps({"mbox": "mailto:ref@x.cn"})
    assert _ids(client, keys["a"], agent=agent) == {target, level1, level2}
