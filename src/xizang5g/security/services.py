"""Writes of the security app: assets, sources, ingest with detection, rules, incidents,
inspections and crypto assessments."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import AlertSource
from xizang5g.core.crypto import key_ring, sm3_hex, sm3_hmac
from xizang5g.core.models import Alert, Unit
from xizang5g.core.sequences import sequence_next
from xizang5g.core.services import alert_raise
from xizang5g.security import ingest
from xizang5g.security.choices import (
    ClosingReason,
    CorrelationKind,
    DetectionKind,
    FindingState,
    IncidentCategory,
    IncidentLevel,
    IncidentState,
    InspectionState,
    PiKind,
    RuleOrigin,
    SourceKind,
    TimelineKind,
)
from xizang5g.security.constants import (
    BAD_LINE_KEEP_BYTES,
    EVIDENCE_MAX,
    HTTP_BATCH_MAX,
    INCIDENT_DEADLINES,
    INCIDENT_TRANSITIONS,
    SIGMA_SEVERITY,
)
from xizang5g.security.detection import pii
from xizang5g.security.detection.sigma import RuleError, SigmaEngine, compile_check, parse_rule
from xizang5g.security.models import (
    BadLine,
    CorrelationRule,
    CryptoAssessment,
    Detection,
    FieldMapping,
    Incident,
    IncidentAction,
    InformationSystem,
    Inspection,
    InspectionFinding,
    LogSource,
    PiFinding,
    SecurityEvent,
    SigmaRule,
)

logger = logging.getLogger(__name__)
RULES_DIR = Path(__file__).resolve().parent / "rules"


# --- permissions ------------------------------------------------------------------------------
def can_operate(user) -> bool:
    """Security operators and the plan office run detection, rules, sources and incidents."""
    return access.sees_all(user, Incident, access.CHANGE)


def require_operator(user) -> None:
    if not can_operate(user):
        raise PermissionDenied(_("Only security operators may do this."))


# --- information systems ----------------------------------------------------------------------
SYSTEM_FIELDS = (
    "name",
    "mlps_level",
    "filing_status",
    "filing_number",
    "security_planned",
    "security_built",
    "security_operated",
    "holds_personal_data",
    "holds_important_data",
    "description",
    "is_demo",
)


def system_create(*, code: str, owner_unit: Unit, user, pilots=(), **values) -> InformationSystem:
    if not access.can_create(user, InformationSystem, owner_unit=owner_unit):
        raise PermissionDenied(_("You may only change security data of your own unit."))
    unknown = set(values) - set(SYSTEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown information-system fields: {', '.join(sorted(unknown))}")
    system = InformationSystem(code=code, owner_unit=owner_unit, **values)
    system.full_clean()
    with acting_as(user), transaction.atomic():
        system.save()
        if pilots:
            system.pilots.set(pilots)
    return system


def system_update(*, system: InformationSystem, user, **values) -> InformationSystem:
    access.require(user, access.CHANGE, system)
    for key, value in values.items():
        if key not in SYSTEM_FIELDS:
            raise ValueError(f"unknown information-system field {key!r}")
        setattr(system, key, value)
    system.full_clean()
    with acting_as(user):
        system.save()
    return system


# --- log sources ------------------------------------------------------------------------------
def log_source_create(
    *,
    code: str,
    name: str,
    kind: str,
    category: str,
    user,
    system: InformationSystem | None = None,
    hosts: list[str] | None = None,
    scan_personal_info: bool = False,
) -> tuple[LogSource, str]:
    """Create a source; for HTTP sources return the raw token (shown once, stored as SM3)."""
    require_operator(user)
    raw = ""
    source = LogSource(
        code=code,
        name=name,
        kind=kind,
        category=category,
        system=system,
        hosts=hosts or [],
        scan_personal_info=scan_personal_info,
    )
    if kind == SourceKind.HTTP:
        raw = "xzsec_" + secrets.token_urlsafe(32)
        source.token_prefix = raw[6:14]
        source.token_hash = sm3_hex(raw)
    source.full_clean()
    with acting_as(user):
        source.save()
    return source, raw


def log_source_for_token(raw: str) -> LogSource | None:
    if not raw or not raw.startswith("xzsec_"):
        return None
    return LogSource.objects.filter(
        token_hash=sm3_hex(raw), is_active=True, kind=SourceKind.HTTP
    ).first()


def _syslog_sources() -> dict[str, LogSource]:
    """Host name / address → syslog source (cached until the sources change)."""
    stamp = repr(
        LogSource.objects.filter(kind=SourceKind.SYSLOG).aggregate(
            n=Count("id"), t=Max("updated_at")
        )
    )
    cache = _SOURCE_CACHE
    if cache.get("stamp") != stamp:
        mapping = {}
        for source in LogSource.objects.filter(kind=SourceKind.SYSLOG, is_active=True):
            for name in source.hosts or []:
                mapping[str(name).lower()] = source
        cache.update(mapping=mapping, stamp=stamp)
    return cache["mapping"]


_SOURCE_CACHE: dict = {}


# --- ingest -------------------------------------------------------------------------------------
@dataclass
class IngestResult:
    stored: int = 0
    bad: int = 0
    detections: list[Detection] = field(default_factory=list)
    bad_reasons: list[str] = field(default_factory=list)

    def merge(self, other: IngestResult) -> None:
        self.stored += other.stored
        self.bad += other.bad
        self.detections.extend(other.detections)
        self.bad_reasons.extend(other.bad_reasons)


def bad_line_record(
    *, transport: str, reason: str, data: bytes | str, peer: str = "", source=None
) -> BadLine:
    blob = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    return BadLine.objects.create(
        received_at=timezone.now(),
        source=source,
        transport=transport,
        peer=peer[:100],
        reason=reason[:200],
        length=len(blob),
        raw=blob[:BAD_LINE_KEEP_BYTES].decode("utf-8", "backslashreplace").replace("\x00", "\\x00"),
    )


def syslog_ingest(*, lines: list[bytes], peer: str = "", transport: str = "udp") -> IngestResult:
    """Parse syslog lines; good ones are stored and run through detection, bad ones kept."""
    result = IngestResult()
    now = datetime.now(UTC)
    events: list[dict] = []
    bad: list[BadLine] = []
    peer_ip = peer.rsplit(":", 1)[0] if peer else ""
    sources = _syslog_sources()
    for line in lines:
        try:
            event = ingest.parse_syslog(line, now=now)
        except ingest.BadInput as exc:
            blob = line[:BAD_LINE_KEEP_BYTES]
            bad.append(
                BadLine(
                    received_at=timezone.now(),
                    transport=transport,
                    peer=peer[:100],
                    reason=str(exc)[:200],
                    length=len(line),
                    raw=blob.decode("utf-8", "backslashreplace").replace("\x00", "\\x00"),
                )
            )
            result.bad_reasons.append(str(exc))
            continue
        source = sources.get((event.get("host") or "").lower()) or sources.get(peer_ip)
        ingest.enrich(event, fallback=source.category if source else None)
        event["_source"] = source
        events.append(event)
    if bad:
        BadLine.objects.bulk_create(bad)
        result.bad = len(bad)
    if events:
        result.merge(events_ingest(events=events))
    return result


def http_batch_ingest(*, source: LogSource, items) -> IngestResult:
    if not isinstance(items, list):
        raise ValueError("the body must be a JSON array of event objects")
    if len(items) > HTTP_BATCH_MAX:
        raise ValueError(
            f"a batch holds at most {HTTP_BATCH_MAX} events, this one has {len(items)}"
        )
    import json

    result = IngestResult()
    events = []
    bad = []
    for position, item in enumerate(items):
        try:
            event = ingest.normalise_json_item(item)
        except ingest.BadInput as exc:
            reason = f"item {position}: {exc}"
            bad.append(
                BadLine(
                    received_at=timezone.now(),
                    source=source,
                    transport="http",
                    reason=reason[:200],
                    length=len(json.dumps(item, ensure_ascii=False, default=str).encode()),
                    raw=json.dumps(item, ensure_ascii=False, default=str)[:BAD_LINE_KEEP_BYTES],
                )
            )
            result.bad_reasons.append(reason)
            continue
        ingest.enrich(event, category=event.pop("category", None) or source.category)
        event["_source"] = source
        events.append(event)
    if bad:
        BadLine.objects.bulk_create(bad)
        result.bad = len(bad)
    if events:
        result.merge(events_ingest(events=events))
    return result


def platform_event_record(
    *,
    action: str,
    outcome: str,
    message: str,
    user: str = "",
    src_ip: str = "",
    program: str = "xizang5g",
    extra: dict | None = None,
    time: datetime | None = None,
) -> IngestResult:
    """Record one of the platform's own events (login, denial, device authentication failure …)."""
    event = {
        "time": time or timezone.now(),
        "category": "platform",
        "source_system": "xizang5g",
        "host": "xizang5g",
        "program": program,
        "user": user[:150],
        "src_ip": ingest.ip_or_blank(src_ip),
        "action": action,
        "outcome": outcome,
        "message": message,
        "extra": extra or {},
    }
    return events_ingest(events=[event])


_EVENT_COLUMNS = (
    "time",
    "source_system",
    "category",
    "host",
    "program",
    "user",
    "src_ip",
    "dst_ip",
    "dst_port",
    "action",
    "outcome",
    "severity",
    "message",
    "raw",
    "extra",
)


def events_ingest(*, events: list[dict], source: LogSource | None = None) -> IngestResult:
    """Store normalised events and run the detection stage over them."""
    received = timezone.now()
    rows = []
    for event in events:
        src = event.pop("_source", None) or source
        row = SecurityEvent(
            received_at=received, source=src, system_id=src.system_id if src else None
        )
        for column in _EVENT_COLUMNS:
            value = event.get(column)
            if value is None and column not in ("dst_port", "severity"):
                value = {} if column == "extra" else ""
            setattr(row, column, value)
        if not row.category:
            row.category = src.category if src else "application"
        if src and not row.source_system:
            row.source_system = src.name[:100]
        rows.append(row)
    with transaction.atomic():
        SecurityEvent.objects.bulk_create(rows, batch_size=500)
    if rows and rows[0].pk is None:  # database without RETURNING on bulk insert
        raise RuntimeError("the database did not return event ids")
    detections = detect(rows)
    return IngestResult(stored=len(rows), detections=detections)


# --- detection ----------------------------------------------------------------------------------
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


# --- rules ----------------------------------------------------------------------------------------
def _rule_fields(parsed, text: str) -> dict:
    return {
        "title": parsed.title[:255],
        "level": parsed.level,
        "status": parsed.status,
        "logsource": parsed.logsource[:200],
        "tags": parsed.tags,
        "description": parsed.description,
        "yaml": text,
    }


def sigma_rule_validate(*, text: str):
    """Parse, validate and compile-check a rule; raises ValidationError listing the problems."""
    try:
        parsed = parse_rule(text)
        compile_check(parsed, dict(FieldMapping.objects.values_list("sigma_field", "event_field")))
    except RuleError as exc:
        raise ValidationError({"yaml": exc.problems}) from exc
    return parsed


def sigma_rule_create(*, text: str, user, enabled: bool = True) -> SigmaRule:
    require_operator(user)
    parsed = sigma_rule_validate(text=text)
    if SigmaRule.objects.filter(rule_id=parsed.rule_id).exists():
        raise ValidationError(
            {"yaml": [_("A rule with id %(id)s exists already.") % {"id": parsed.rule_id}]}
        )
    rule = SigmaRule(
        rule_id=parsed.rule_id,
        origin=RuleOrigin.CUSTOM,
        enabled=enabled,
        **_rule_fields(parsed, text),
    )
    rule.full_clean()
    with acting_as(user):
        rule.save()
    return rule


def sigma_rule_set_enabled(*, rule: SigmaRule, enabled: bool, user) -> SigmaRule:
    require_operator(user)
    rule.enabled = enabled
    with acting_as(user):
        rule.save()
    return rule


def sigma_rules_sync(*, directory: Path = RULES_DIR, user=None) -> int:
    """Load (idempotently) the shipped rule set from the app's rules/ directory."""
    count = 0
    with acting_as(user), transaction.atomic():
        for path in sorted(directory.glob("*.yml")):
            if path.name == "correlation.yml":
                continue
            text = path.read_text(encoding="utf-8")
            try:
                parsed = parse_rule(text)
                compile_check(parsed)
            except RuleError as exc:
                raise ValidationError(f"shipped rule {path.name}: {exc}") from exc
            rule = SigmaRule.objects.filter(rule_id=parsed.rule_id).first() or SigmaRule(
                rule_id=parsed.rule_id, origin=RuleOrigin.SHIPPED
            )
            for key, value in _rule_fields(parsed, text).items():
                setattr(rule, key, value)
            rule.save()
            count += 1
        count += correlation_rules_sync(path=directory / "correlation.yml")
    return count


def correlation_rules_sync(*, path: Path) -> int:
    if not path.exists():
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for item in data:
        rule = CorrelationRule.objects.filter(code=item["code"]).first() or CorrelationRule(
            code=item["code"]
        )
        for key in (
            "title",
            "kind",
            "match",
            "then_match",
            "group_by",
            "threshold",
            "window_seconds",
            "level",
        ):
            if key in item:
                setattr(rule, key, item[key])
        rule.full_clean()
        rule.save()
    return len(data)


# --- incidents --------------------------------------------------------------------------------------
INCIDENT_SEQUENCE = "security.incident"


def _next_incident_code(now: datetime) -> str:
    """INC-<year>-NNNN from the year's shared counter (called inside the saving transaction)."""
    return f"INC-{now:%Y}-{sequence_next(INCIDENT_SEQUENCE, year=now.year):04d}"


def incident_create(
    *,
    title: str,
    category: str,
    level: str,
    responsible_unit: Unit,
    user,
    description: str = "",
    alerts=(),
    systems=(),
    opened_at: datetime | None = None,
    is_demo: bool = False,
) -> Incident:
    require_operator(user)
    now = opened_at or timezone.now()
    if level not in IncidentLevel.values:
        raise ValidationError({"level": _("Unknown incident level %(l)s.") % {"l": level}})
    with acting_as(user), transaction.atomic():
        incident = Incident(
            code=_next_incident_code(now),
            title=title,
            description=description,
            category=category,
            level=level,
            responsible_unit=responsible_unit,
            opened_at=now,
            deadline=now + INCIDENT_DEADLINES[IncidentLevel(level)],
            is_demo=is_demo,
        )
        incident.full_clean()
        incident.save()
        if alerts:
            incident.alerts.set(alerts)
        if systems:
            incident.systems.set(systems)
        IncidentAction.objects.create(
            incident=incident,
            time=now,
            user=user if getattr(user, "pk", None) else None,
            kind=TimelineKind.CREATED,
            to_state=IncidentState.NEW,
            note=_("Created from %(n)s alert(s).") % {"n": len(alerts)}
            if alerts
            else _("Created by hand."),
        )
    return incident


def incident_create_from_alert(
    *,
    alert: Alert,
    user,
    level: str = IncidentLevel.GENERAL,
    category: str | None = None,
    responsible_unit: Unit | None = None,
) -> Incident:
    require_operator(user)
    existing = alert.security_incidents.exclude(state=IncidentState.CLOSED).first()
    if existing is not None:
        raise ValidationError(
            _("Alert %(a)s is already handled in incident %(c)s.")
            % {"a": alert.pk, "c": existing.code}
        )
    unit = responsible_unit or alert.unit or getattr(user, "unit", None)
    if unit is None:
        raise ValidationError({"responsible_unit": _("Choose the responsible unit.")})
    detection = Detection.objects.filter(alert=alert).order_by("-time").first()
    kind = (alert.details or {}).get("kind")
    category = category or (
        IncidentCategory.INFO_DESTRUCTION
        if kind == DetectionKind.PI_LEAK
        else IncidentCategory.ATTACK
    )
    systems = [detection.system] if detection and detection.system_id else []
    return incident_create(
        title=alert.title,
        category=category,
        level=level,
        responsible_unit=unit,
        user=user,
        description=alert.message,
        alerts=[alert],
        systems=systems,
    )


def incident_can_act(user, incident: Incident) -> bool:
    """Security operators and the plan office, or an editor of the responsible unit."""
    return access.can(user, access.CHANGE, incident)


def incident_transition(
    *,
    incident: Incident,
    to_state: str,
    user,
    note: str = "",
    closing_reason: str = "",
) -> Incident:
    if not incident_can_act(user, incident):
        raise PermissionDenied(
            _("Only security operators or the responsible unit may handle this incident.")
        )
    allowed = INCIDENT_TRANSITIONS[IncidentState(incident.state)]
    if to_state not in allowed:
        raise ValidationError(
            {
                "state": _("An incident cannot go from %(a)s to %(b)s.")
                % {"a": incident.get_state_display(), "b": to_state}
            }
        )
    if to_state == IncidentState.CLOSED:
        if not access.can(user, access.APPROVE, incident):
            raise PermissionDenied(_("Security operators close incidents."))
        if closing_reason not in ClosingReason.values:
            raise ValidationError(
                {
                    "closing_reason": _(
                        "Closing needs a reason (true positive, false positive, duplicate …)."
                    )
                }
            )
        incident.closing_reason = closing_reason
        incident.closed_at = timezone.now()
    previous = incident.state
    incident.state = to_state
    incident.full_clean()
    with acting_as(user), transaction.atomic():
        incident.save()
        IncidentAction.objects.create(
            incident=incident,
            time=timezone.now(),
            user=user,
            kind=TimelineKind.TRANSITION,
            from_state=previous,
            to_state=to_state,
            note=note,
        )
        if to_state == IncidentState.CLOSED:
            from xizang5g.core.services import alert_resolve

            for alert in incident.alerts.all():
                alert_resolve(
                    alert=alert, user=None, note=_("Incident %(c)s closed.") % {"c": incident.code}
                )
    return incident


def incident_note_add(*, incident: Incident, user, note: str) -> IncidentAction:
    if not incident_can_act(user, incident):
        raise PermissionDenied(
            _("Only security operators or the responsible unit may handle this incident.")
        )
    if not note.strip():
        raise ValidationError({"note": _("Write a note.")})
    return IncidentAction.objects.create(
        incident=incident, time=timezone.now(), user=user, kind=TimelineKind.NOTE, note=note.strip()
    )


# --- inspections and crypto assessments ----------------------------------------------------------------
def inspection_create(
    *,
    system: InformationSystem,
    title: str,
    scheduled_for: date,
    user,
    inspector_unit: Unit | None = None,
) -> Inspection:
    require_operator(user)
    inspection = Inspection(
        system=system, title=title, scheduled_for=scheduled_for, inspector_unit=inspector_unit
    )
    inspection.full_clean()
    with acting_as(user):
        inspection.save()
    return inspection


def inspection_complete(
    *, inspection: Inspection, user, done_on: date, summary: str = ""
) -> Inspection:
    require_operator(user)
    inspection.state = InspectionState.DONE
    inspection.done_on = done_on
    inspection.summary = summary
    inspection.full_clean()
    with acting_as(user):
        inspection.save()
    return inspection


def finding_create(
    *,
    inspection: Inspection,
    title: str,
    severity: str,
    rectification_due: date,
    user,
) -> InspectionFinding:
    require_operator(user)
    finding = InspectionFinding(
        inspection=inspection, title=title, severity=severity, rectification_due=rectification_due
    )
    finding.full_clean()
    with acting_as(user):
        finding.save()
    return finding


def finding_rectify(*, finding: InspectionFinding, user, rectified_on: date) -> InspectionFinding:
    access.require(user, access.CHANGE, finding)
    finding.state = FindingState.RECTIFIED
    finding.rectified_on = rectified_on
    finding.full_clean()
    with acting_as(user):
        finding.save()
    return finding


def crypto_assessment_create(*, system: InformationSystem, user, **values) -> CryptoAssessment:
    require_operator(user)
    assessment = CryptoAssessment(system=system, **values)
    assessment.full_clean()
    with acting_as(user):
        assessment.save()
    return assessment


# --- deadlines ---------------------------------------------------------------------------------------
_LEVEL_SEVERITY = {"I": "critical", "II": "critical", "III": "major", "IV": "minor"}
_FINDING_SEVERITY = {"high": "major", "medium": "minor", "low": "info"}


def deadlines_check(*, now: datetime | None = None) -> int:
    """Raise alerts for open incidents past their deadline, open inspection findings past their
    rectification date and crypto assessments overdue; returns how many alerts were raised anew."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    raised = 0
    for incident in (
        Incident.objects.exclude(state=IncidentState.CLOSED)
        .filter(deadline__lt=now)
        .select_related("responsible_unit")
    ):
        _alert, created = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"security:incident-overdue:{incident.pk}",
            title=_("Incident %(c)s is past its deadline") % {"c": incident.code},
            severity=_LEVEL_SEVERITY.get(incident.level, "major"),
            rule="deadline:incident",
            message=_("Deadline %(d)s, state %(s)s.")
            % {
                "d": timezone.localtime(incident.deadline).strftime("%Y-%m-%d %H:%M"),
                "s": incident.get_state_display(),
            },
            unit=incident.responsible_unit,
            obj=incident,
            at=now,
        )
        raised += created
    for finding in InspectionFinding.objects.filter(
        state=FindingState.OPEN, rectification_due__lt=today
    ).select_related("inspection__system__owner_unit"):
        system = finding.inspection.system
        _alert, created = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"security:finding-overdue:{finding.pk}",
            title=_("Finding not rectified in time: %(t)s") % {"t": finding.title},
            severity=_FINDING_SEVERITY.get(finding.severity, "minor"),
            rule="deadline:finding",
            message=_("%(s)s, due %(d)s.")
            % {"s": system.name, "d": finding.rectification_due.isoformat()},
            unit=system.owner_unit,
            obj=finding,
            at=now,
        )
        raised += created
    for assessment in CryptoAssessment.objects.filter(next_due__lt=today).select_related(
        "system__owner_unit"
    ):
        if CryptoAssessment.objects.filter(
            system=assessment.system, assessed_on__gt=assessment.assessed_on
        ).exists():
            continue  # a later assessment exists
        _alert, created = alert_raise(
            source=AlertSource.SECURITY,
            dedup_key=f"security:crypto-overdue:{assessment.system_id}",
            title=_("Crypto assessment overdue: %(s)s") % {"s": assessment.system.name},
            severity="minor",
            rule="deadline:crypto_assessment",
            message=_("Next assessment was due %(d)s.") % {"d": assessment.next_due.isoformat()},
            unit=assessment.system.owner_unit,
            obj=assessment.system,
            at=now,
        )
        raised += created
    return raised
