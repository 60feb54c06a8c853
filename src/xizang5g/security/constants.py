"""Fixed numbers of the security app, each with where it comes from."""

from datetime import timedelta

from xizang5g.security.choices import IncidentLevel, IncidentState, SigmaLevel

# Incident handling deadlines by GB/T 20986 level. The standard defines the levels; the deadlines
# follow the 国家网络安全事件应急预案 (2017) practice of reporting I/II at once and closing faster
# the graver the event; adjust here when the regional plan fixes other numbers.
INCIDENT_DEADLINES = {
    IncidentLevel.EXTRAORDINARY: timedelta(hours=24),
    IncidentLevel.SERIOUS: timedelta(hours=72),
    IncidentLevel.RELATIVELY_SERIOUS: timedelta(days=7),
    IncidentLevel.GENERAL: timedelta(days=15),
}

# Incident state machine (new → triage → containment → recovery → review → closed).
# Closing is possible from every open state (false positive / duplicate found in triage).
INCIDENT_TRANSITIONS = {
    IncidentState.NEW: {IncidentState.TRIAGE, IncidentState.CLOSED},
    IncidentState.TRIAGE: {IncidentState.CONTAINMENT, IncidentState.CLOSED},
    IncidentState.CONTAINMENT: {IncidentState.RECOVERY, IncidentState.CLOSED},
    IncidentState.RECOVERY: {IncidentState.REVIEW, IncidentState.CLOSED},
    IncidentState.REVIEW: {IncidentState.CLOSED, IncidentState.RECOVERY},
    IncidentState.CLOSED: set(),
}

# Sigma rule level → alert-centre severity.
SIGMA_SEVERITY = {
    SigmaLevel.INFORMATIONAL: "info",
    SigmaLevel.LOW: "minor",
    SigmaLevel.MEDIUM: "major",
    SigmaLevel.HIGH: "critical",
    SigmaLevel.CRITICAL: "critical",
}

# Sigma log sources and field names: detection/pipelines.py.
# Fields of the normalised event a mapping may point at.
EVENT_FIELDS = (
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
    "message",
)

# Ingest limits.
SYSLOG_MAX_LINE = 64 * 1024  # RFC 5425 recommends receivers accept ≥ 2048 octets; we accept 64 KiB
BAD_LINE_KEEP_BYTES = 8 * 1024  # a kept bad line is truncated to this size (the length is recorded)
HTTP_BATCH_MAX = 5000  # events per HTTP JSON batch
EVIDENCE_MAX = 50  # event ids kept as evidence on one detection (the completing event always)
CORRELATION_CHECKPOINT_SECONDS = 10  # correlation windows saved at least this often

# Personal-information detection.
PI_MIN_FINDINGS_FOR_ALERT = 1
