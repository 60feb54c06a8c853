"""The API half of the authorization matrix: every operation of the OpenAPI schema × every role,
with other units' objects in every path (and body) id.

What each operation does is declared in api_routes.py (an operation without a declaration fails),
and what each role may do follows from the access rule:

* not logged in → 401 (the machine endpoints answer their own refusal: device ingest 401, the
  broker hooks 403);
* an object the role may not read → exactly the answer for an id that does not exist, never 2xx
  nor 403 (which would tell that the object exists);
* an object it may read but not act on, or an operation its role may not use → 403, with a valid
  body so that validation cannot hide the refusal;
* otherwise → not 401, 403, 404 nor 5xx;
* lists answer only objects the rule lets the role read.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.authz import api_routes
from tests.authz.extensions import operations
from tests.authz.test_matrix import MISSING_ID
from tests.authz.world import ROLES, build_world
from xizang5g.api import api
from xizang5g.core import access
from xizang5g.core.services import api_token_create

# A stand-in for an object that does not exist, in paths and bodies alike.
OPERATIONS = operations()  # the central table plus each app's tests/<app>/authz.py
MISSING = SimpleNamespace(
    pk=MISSING_ID, product_key="no-such-product", code="no-such-plan", unit=None
)


def schema_operations() -> set[str]:
    """Every operation of the platform's apps (the test-only app of tests/testapp is checked by
    its own tests)."""
    paths = api.get_openapi_schema()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, methods in paths.items()
        for method in methods
        if not path.startswith("/api/v1/testapp/")
    }


def test_every_operation_declares_what_it_does():
    declared = set(OPERATIONS)
    undeclared = schema_operations() - declared
    assert not undeclared, (
        f"declare these operations in tests/authz/api_routes.py: {sorted(undeclared)}"
    )
    stale = declared - schema_operations()
    assert not stale, f"declared operations that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for every role, in a transaction rolled back at the end of the module."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("m")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            built.tokens = {
                role: api_token_create(user=user, name="authz")
                for role, user in built.users.items()
                if user is not None
            }
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- expectations ---------------------------------------------------------------------------------
def expected(operation: api_routes.Operation, user, obj) -> str:
    if operation.machine is not None:
        return f"status {operation.machine}"
    if user is None:
        return "login"
    if obj is not None:
        if not access.can(user, access.VIEW, obj):
            return "hidden"
        if operation.action != access.VIEW and not access.can(user, operation.action, obj):
            return "forbidden"
    if operation.requires is not None and not operation.requires(user, obj):
        return "forbidden"
    return "ok"


def outcome(status: int, operation: api_routes.Operation) -> str:
    if operation.machine is not None:
        return f"status {status}"
    if status >= 500:
        return f"error {status}"
    return {401: "login", 403: "forbidden", 404: "hidden"}.get(status, "ok")


def _url(key: str, operation: api_routes.Operation, world, obj) -> tuple[str, str]:
    method, template = key.split(" ", 1)
    return method.lower(), template.format(**operation.path(world, obj))


def _send(client: Client, key: str, operation: api_routes.Operation, world, obj, headers):
    """One request, rolled back: an allowed write must not change what the next check sees."""
    method, url = _url(key, operation, world, obj)
    kwargs = {"headers": headers}
    if operation.body is not None:
        kwargs.update(data=json.dumps(operation.body(world, obj)), content_type="application/json")
    elif operation.query:
        kwargs["data"] = operation.query
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        transaction.set_rollback(True)
    return response


def _cases(world):
    for key, operation in sorted(OPERATIONS.items()):
        for obj in world.objects[operation.kind] if operation.kind else [None]:
            yield key, operation, obj


def _headers(world, role: str) -> dict:
    token = world.tokens.get(role)
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.mark.parametrize("role", ROLES)
def test_api_operations(world, db, role):
    client = Client(raise_request_exception=False)
    user = world.users[role]
    headers = _headers(world, role)
    wrong, checks = [], 0
    for key, operation, obj in _cases(world):
        want = expected(operation, user, obj)
        response = _send(client, key, operation, world, obj, headers)
        got = outcome(response.status_code, operation)
        checks += 1
        if want == "hidden":
            missing = _send(client, key, operation, world, MISSING, headers)
            checks += 1
            # 404 (or 422 for an id in a body) as for a missing id; a role that may not write
            # any object of the kind gets 403 before the id is even looked at, missing or not
            hides = response.status_code == missing.status_code and response.status_code >= 400
            if not hides:
                wrong.append(
                    (key, obj, f"as missing ({missing.status_code})", response.status_code)
                )
        elif got != want:
            wrong.append((key, obj, want, f"{response.status_code} {response.content[:120]!r}"))
    print(f"\n{role}: {checks} API checks")
    assert not wrong, _table(role, wrong)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_api_lists_answer_only_what_the_role_may_read(world, db, role):
    client = Client(raise_request_exception=False)
    user = world.users[role]
    leaks, checks = [], 0
    for key, operation, obj in _cases(world):
        if operation.lists is None or expected(operation, user, obj) != "ok":
            continue
        _method, url = _url(key, operation, world, obj)
        response = client.get(url, {"limit": 500}, headers=_headers(world, role))
        assert response.status_code == 200, (key, response.status_code)
        model = operation.lists
        readable = access.restrict(model.objects.all(), user)
        if model.__name__ == "Product":
            allowed = set(readable.values_list("product_key", flat=True))
        else:
            allowed = set(readable.values_list("pk", flat=True))
        returned = {operation.item_id(item) for item in response.json()["items"]}
        checks += 1
        if not returned <= allowed:
            leaks.append((key, obj, sorted(returned - allowed)))
    print(f"\n{role}: {checks} API list checks")
    assert not leaks, f"{role} is shown objects it may not read: {leaks}"


def _table(role: str, wrong: list) -> str:
    lines = [f"{len(wrong)} API answers differ from the access rule for {role}:"]
    lines += [
        f"  {key:<58} {str(obj)[:30]:<30} expected {want} got {got}"
        for key, obj, want, got in wrong
    ]
    return "\n".join(lines)
