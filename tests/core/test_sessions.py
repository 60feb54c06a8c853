"""Idle timeout without a database write on every request (core.middleware.SlidingSessionMiddleware),
and the signed-in user loaded with their unit in one query (core.backends.UnitModelBackend)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TEST_PASSWORD
from xizang5g.core.choices import Role

pytestmark = pytest.mark.django_db


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _log_in(client, make_user, make_unit):
    user = make_user("leader", Role.VIEWER, make_unit("xz-jxt", "自治区经信厅"))
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert client.get("/plan/").status_code == 200
    return user


def test_requests_within_the_refresh_interval_write_no_session(client, make_user, make_unit):
    _log_in(client, make_user, make_unit)
    before = _expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/plan/").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert not writes, writes
    assert _expiry(client) == before


def test_the_expiry_moves_forward_once_the_interval_has_passed(
    client, make_user, make_unit, settings
):
    _log_in(client, make_user, make_unit)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    settings.XZ5G_SESSION_REFRESH_SECONDS = 0
    assert client.get("/plan/").status_code == 200
    remaining = _expiry(client) - timezone.now()
    assert remaining > timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)


def test_an_idle_session_ends(client, make_user, make_unit):
    _log_in(client, make_user, make_unit)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/plan/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_visitors_get_no_session(client):
    assert client.get("/accounts/login/").status_code == 200
    assert not Session.objects.exists()


def test_the_user_and_their_unit_load_in_one_query(client, make_user, make_unit):
    user = _log_in(client, make_user, make_unit)
    with CaptureQueriesContext(connection) as queries:
        client.get("/plan/")
    user_reads = [q["sql"] for q in queries if 'FROM "core_user"' in q["sql"]]
    unit_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "core_unit"')]
    assert len(user_reads) == 1 and 'JOIN "core_unit"' in user_reads[0]
    assert not unit_reads, unit_reads
    assert user.unit.name in client.get("/plan/").content.decode()
