"""Detection over stored events: Sigma rules, personal information in payloads and logs,
and correlation rules; each firing is a Detection with an alert in the alert centre."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from xizang5g.core.choices import AlertSource
from xizang5g.core.crypto import key_ring, sm3_hex, sm3_hmac
from xizang5g.core.models import Unit
from xizang5g.core.services import alert_raise
from xizang5g.security.choices import CorrelationKind, DetectionKind, PiKind
from xizang5g.security.constants import EVIDENCE_MAX, SIGMA_SEVERITY
from xizang5g.security.detection import pii
from xizang5g.security.detection.sigma import RuleError, SigmaEngine, parse_rule
from xizang5g.security.models import (
    CorrelationRule,
    Detection,
    FieldMapping,
    LogSource,
    PiFinding,
    SecurityEvent,
    SigmaRule,
)

logger = logging.getLogger(__name__)


_ENGINE_LOCK = threading.Lock()
_ENGINE: dict = {}


def sigma_engine() -> SigmaEngine:
    """The compiled engine for the enabled rules (rebuilt when rules or field mappings change)."""
    stamp = (
        SigmaRule.objects.filter(enabled=True).aggregate(n=Count("id"), t=Max("updated_at")),
        FieldMapping.objects.aggregate(n=Count("id"), t=Max("updated_at")),
    )
    key = repr(stamp)
    with _ENGINE_LOCK:
        if _ENGINE.get("key") != key:
            parsed = []
            for rule in SigmaRule.objects.filter(enabled=True):
                try:
                    parsed.append(parse_rule(rule.yaml))
                except RuleError as exc:
                    logger.error("Sigma rule %s no longer parses: %s", rule.rule_id, exc)
            mapping = dict(FieldMapping.objects.values_list("sigma_field", "event_field"))
            _ENGINE.update(key=key, engine=SigmaEngine(parsed, mapping))
            for rule_id, problems in _ENGINE["engine"].problems.items():
                logger.error("Sigma rule %s does not compile: %s", rule_id, "; ".join(problems))
        return _ENGINE["engine"]


def event_as_dict(row: SecurityEvent) -> dict:
    return {
        "category": row.category,
        "host": row.host,
        "program": row.program,
        "user": row.user,
        "src_ip": row.src_ip,
        "dst_ip": row.dst_ip,
        "dst_port": row.dst_port,
        "action": row.action,
        "outcome": row.outcome,
        "message": row.message,
        "source_system": row.source_system,
        "extra": row.extra if isinstance(row.extra, dict) else {},
    }


def detect(rows: list[SecurityEvent]) -> list[Detection]:
    """Run Sigma, personal-information and correlation detection over stored events."""
    if not rows:
        return []
    detections: list[Detection] = []
    engine = sigma_engine()
    grouped: dict[tuple[int, str], list[SecurityEvent]] = defaultdict(list)
    for position, index in engine.match_batch([event_as_dict(row) for row in rows]):
        row = rows[position]
        grouped[(index, row.src_ip or row.host)].append(row)
    for (index, group), hits in grouped.items():
        rule = engine.rules[index]
        detections.append(
            _fire(
                kind=DetectionKind.SIGMA,
                code=rule.rule_id,
                title=rule.title,
                level=rule.level,
                group=group,
                events=hits,
                dedup=f"security:sigma:{rule.rule_id}:{group}",
            )
        )
    detections.extend(_detect_pii(rows))
    detections.extend(_correlate(rows))
    return detections


def _fire(*, kind, code, title, level, group, events, dedup, message="", extra=None) -> Detection:
    times = [e.time for e in events]
    system_id = next((e.system_id for e in events if e.system_id), None)
    detection = Detection.objects.create(
        time=max(times),
        kind=kind,
        rule_code=code[:100],
        rule_title=title[:255],
        level=level,
        group_value=(group or "")[:255],
        event_ids=[e.pk for e in events][:EVIDENCE_MAX],
        event_count=len(events),
        system_id=system_id,
    )
    unit = None
    if system_id:
        unit = Unit.objects.filter(information_systems__pk=system_id).first()
    alert, _created = alert_raise(
        source=AlertSource.SECURITY,
        dedup_key=dedup[:255],
        title=f"{title} · {group}" if group else title,
        severity=SIGMA_SEVERITY.get(level, "major"),
        message=message or f"{len(events)} event(s); evidence event ids {detection.event_ids[:10]}",
        rule=f"{kind}:{code}",
        unit=unit,
        obj=detection,
        details={
            "kind": kind,
            "rule": code,
            "rule_title": title,
            "group": group,
            "event_ids": detection.event_ids,
            "detection_id": detection.pk,
            **(extra or {}),
        },
        at=max(times),
    )
    detection.alert = alert
    detection.save(update_fields=["alert"])
    return detection


def _pi_key() -> bytes:
    return sm3_hex(b"xz5g-pi-fingerprint:" + key_ring().active_key).encode()[:32]


def _pi_text(row: SecurityEvent, deep: bool) -> str:
    """The message and the application payload; with `deep` (sources flagged to scan personal
    information) every string of the extra fields too."""
    extra = row.extra if isinstance(row.extra, dict) else {}
    parts = [row.message]
    if deep:
        parts += [str(v) for v in extra.values() if isinstance(v, str | int | dict | list)]
    elif extra.get("payload"):
        parts.append(str(extra["payload"]))
    return "\n".join(parts)


def _detect_pii(rows: list[SecurityEvent]) -> list[Detection]:
    by_group: dict[str, list[tuple[SecurityEvent, list[pii.PiMatch]]]] = defaultdict(list)
    source_ids = {row.source_id for row in rows if row.source_id}
    deep_sources = (
        set(
            LogSource.objects.filter(pk__in=source_ids, scan_personal_info=True).values_list(
                "pk", flat=True
            )
        )
        if source_ids
        else set()
    )
    for row in rows:
        text = _pi_text(row, row.source_id in deep_sources)
        found = pii.scan(text)
        if found:
            by_group[row.source_system or row.host].append((row, found))
    detections = []
    key = _pi_key() if by_group else b""
    for group, items in by_group.items():
        counts: dict[str, int] = defaultdict(int)
        for _row, found in items:
            for match in found:
                counts[match.kind] += 1
        summary = ", ".join(f"{PiKind(k).label}: {n}" for k, n in sorted(counts.items()))
        level = "critical" if counts.get(PiKind.RESIDENT_ID, 0) >= 10 else "high"
        detection = _fire(
            kind=DetectionKind.PI_LEAK,
            code="pi-leak",
            title=_("Personal information in payloads or logs"),
            level=level,
            group=group,
            events=[row for row, _ in items],
            dedup=f"security:pi:{group}",
            message=summary,
            extra={"counts": dict(counts)},
        )
        PiFinding.objects.bulk_create(
            [
                PiFinding(
                    time=row.time,
                    event_id=row.pk,
                    kind=m.kind,
                    masked=m.masked,
                    fingerprint=sm3_hmac(key, m.value),
                    system_id=row.system_id,
                    detection=detection,
                )
                for row, found in items
                for m in found
            ]
        )
        detections.append(detection)
    return detections


def _matches(row: SecurityEvent, conditions: dict) -> bool:
    for key, expected in conditions.items():
        value = getattr(row, key, None)
        if isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


def _condition_filter(conditions: dict) -> dict:
    return {f"{k}__in" if isinstance(v, list) else k: v for k, v in conditions.items()}


def _correlate(rows: list[SecurityEvent]) -> list[Detection]:
    detections = []
    for rule in CorrelationRule.objects.filter(enabled=True):
        window = timedelta(seconds=rule.window_seconds)
        if rule.kind == CorrelationKind.THRESHOLD:
            latest: dict[str, datetime] = {}
            for row in rows:
                group = getattr(row, rule.group_by, "")
                if group and _matches(row, rule.match):
                    latest[group] = max(latest.get(group, row.time), row.time)
            for group, until in latest.items():
                if Detection.objects.filter(
                    rule_code=rule.code, group_value=group, time__gt=until - window
                ).exists():
                    continue
                qs = SecurityEvent.objects.filter(
                    time__gt=until - window,
                    time__lte=until,
                    **{rule.group_by: group},
                    **_condition_filter(rule.match),
                )
                evidence = list(qs.order_by("-time", "-id")[: max(rule.threshold, EVIDENCE_MAX)])
                if len(evidence) >= rule.threshold:
                    detections.append(
                        _fire(
                            kind=DetectionKind.CORRELATION,
                            code=rule.code,
                            title=rule.title,
                            level=rule.level,
                            group=group,
                            events=evidence,
                            dedup=f"security:corr:{rule.code}:{group}",
                            message=_("%(n)s or more matching events from %(g)s within %(s)s s")
                            % {"n": rule.threshold, "g": group, "s": rule.window_seconds},
                        )
                    )
        else:
            for row in rows:
                group = getattr(row, rule.group_by, "")
                if not group or not _matches(row, rule.then_match):
                    continue
                if Detection.objects.filter(
                    rule_code=rule.code, group_value=group, time__gt=row.time - window
                ).exists():
                    continue
                prior = list(
                    SecurityEvent.objects.filter(
                        time__gte=row.time - window,
                        time__lte=row.time,
                        **{rule.group_by: group},
                        **_condition_filter(rule.match),
                    ).order_by("-time", "-id")[:EVIDENCE_MAX]
                )
                if len(prior) >= rule.threshold:
                    detections.append(
                        _fire(
                            kind=DetectionKind.CORRELATION,
                            code=rule.code,
                            title=rule.title,
                            level=rule.level,
                            group=group,
                            events=[*prior, row],
                            dedup=f"security:corr:{rule.code}:{group}",
                            message=_("%(n)s failures then a success from %(g)s")
                            % {"n": len(prior), "g": group},
                        )
                    )
    return detections
