import pytest

from xizang5g.core.audit import acting_as
from xizang5g.core.models import ChangeLog, Unit


def test_create_update_delete_are_logged_with_user_and_request(make_user):
    user = make_user("editor")
    with acting_as(user, request_id="req-42"):
        unit = Unit.objects.create(code="demo-unit", name="演示单位", kind="enterprise")
        unit.short_name = "演示"
        unit.save()
        unit.save()  # no change: no entry
        pk = unit.pk
        unit.delete()
    entries = list(ChangeLog.objects.filter(object_id=str(pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.user == user and e.request_id == "req-42" for e in entries)
    assert entries[1].changed_fields == [{"field": "short_name", "before": "", "after": "演示"}]
    assert entries[2].before["name"] == "演示单位" and entries[2].after is None


def test_request_id_comes_from_the_request(client, plan_admin):
    client.force_login(plan_admin)
    response = client.get("/plan/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert client.get("/plan/", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"] != "bad id"


@pytest.mark.django_db
def test_password_policy_rejects_simple_passwords():
    from django.core.exceptions import ValidationError

    from xizang5g.core.services import user_create

    with pytest.raises(ValidationError):
        user_create(username="weak", password="alllowercase", role="viewer")
    user_create(username="strong", password="Str0ng-Passw0rd", role="viewer")


def test_login_is_throttled_after_five_failures(client, make_user):
    from tests.conftest import TEST_PASSWORD

    make_user("target")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "target", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
