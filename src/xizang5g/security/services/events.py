"""Event ingest: syslog lines, HTTP batches and the platform's own events are normalised,
stored and run through detection; lines that cannot be parsed are kept as bad lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from xizang5g.security import ingest, parsers, partitions
from xizang5g.security.constants import BAD_LINE_KEEP_BYTES, EVENT_FIELDS, HTTP_BATCH_MAX
from xizang5g.security.models import BadLine, Detection, LogSource, SecurityEvent
from xizang5g.security.services.detection import detect
from xizang5g.security.services.sources import syslog_source_map


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


def _bad_line(
    *, transport: str, reason: str, data: bytes | str, peer: str = "", source=None
) -> BadLine:
    """A bad line as kept: its length, and its first BAD_LINE_KEEP_BYTES as text."""
    blob = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    return BadLine(
        received_at=timezone.now(),
        source=source,
        transport=transport,
        peer=peer[:100],
        reason=reason[:200],
        length=len(blob),
        raw=blob[:BAD_LINE_KEEP_BYTES].decode("utf-8", "backslashreplace").replace("\x00", "\\x00"),
    )


def bad_line_record(
    *, transport: str, reason: str, data: bytes | str, peer: str = "", source=None
) -> BadLine:
    line = _bad_line(transport=transport, reason=reason, data=data, peer=peer, source=source)
    line.save()
    return line


def _store(result: IngestResult, bad: list[BadLine], events: list[dict]) -> IngestResult:
    """Keep the bad lines, store and detect over the good events."""
    if bad:
        BadLine.objects.bulk_create(bad)
        result.bad = len(bad)
    if events:
        result.merge(events_ingest(events=events))
    return result


def syslog_ingest(*, lines: list[bytes], peer: str = "", transport: str = "udp") -> IngestResult:
    """Parse syslog lines; good ones are stored and run through detection, bad ones kept."""
    result = IngestResult()
    now = datetime.now(UTC)
    events: list[dict] = []
    bad: list[BadLine] = []
    peer_ip = peer.rsplit(":", 1)[0] if peer else ""
    sources = syslog_source_map()
    for line in lines:
        try:
            event = ingest.parse_syslog(line, now=now)
            source = sources.get((event.get("host") or "").lower()) or sources.get(peer_ip)
            ingest.enrich(event, fallback=source.category if source else None)
        except ingest.BadInput as exc:
            bad.append(_bad_line(transport=transport, reason=str(exc), data=line, peer=peer))
            result.bad_reasons.append(str(exc))
            continue
        event["_source"] = source
        events.append(event)
    events.extend(parsers.assemble_audit(events))
    return _store(result, bad, events)


def http_batch_ingest(*, source: LogSource, items) -> IngestResult:
    if not isinstance(items, list):
        raise ValueError("the body must be a JSON array of event objects")
    if len(items) > HTTP_BATCH_MAX:
        raise ValueError(
            f"a batch holds at most {HTTP_BATCH_MAX} events, this one has {len(items)}"
        )
    result = IngestResult()
    events = []
    bad = []
    for position, item in enumerate(items):
        try:
            if parsers.is_zeek(item):
                item = parsers.zeek_item(item)
            event = ingest.normalise_json_item(item)
        except ingest.BadInput as exc:
            reason = f"item {position}: {exc}"
            text = json.dumps(item, ensure_ascii=False, default=str)
            bad.append(_bad_line(transport="http", reason=reason, data=text, source=source))
            result.bad_reasons.append(reason)
            continue
        try:
            ingest.enrich(event, category=event.pop("category", None) or source.category)
        except ingest.BadInput as exc:
            reason = f"item {position}: {exc}"
            text = json.dumps(item, ensure_ascii=False, default=str)
            bad.append(_bad_line(transport="http", reason=reason, data=text, source=source))
            result.bad_reasons.append(reason)
            continue
        event["_source"] = source
        events.append(event)
    events.extend(parsers.assemble_audit(events))
    return _store(result, bad, events)


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


_EVENT_COLUMNS = ("time", *EVENT_FIELDS, "severity", "raw", "extra")


def events_ingest(*, events: list[dict], source: LogSource | None = None) -> IngestResult:
    """Store normalised events and run the detection stage over them."""
    received = timezone.now()
    rows = []
    for event in events:
        src = event.pop("_source", None) or source
        values = {
            "id": None,
            "received_at": received,
            "source_id": src.pk if src else None,
            "system_id": src.system_id if src else None,
        }
        for column in _EVENT_COLUMNS:
            value = event.get(column)
            if value is None and column not in ("dst_port", "severity"):
                value = {} if column == "extra" else ""
            values[column] = value
        if not values["category"]:
            values["category"] = src.category if src else "application"
        if src and not values["source_system"]:
            values["source_system"] = src.name[:100]
        rows.append(_event_row(values))
    with transaction.atomic():
        if connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
            _copy_events(rows)
        else:
            SecurityEvent.objects.bulk_create(rows, batch_size=500)
    if rows and rows[0].pk is None:  # database without RETURNING on bulk insert
        raise RuntimeError("the database did not return event ids")
    detections = detect(rows)
    return IngestResult(stored=len(rows), detections=detections)


def _event_row(values: dict) -> SecurityEvent:
    """An unsaved SecurityEvent with every field set, without Model.__init__'s per-field work
    (about a tenth of the ingest time per event); the values are the normalised event's."""
    row = SecurityEvent.__new__(SecurityEvent)
    row._state = ModelState()
    row.__dict__.update(values)
    return row


# Batches at least this large go in with COPY on PostgreSQL (fewer round trips than INSERT).
COPY_MIN_ROWS = 100


def _copy_events(rows: list[SecurityEvent]) -> None:
    """Store a batch with PostgreSQL's COPY: ids reserved from the table's identity sequence in
    one query (detections keep them as evidence), then one COPY of every row."""
    table = SecurityEvent._meta.db_table
    fields = list(SecurityEvent._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row.extra, ensure_ascii=False, default=str)
                        if f.attname == "extra"
                        else getattr(row, f.attname)
                        for f in fields
                    ]
                )


def events_partitions_ensure(*, months_ahead: int = 2) -> list[str]:
    """Month partitions of the events table ahead of time (PostgreSQL); returns those created."""
    return partitions.event_partitions_ensure(months_ahead=months_ahead)
