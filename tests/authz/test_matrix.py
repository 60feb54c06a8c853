"""The authorization matrix: every page and API operation × every role, with other units' objects.

Routes come from the URL conf and the OpenAPI schema; what each does is declared in routes.py, and
what each role may do follows from the access rule. A route without a declaration fails.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz import routes
from tests.authz.extensions import pages
from tests.authz.world import ROLES, build_world
from xizang5g.core import access
from xizang5g.core.models import ChangeLog
from xizang5g.core.models.base import ChangeLoggedModel

PAGES = pages()  # the central table plus each app's tests/<app>/authz.py
MISSING_ID = 987654321012  # an id no object has: the answer for hidden objects must be the same
SKIPPED_PREFIXES = ("admin/", "api/", "i18n/")


def url_names() -> set[str]:
    """Every named page of the URL conf (the admin site and the API are checked elsewhere)."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, (namespace, pattern.namespace)))
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield route, name

    names = set()
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) and name != "set_language":
            continue
        if name.startswith("testapp:"):
            continue  # the test-only app of tests/testapp is checked by its own tests
        names.add(name)
    return names


def test_every_page_declares_what_it_does():
    undeclared = url_names() - set(PAGES) - {"core:history"}
    assert not undeclared, f"declare these pages in tests/authz/routes.py: {sorted(undeclared)}"
    stale = set(PAGES) - url_names()
    assert not stale, f"declared pages that no longer exist: {sorted(stale)}"


# --- expectations ---------------------------------------------------------------------------------
def expected(route: routes.Route, user, obj) -> str:
    if route.public:
        return "public"
    if user is None:
        return "login"
    if obj is not None:
        if not access.can(user, access.VIEW, obj):
            return "hidden"
        if route.action != access.VIEW and not access.can(user, route.action, obj):
            return "forbidden"
    if route.requires is not None and not route.requires(user, obj):
        return "forbidden"
    return "ok"


def outcome(response) -> str:
    status = response.status_code
    if status == 302 and "/accounts/login/" in response.get("Location", ""):
        return "login"
    if status == 401:
        return "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "hidden"
    if status >= 500:
        return f"error {status}"
    return "ok"


def _request(client: Client, route: routes.Route, url: str):
    if route.method == "post":
        return client.post(url, route.data or {})
    return client.get(url)


def _quietly(check):
    """Run one request inside a transaction that is rolled back: an allowed write must not change
    what the next role sees."""
    with transaction.atomic():
        result = check()
        transaction.set_rollback(True)
    return result


def _client(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def _page_cases(world):
    for name, route in sorted(PAGES.items()):
        objects = world.objects[route.kind] if route.kind else [None]
        for obj in objects:
            yield name, route, obj


@pytest.mark.parametrize("role", ROLES)
def test_pages(world, role):
    """Every page × this role: the answer the rule predicts, and hidden objects answer exactly
    like missing ones."""
    client = _client(world, role)
    user = world.users[role]
    wrong = []
    checks = 0
    for name, route, obj in _page_cases(world):
        url = reverse(name, kwargs=route.kwargs(obj)) if obj is not None else _url(name, route)
        want = expected(route, user, obj)
        # Public routes may change the session (logging out, switching language): a spare client.
        asking = _client(world, role) if route.public else client
        response = _quietly(
            lambda url=url, route=route, asking=asking: _request(asking, route, url)
        )
        got = outcome(response)
        checks += 1
        if want == "public":
            if got.startswith("error") or response.status_code in (403, 404):
                wrong.append((name, obj, "public", got))
            continue
        if got != want:
            wrong.append((name, obj, want, got))
        if want == "hidden":
            missing = _missing_url(name, route, obj)
            other = _quietly(lambda url=missing, route=route: _request(client, route, url))
            if other.status_code != response.status_code:
                wrong.append((name, "missing id", response.status_code, other.status_code))
    print(f"\n{role}: {checks} page checks")
    assert not wrong, _table(role, wrong)


def _url(name: str, route: routes.Route) -> str:
    """The URL of a page that works on no object (its kwargs, if any, are fixed)."""
    return reverse(name) if route.kwargs is routes.pk else reverse(name, kwargs=route.kwargs(None))


def _missing_url(name: str, route: routes.Route, obj) -> str:
    kwargs = route.kwargs(obj)
    for key, value in kwargs.items():
        if isinstance(value, int):
            kwargs[key] = MISSING_ID
        elif key == "key":
            kwargs[key] = "no-such-product"
    return reverse(name, kwargs=kwargs)


def _table(role: str, wrong: list) -> str:
    lines = [f"{len(wrong)} answers differ from the access rule for {role}:"]
    lines += [
        f"  {name:<34} {str(obj)[:40]:<40} expected {want:<9} got {got}"
        for name, obj, want, got in wrong
    ]
    return "\n".join(lines)


# --- lists never show others' objects ------------------------------------------------------------
def _label(obj) -> str:
    for attribute in ("name", "title", "code", "product_key"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return str(obj)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_lists_show_only_what_the_role_may_read(world, role):
    client = _client(world, role)
    user = world.users[role]
    leaks = []
    for name, route in sorted(PAGES.items()):
        if not route.lists or expected(route, user, None) != "ok":
            continue
        html = client.get(reverse(name)).content.decode()
        for obj in world.objects[route.lists]:
            if not access.can(user, access.VIEW, obj) and _label(obj) in html:
                leaks.append((name, _label(obj)))
    assert not leaks, f"{role} sees others' objects: {leaks}"


# --- change history ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_history_follows_the_rule(world, role):
    """The change history of an object is shown to those who may read the object; that of a
    deleted object to those who could read it."""
    client = _client(world, role)
    user = world.users[role]
    wrong = []
    for objects in world.objects.values():
        for obj in objects:
            if not isinstance(obj, ChangeLoggedModel):
                continue
            ct = ContentType.objects.get_for_model(obj)
            url = reverse("core:history", args=[ct.pk, obj.pk])
            want = 200 if access.can(user, access.VIEW, obj) else 404
            got = client.get(url).status_code
            if got != want:
                wrong.append((type(obj).__name__, str(obj)[:30], want, got))
    for model, object_id in world.deleted:
        ct = ContentType.objects.get_for_model(model)
        before = ChangeLog.objects.get(content_type=ct, object_id=object_id, action="delete").before
        want = 200 if access.can_view_deleted(user, model, before) else 404
        got = client.get(reverse("core:history", args=[ct.pk, object_id])).status_code
        if got != want:
            wrong.append((model.__name__, f"deleted {object_id}", want, got))
    assert not wrong, wrong
