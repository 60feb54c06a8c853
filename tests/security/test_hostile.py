"""Hostile input for the security app: event batches nested 100,000 deep or over the size limit,
and user-supplied regular expressions, which run on RE2 (linear time) or are refused when saved."""

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from tests.hostile import assert_cheap, deep_json, measured, warm_up
from xizang5g.core.services import api_token_create
from xizang5g.security.detection.sigma import (
    RuleError,
    SigmaEngine,
    compile_check,
    linear_regex,
    parse_rule,
)
from xizang5g.security.models import SecurityEvent, SigmaRule
from xizang5g.security.services import log_source_create

pytestmark = pytest.mark.django_db

CATASTROPHIC = "^(a+)+$"


def _rule(pattern: str) -> str:
    return f"""title: catastrophic backtracking probe
id: {uuid.uuid4()}
status: test
level: high
logsource:
  category: webserver
detection:
  sel:
    message|re: '{pattern}'
  condition: sel
"""


@pytest.fixture
def source_token(operator):
    _source, token = log_source_create(
        code="edge", name="Edge", kind="http", category="web", user=operator
    )
    return token


def _ingest(client, token: str, payload: bytes, **extra):
    return client.post(
        "/api/v1/security/ingest",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def test_event_batch_nested_100000_deep_is_refused(client, source_token):
    warm_up(client, "/api/v1/security/ingest")
    with measured() as cost:
        response = _ingest(client, source_token, deep_json(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert_cheap(cost)
    assert SecurityEvent.objects.count() == 0


def test_event_batch_over_the_size_limit_answers_413(client, source_token, settings):
    settings.XZ5G_JSON_MAX_BYTES = 256 * 1024
    items = [{"message": "x" * 1000, "host": f"h{n}"} for n in range(300)]
    response = _ingest(client, source_token, json.dumps(items).encode(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "at most 256.0 KB" in response.json()["detail"] or "262,144" in response.json()["detail"]
    assert SecurityEvent.objects.count() == 0


def test_catastrophic_regex_matches_in_microseconds():
    parsed = parse_rule(_rule(CATASTROPHIC))
    compile_check(parsed)
    compiled = linear_regex(CATASTROPHIC)
    line = "a" * 30 + "!"
    started = time.perf_counter()
    for _ in range(1_000):
        assert compiled.search(line) is None
    per_search = (time.perf_counter() - started) / 1_000
    assert per_search < 100e-6, f"{per_search * 1e6:.1f} µs per line"
    engine = SigmaEngine([parsed])  # the same pattern inside the compiled matcher
    assert engine.match({"category": "web", "message": "a" * 30})
    started = time.perf_counter()
    assert not engine.match({"category": "web", "message": line})
    assert time.perf_counter() - started < 0.01


def test_catastrophic_rule_saved_by_api_keeps_ingest_fast(client, operator, source_token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=operator, name='t')}"}
    response = client.post(
        "/api/v1/security/rules",
        json.dumps({"yaml": _rule(CATASTROPHIC)}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    now = datetime.now(UTC).isoformat()
    lines = [{"time": now, "message": "a" * n + "!", "host": "web1"} for n in range(20, 40)]
    lines.append({"time": now, "message": "a" * 35, "host": "web1"})
    _ingest(client, source_token, b"[]")  # warm up
    with measured() as cost:
        response = _ingest(client, source_token, json.dumps(lines).encode())
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 21 and response.json()["detections"] == 1
    assert_cheap(cost)


@pytest.mark.parametrize(
    "pattern", [r"(a)\1", "(?=admin)adm", "(?<!x)root"], ids=["backref", "ahead", "behind"]
)
def test_regex_re2_cannot_run_is_refused_when_saved(client, operator, pattern):
    with pytest.raises(RuleError, match="backreferences and lookaround are not supported"):
        compile_check(parse_rule(_rule(pattern)))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=operator, name='t')}"}
    response = client.post(
        "/api/v1/security/rules",
        json.dumps({"yaml": _rule(pattern)}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert "in time linear in the text" in json.dumps(response.json())
    assert not SigmaRule.objects.filter(title="catastrophic backtracking probe").exists()


def test_yaml_aliases_are_refused_in_rules():
    bomb = _rule("x") + "  a: &a ['x', 'x']\n  b: &b [*a, *a]\n"
    with pytest.raises(RuleError, match="aliases"):
        parse_rule(bomb)
