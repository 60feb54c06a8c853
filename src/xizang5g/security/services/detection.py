"""Detection over stored events: Sigma rules, personal information in payloads and logs,
and correlation rules; each firing is a Detection with an alert in the alert centre."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from xizang5g.core.choices import AlertSource
from xizang5g.core.crypto import key_ring, sm3_hex, sm3_hmac
from xizang5g.core.models import Unit
from xizang5g.core.services import alert_raise
from xizang5g.core.texts import Text, label
from xizang5g.security.choices import DetectionKind, PiKind
from xizang5g.security.constants import (
    CORRELATION_CHECKPOINT_SECONDS,
    EVIDENCE_MAX,
    SIGMA_SEVERITY,
)
from xizang5g.security.detection import pii
from xizang5g.security.detection.correlation import Correlator, parse_correlation
from xizang5g.security.detection.sigma import RuleError, SigmaEngine, parse_rule
from xizang5g.security.models import (
    CorrelationCheckpoint,
    CorrelationRule,
    Detection,
    FieldMapping,
    LogSource,
    PiFinding,
    RuleTuning,
    SecurityEvent,
    SigmaRule,
)
from xizang5g.security.services.rules import filter_rule_parse

logger = logging.getLogger(__name__)


_ENGINE_LOCK = threading.Lock()
_ENGINE: dict = {}


class Tunings:
    """Local tuning compiled for matching: rules switched off per source, and the false-positive
    filters (one SigmaEngine over all filters, run only on events some rule matched)."""

    def __init__(self, tunings: list[RuleTuning], mapping: dict[str, str]):
        self.off: set[tuple[str, int | None]] = set()
        parsed, self.owners = [], []
        for tuning in tunings:
            key = (tuning.rule.rule_id, tuning.source_id)
            if not tuning.enabled:
                self.off.add(key)
            if tuning.filter:
                try:
                    parsed.append(filter_rule_parse(tuning))
                    self.owners.append(key)
                except RuleError as exc:
                    logger.error("filter of rule %s no longer parses: %s", key[0], exc)
        self.filters = SigmaEngine(parsed, mapping) if parsed else None
        self.filtered_rules = {rule_id for rule_id, _source in self.owners}

    def suppressed(self, rule_id: str, event: dict, source_id) -> bool:
        if (rule_id, None) in self.off or (rule_id, source_id) in self.off:
            return True
        if self.filters is None or rule_id not in self.filtered_rules:
            return False
        for compiled in self.filters.match(event):
            owner = self.owners[compiled.index]
            if owner[0] == rule_id and owner[1] in (None, source_id):
                return True
        return False


def tunings() -> Tunings:
    sigma_engine()
    return _ENGINE["tunings"]


def sigma_engine() -> SigmaEngine:
    """The compiled engine for the enabled rules (rebuilt when rules, field mappings or tunings
    change)."""
    stamp = (
        SigmaRule.objects.filter(enabled=True).aggregate(n=Count("id"), t=Max("updated_at")),
        FieldMapping.objects.aggregate(n=Count("id"), t=Max("updated_at")),
        RuleTuning.objects.aggregate(n=Count("id"), t=Max("updated_at")),
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
            _ENGINE["tunings"] = Tunings(list(RuleTuning.objects.select_related("rule")), mapping)
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
    tuned = tunings()
    grouped: dict[tuple[int, str], list[SecurityEvent]] = defaultdict(list)
    events = [event_as_dict(row) for row in rows]
    for position, index in engine.match_batch(events):
        row = rows[position]
        if (tuned.off or tuned.filters) and tuned.suppressed(
            engine.rules[index].rule_id, events[position], row.source_id
        ):
            continue
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
                extra={"rule_author": rule.author} if rule.author else None,
            )
        )
    detections.extend(_detect_pii(rows))
    detections.extend(_correlate(rows))
    return detections


def _fire(
    *,
    kind,
    code,
    title,
    level,
    group,
    events,
    dedup,
    message="",
    extra=None,
    event_ids: list[int] | None = None,
    event_count: int | None = None,
) -> Detection:
    times = [e.time for e in events]
    system_id = next((e.system_id for e in events if e.system_id), None)
    detection = Detection.objects.create(
        time=max(times),
        kind=kind,
        rule_code=code[:100],
        rule_title=str(title)[:255],
        level=level,
        group_value=(group or "")[:255],
        event_ids=event_ids if event_ids is not None else [e.pk for e in events][:EVIDENCE_MAX],
        event_count=event_count if event_count is not None else len(events),
        system_id=system_id,
    )
    unit = None
    if system_id:
        unit = Unit.objects.filter(information_systems__pk=system_id).first()
    alert, _created = alert_raise(
        source=AlertSource.SECURITY,
        dedup_key=dedup[:255],
        title=Text(gettext_noop("%(title)s · %(group)s"), title=title, group=group)
        if group
        else title,
        severity=SIGMA_SEVERITY.get(level, "major"),
        message=message
        or Text(
            gettext_noop("%(n)s event(s); evidence event ids %(ids)s"),
            n=detection.event_count,
            ids=", ".join(str(i) for i in detection.event_ids[:10]),
        ),
        rule=f"{kind}:{code}",
        unit=unit,
        obj=detection,
        details={
            "kind": kind,
            "rule": code,
            "rule_title": str(title),
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
        summary = Text(
            gettext_noop("found %(counts)s"),
            counts=[
                Text(gettext_noop("%(kind)s: %(n)s"), kind=label(PiKind(k)), n=n)
                for k, n in sorted(counts.items())
            ],
        )
        level = "critical" if counts.get(PiKind.RESIDENT_ID, 0) >= 10 else "high"
        detection = _fire(
            kind=DetectionKind.PI_LEAK,
            code="pi-leak",
            title=Text(gettext_noop("Personal information in payloads or logs")),
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


# --- correlation: Sigma correlation rules over in-memory sliding windows --------------------------
_CORR_LOCK = threading.Lock()
_CORR: dict = {}
CHECKPOINT_KEY = "default"


def _correlation_state(before_id: int | None = None) -> dict:
    """The base-rule engine and the correlator for the enabled correlation rules. Built once per
    process (restoring the last checkpoint and replaying the events stored after it) and rebuilt,
    keeping its windows, when the rules change."""
    stamp = repr(
        CorrelationRule.objects.filter(enabled=True).aggregate(n=Count("id"), t=Max("updated_at"))
    )
    if _CORR.get("key") == stamp:
        return _CORR
    sets = []
    for rule in CorrelationRule.objects.filter(enabled=True).exclude(yaml=""):
        try:
            sets += [c for c in parse_correlation(rule.yaml) if c.code == rule.code]
        except RuleError as exc:
            logger.error("correlation rule %s no longer parses: %s", rule.code, exc)
    base, index = [], []
    for cset in sets:
        for name, parsed in cset.base.items():
            base.append(parsed)
            index.append((cset.code, name))
    engine = SigmaEngine(base)
    correlator = Correlator(sets)
    first = "correlator" not in _CORR
    if first:
        checkpoint = CorrelationCheckpoint.objects.filter(key=CHECKPOINT_KEY).first()
        last_id = 0
        if checkpoint is not None:
            correlator.restore(checkpoint.state)
            last_id = checkpoint.last_event_id
        _CORR.update(key=stamp, engine=engine, index=index, correlator=correlator)
        _CORR.update(last_id=last_id, saved=time.monotonic())
        _replay_after(last_id, before_id)
    else:
        correlator.restore(_CORR["correlator"].snapshot())
        _CORR.update(key=stamp, engine=engine, index=index, correlator=correlator)
    return _CORR


def _replay_after(last_id: int, before_id: int | None) -> None:
    """Windows after a restart: the events stored after the last checkpoint (within the longest
    window) go through the correlator again, for state only (their alerts were raised before)."""
    correlator: Correlator = _CORR["correlator"]
    spans = [s.timespan for c in correlator.sets for s in c.specs]
    if not spans or not last_id:
        return
    since = timezone.now() - timedelta(seconds=max(spans))
    stored = SecurityEvent.objects.filter(pk__gt=last_id, time__gte=since)
    if before_id is not None:  # the batch being detected is fed live, not replayed
        stored = stored.filter(pk__lt=before_id)
    rows = list(stored.order_by("time", "id")[:200_000])
    _feed(rows, fire=False)


def _feed(rows: list[SecurityEvent], *, fire: bool = True) -> list:
    state = _CORR
    engine: SigmaEngine = state["engine"]
    if not engine.rules:
        return []
    events = [event_as_dict(row) for row in rows]
    firings = []
    for position, index in engine.match_batch(events):
        row = rows[position]
        code, name = state["index"][index]
        firings += [
            (f, row)
            for f in state["correlator"].feed(
                code, name, events[position], row.time.timestamp(), [row.pk]
            )
        ]
        state["last_id"] = max(state.get("last_id", 0), row.pk)
    if rows:
        state["last_id"] = max(state.get("last_id", 0), max(row.pk for row in rows))
    return firings if fire else []


def correlation_checkpoint_save() -> None:
    """Save the windows (periodically from detection; also on shutdown)."""
    with _CORR_LOCK:
        if "correlator" not in _CORR:
            return
        CorrelationCheckpoint.objects.update_or_create(
            key=CHECKPOINT_KEY,
            defaults={
                "state": _CORR["correlator"].snapshot(),
                "last_event_id": _CORR.get("last_id", 0),
                "saved_at": timezone.now(),
            },
        )
        _CORR["saved"] = time.monotonic()


def correlation_forget() -> None:
    """Drop the in-memory windows (what a process restart does)."""
    with _CORR_LOCK:
        _CORR.clear()


_MESSAGES = {
    "event_count": gettext_noop("%(n)s matching events from %(g)s within %(s)s s"),
    "value_count": gettext_noop("%(n)s distinct values from %(g)s within %(s)s s"),
    "temporal": gettext_noop("the rules %(rules)s matched together for %(g)s within %(s)s s"),
    "temporal_ordered": gettext_noop(
        "the rules %(rules)s matched in order for %(g)s within %(s)s s"
    ),
}


def _correlate(rows: list[SecurityEvent]) -> list[Detection]:
    with _CORR_LOCK:
        _correlation_state(before_id=min(row.pk for row in rows))
        firings = _feed(rows)
        due = time.monotonic() - _CORR.get("saved", 0) >= CORRELATION_CHECKPOINT_SECONDS
    if due:
        correlation_checkpoint_save()
    detections = []
    by_id = {row.pk: row for row in rows}
    for firing, row in firings:
        spec = firing.spec
        evidence_rows = [by_id[i] for i in firing.evidence if i in by_id] or [row]
        detections.append(
            _fire(
                kind=DetectionKind.CORRELATION,
                code=firing.code,
                title=spec.title,
                level=spec.level,
                group=firing.group,
                events=evidence_rows,
                event_ids=firing.evidence,
                event_count=firing.count,
                dedup=f"security:corr:{firing.code}:{firing.group}",
                message=Text(
                    _MESSAGES[spec.kind],
                    n=firing.count,
                    g=firing.group,
                    s=int(spec.timespan),
                    rules=", ".join(spec.rules),
                ),
                extra={"correlation_type": spec.kind, "completing_event_id": firing.evidence[-1]},
            )
        )
    return detections
