"""Writes of the security app, one module per sub-domain: information systems, log sources, event
ingest, detection, rules, incidents, inspections and crypto assessments, deadlines. Callers write
`services.incident_create(...)`."""

from xizang5g.security.services.deadlines import (
    deadlines_check,
)
from xizang5g.security.services.detection import (
    detect,
    event_as_dict,
    logger,
    sigma_engine,
)
from xizang5g.security.services.events import (
    IngestResult,
    bad_line_record,
    events_ingest,
    events_partitions_ensure,
    http_batch_ingest,
    platform_event_record,
    syslog_ingest,
)
from xizang5g.security.services.incidents import (
    INCIDENT_SEQUENCE,
    incident_can_act,
    incident_create,
    incident_create_from_alert,
    incident_note_add,
    incident_transition,
)
from xizang5g.security.services.inspections import (
    crypto_assessment_create,
    finding_create,
    finding_rectify,
    inspection_complete,
    inspection_create,
)
from xizang5g.security.services.permissions import (
    can_operate,
    require_operator,
)
from xizang5g.security.services.rules import (
    RULES_DIR,
    correlation_rules_sync,
    rule_tuning_set,
    sigma_rule_create,
    sigma_rule_set_enabled,
    sigma_rule_validate,
    sigma_rules_import,
    sigma_rules_sync,
)
from xizang5g.security.services.sources import (
    log_source_create,
    log_source_for_token,
    syslog_source_map,
)
from xizang5g.security.services.systems import (
    SYSTEM_FIELDS,
    system_create,
    system_update,
)

__all__ = [
    "INCIDENT_SEQUENCE",
    "RULES_DIR",
    "SYSTEM_FIELDS",
    "IngestResult",
    "bad_line_record",
    "can_operate",
    "correlation_rules_sync",
    "crypto_assessment_create",
    "deadlines_check",
    "detect",
    "event_as_dict",
    "events_ingest",
    "events_partitions_ensure",
    "finding_create",
    "finding_rectify",
    "http_batch_ingest",
    "incident_can_act",
    "incident_create",
    "incident_create_from_alert",
    "incident_note_add",
    "incident_transition",
    "inspection_complete",
    "inspection_create",
    "log_source_create",
    "log_source_for_token",
    "logger",
    "platform_event_record",
    "require_operator",
    "rule_tuning_set",
    "sigma_engine",
    "sigma_rule_create",
    "sigma_rule_set_enabled",
    "sigma_rule_validate",
    "sigma_rules_import",
    "sigma_rules_sync",
    "syslog_ingest",
    "syslog_source_map",
    "system_create",
    "system_update",
]
