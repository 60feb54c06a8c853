"""Sigma correlation rules: parsed by pySigma, evaluated in memory over sliding windows (no query
per event), evidence ending with the completing event, windows surviving a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule, SigmaCorrelationType

from xizang5g.security.constants import EVIDENCE_MAX
from xizang5g.security.detection.correlation import Correlator, parse_correlation
from xizang5g.security.detection.sigma import RuleError
from xizang5g.security.models import CorrelationCheckpoint, Detection, SecurityEvent
from xizang5g.security.services.detection import (
    correlation_checkpoint_save,
    correlation_forget,
)
from xizang5g.security.services.events import syslog_ingest
from xizang5g.security.services.rules import RULES_DIR

ATTACKER = "203.0.113.77"


def ssh(at: datetime, ok: bool, ip: str = ATTACKER, user: str = "root") -> bytes:
    local = at.astimezone(UTC) + timedelta(hours=8)  # RFC 3164 lines carry Beijing time
    stamp = local.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
    text = (
        f"Accepted password for {user} from {ip} port 50000 ssh2"
        if ok
        else f"Failed password for {user} from {ip} port 50000 ssh2"
    )
    return f"<86>{stamp} bastion01 sshd[100]: {text}".encode()


def test_shipped_correlations_are_sigma_correlation_rules():
    kinds = set()
    for path in sorted((RULES_DIR / "correlation").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        collection = SigmaCollection.from_yaml(text)
        collection.resolve_rule_references()
        correlations = [r for r in collection.rules if isinstance(r, SigmaCorrelationRule)]
        assert correlations, path.name
        kinds |= {r.type for r in correlations}
        assert parse_correlation(text)
    assert {
        SigmaCorrelationType.EVENT_COUNT,
        SigmaCorrelationType.VALUE_COUNT,
        SigmaCorrelationType.TEMPORAL_ORDERED,
    } <= kinds


TEMPORAL = """title: a
id: 9d7c0c3e-0000-4000-8000-000000000001
name: rule_a
level: low
logsource: {product: linux}
detection: {sel: {message|contains: alpha}, condition: sel}
---
title: b
id: 9d7c0c3e-0000-4000-8000-000000000002
name: rule_b
level: low
logsource: {product: linux}
detection: {sel: {message|contains: beta}, condition: sel}
---
title: alpha and beta on one host
id: 9d7c0c3e-0000-4000-8000-000000000003
name: {name}
level: high
correlation:
  type: {kind}
  rules: [rule_a, rule_b]
  group-by: [host]
  timespan: 1m
"""


@pytest.mark.parametrize(
    ("kind", "order", "fires"),
    [
        ("temporal", ["rule_b", "rule_a"], True),
        ("temporal_ordered", ["rule_b", "rule_a"], False),
        ("temporal_ordered", ["rule_a", "rule_b"], True),
    ],
)
def test_temporal_kinds(kind, order, fires):
    (cset,) = parse_correlation(TEMPORAL.replace("{kind}", kind).replace("{name}", "ab"))
    correlator = Correlator([cset])
    out = []
    for n, rule in enumerate(order):
        out += correlator.feed("ab", rule, {"host": "h1"}, 100.0 + n, [n + 1])
    assert bool(out) is fires
    if fires:
        assert out[0].evidence == [1, 2]  # the completing event last


def test_window_slides():
    (cset,) = parse_correlation(TEMPORAL.replace("{kind}", "temporal").replace("{name}", "ab"))
    correlator = Correlator([cset])
    assert not correlator.feed("ab", "rule_a", {"host": "h1"}, 100.0, [1])
    assert not correlator.feed("ab", "rule_b", {"host": "h1"}, 161.0, [2])  # a left the window
    assert correlator.feed("ab", "rule_a", {"host": "h1"}, 170.0, [3])


def test_invalid_correlation_is_refused_with_reasons():
    text = TEMPORAL.replace("{kind}", "temporal").replace("{name}", "ab")
    with pytest.raises(RuleError, match="nothere"):
        parse_correlation(text.replace("rules: [rule_a, rule_b]", "rules: [rule_a, nothere]"))


@pytest.mark.django_db
def test_brute_force_then_success_keeps_the_completing_event_after_60_failures(rules):
    start = datetime.now(UTC) - timedelta(minutes=10)
    lines = [ssh(start + timedelta(seconds=i), ok=False) for i in range(60)]
    lines.append(ssh(start + timedelta(seconds=61), ok=True))
    for i in range(0, len(lines), 13):
        syslog_ingest(lines=lines[i : i + 13], peer="10.0.0.5:514")
    success = SecurityEvent.objects.get(outcome="success")
    detection = Detection.objects.get(rule_code="brute-force-then-success")
    assert detection.event_ids[-1] == success.pk
    assert len(detection.event_ids) == EVIDENCE_MAX
    assert detection.alert.details["completing_event_id"] == success.pk
    assert Detection.objects.filter(rule_code="ssh-brute-force").count() == 1  # once per window


@pytest.mark.django_db
def test_a_restart_loses_no_window(rules):
    start = datetime.now(UTC) - timedelta(minutes=5)
    syslog_ingest(lines=[ssh(start + timedelta(seconds=i), ok=False) for i in range(3)])
    correlation_checkpoint_save()
    assert CorrelationCheckpoint.objects.get().state["windows"]
    # two more failures after the checkpoint, then the process stops
    syslog_ingest(lines=[ssh(start + timedelta(seconds=10 + i), ok=False) for i in range(2)])
    correlation_forget()
    result = syslog_ingest(lines=[ssh(start + timedelta(seconds=30), ok=True)])
    assert [d.rule_code for d in result.detections] == ["brute-force-then-success"]
    assert len(result.detections[0].event_ids) == 6


@pytest.mark.django_db
def test_correlation_reads_nothing_back_per_event(rules, django_assert_max_num_queries):
    start = datetime.now(UTC) - timedelta(minutes=5)
    syslog_ingest(lines=[ssh(start, ok=False)])  # engines built, caches warm
    lines = [
        ssh(start + timedelta(milliseconds=10 * i), ok=i % 3 == 0, ip=f"10.30.{i % 200}.{i % 7}")
        for i in range(600)
    ]
    with django_assert_max_num_queries(40):
        syslog_ingest(lines=lines)
