"""The whole OpenAPI schema, fuzzed with Schemathesis against the real application, and the
schema's own style: unique component names and operationIds `<app>_<entity>_<verb>`.

Every operation gets examples generated from its schema (valid and invalid ones, a fixed seed,
a bounded number each), sent in-process through Django's WSGI handler as the plan office and as a
unit editor, against the authorization world (two of everything, other units' objects included)
whose ids the generated paths hit most of the time. Each example runs in a transaction that is
rolled back, so examples do not see each other's writes. Checks: no 5xx, every status documented,
the body conforms to the documented schema, the declared content type.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.authz.world import build_world
from xizang5g.api import api
from xizang5g.core import registry
from xizang5g.core.services import api_token_create

# The apps with an API (their routers are mounted from their AppConfig).
APPS = [prefix for prefix, _router in registry.api_routers()]

EXAMPLES_PER_OPERATION = 15
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,  # a fixed seed: the same examples on every run
            "database": "none",
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
APP = WSGIHandler()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]

# (role, operation) → answers by status, for the summary test at the end of the module.
ANSWERS: dict[tuple[str, str], Counter] = defaultdict(Counter)

# Path parameters → ids and keys of the world's objects, filled once the world is built.
REAL_VALUES: dict[str, list] = {}
PATH_OBJECTS = {
    "alert_id": "alert",
    "project_id": "project",
    "milestone_id": "milestone",
    "report_id": "report",
    "kpi_id": "kpi",
    "cell_id": "cell",
    "site_id": "site",
    "study_id": "study",
    "case_id": "case",
    "device_id": "device",
    "rule_id": "rule",
    "incident_id": "incident",
}


@SCHEMA.hook
def map_path_parameters(context, path_parameters):
    """Three generated values in four become a real object's id (the fourth stays as generated:
    a missing or malformed id), chosen by the generated value so the seed fixes the choice."""
    for name, value in (path_parameters or {}).items():
        real = REAL_VALUES.get(name)
        if not real or value is None:
            continue
        index = value if isinstance(value, int) else len(str(value))
        if index % 4 != 3:
            path_parameters[name] = real[index % len(real)]
    return path_parameters


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The authorization world, built once for the module inside a transaction rolled back at
    the end (each test adds its own savepoint through the `db` fixture)."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("m")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            for name, kind in PATH_OBJECTS.items():
                REAL_VALUES[name] = [obj.pk for obj in built.objects[kind]]
            REAL_VALUES["product_key"] = [p.product_key for p in built.objects["product"]]
            REAL_VALUES["code"] = [built.plan.code]
            built.tokens = {
                role: api_token_create(user=built.users[role], name="schemathesis")
                for role in ("planoffice", "health")
            }
            yield built
        finally:
            REAL_VALUES.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def in_process_requests():
    """Requests through the WSGI handler share the test's connection: keep Django from closing
    it at the end of each request, as its test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["planoffice", "health"])
@SCHEMA.parametrize()
@settings(
    deadline=None,
    # Each example rolls back its own writes; the fixtures hold only the read-only world.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_its_schema(case, role, world, db, in_process_requests):
    headers = {"Authorization": f"Bearer {world.tokens[role]}", "Accept-Language": "en"}
    with transaction.atomic():
        response = case.call(app=APP, headers=headers)
        transaction.set_rollback(True)
    ANSWERS[(role, f"{case.method} {case.path}")][response.status_code] += 1
    case.validate_response(response, checks=CHECKS)


# --- the schema's own style -----------------------------------------------------------------------
# The verbs an operation name may end with: CRUD, the lifecycle steps, and the reads of a
# resource's parts (history).
VERBS = {
    "list",
    "get",
    "create",
    "update",
    "delete",
    "save",
    "transition",
    "complete",
    "accept",
    "submit",
    "acknowledge",
    "resolve",
    "cancel",
    "advance",
    "reject",
    "propose",
    "ingest",
    "check",
    "history",
}
OPERATION_ID = re.compile(
    rf"^(?P<app>{'|'.join(APPS)})_(?P<entity>[a-z0-9]+(?:_[a-z0-9]+)*)_(?P<verb>[a-z]+)$"
)
LIST_ENVELOPE = {"count", "limit", "offset", "items"}


def _openapi() -> dict:
    """The schema as clients read it (JSON: status codes are strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


def _operations():
    schema = _openapi()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_id_reads_app_entity_verb():
    wrong = []
    for path, method, operation in _operations():
        match = OPERATION_ID.match(operation["operationId"])
        app = path.split("/")[3]  # /api/v1/<app>/…
        if match is None or match["app"] != app or match["verb"] not in VERBS:
            wrong.append((method.upper(), path, operation["operationId"]))
    assert not wrong, f"operationIds must read <app>_<entity>_<verb>: {wrong}"
    ids = [operation["operationId"] for _path, _method, operation in _operations()]
    assert len(ids) == len(set(ids))


def _models_of(annotation, found: set) -> None:
    """Every pydantic model reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_of(field.annotation, found)
        return
    for argument in getattr(annotation, "__args__", ()):
        _models_of(argument, found)


def test_schema_names_are_unique_and_carry_their_app():
    """No two models share a component name (one would silently replace the other in the
    OpenAPI document), and each app's schemas are prefixed with the app's name."""
    models: set = set()
    for router in api._routers:
        for path_view in router[1].path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_of(model, models)
                for model in operation.response_models.values():
                    _models_of(model, models)
    by_name: dict[str, set] = defaultdict(set)
    for model in models:
        if model.__module__.startswith("xizang5g."):  # not ninja's per-operation wrappers
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not clashes, f"schema names used by several classes: {clashes}"
    prefixes = (*(app.capitalize() for app in APPS), "Api")
    components = api.get_openapi_schema()["components"]["schemas"]
    unprefixed = [
        name
        for name, schema in components.items()
        if not name.startswith(prefixes) and "enum" not in schema
    ]
    assert not unprefixed, f"prefix these schemas with their app: {unprefixed}"


def test_every_list_answers_the_one_envelope_and_every_error_the_one_body():
    schema = _openapi()
    components = schema["components"]["schemas"]
    wrong = []
    for path, method, operation in _operations():
        responses = operation["responses"]
        for status in ("400", "401", "403", "404", "422"):
            refs = str(responses.get(status, {}).get("content", {}))
            if "#/components/schemas/ApiError" not in refs:
                wrong.append((method.upper(), path, status, "no ApiError"))
        if operation["operationId"].endswith("_list"):
            ok = responses["200"]["content"]["application/json"]["schema"]["$ref"]
            envelope = components[ok.rsplit("/", 1)[1]]
            params = {p["name"] for p in operation.get("parameters", ())}
            if set(envelope["properties"]) != LIST_ENVELOPE or not {"limit", "offset"} <= params:
                wrong.append((method.upper(), path, "200", "not the list envelope"))
    assert not wrong, wrong


def test_the_fuzzing_reached_real_objects():
    """Runs after the fuzzing above (same module): most operations answered 2xx at least once,
    so the examples went past validation and into the code that reads and writes objects."""
    if not ANSWERS:
        print("\nNo fuzzing answers to summarize: run the whole module (-k may have deselected it)")
        return
    for role in sorted({role for role, _op in ANSWERS}):
        rows = {op: counts for (r, op), counts in ANSWERS.items() if r == role}
        reached = [op for op, counts in rows.items() if any(200 <= s < 300 for s in counts)]
        print(
            f"\n{role}: {sum(map(sum, (c.values() for c in rows.values())))} requests, "
            f"{len(reached)}/{len(rows)} operations answered 2xx"
        )
        for op, counts in sorted(rows.items()):
            print(f"  {op:<58} {dict(sorted(counts.items()))}")
