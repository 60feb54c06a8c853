"""The ingest pipeline shared by the MQTT worker and HTTP ingest.

`ingest_batch(messages)` takes a batch of inbound messages and, in one transaction:
resolves each device (cached directory), parses and validates the body against the thing model
(a bad message is rejected with its reason and counted on the device; the good ones around it are
kept), drops QoS 1 redeliveries by (device, message id) with a unique receipt, writes readings
(COPY on PostgreSQL), upserts latest values, marks the minutes it wrote into as due for their
rollups (`storage.rollups_refresh` computes them once the minute is over), stores events, updates
device status, and evaluates the rules (which raise or resolve alerts). It returns one Outcome
per message, in order, from which the caller answers (`…_reply` topic or HTTP body).

The MQTT worker runs it in two halves, `prepare_batch` (no transaction: everything up to the
statements' parameters) and `store_batch`, on two threads, so that Python prepares a batch while
PostgreSQL stores the one before. A database that cannot be reached raises DatabaseUnavailable:
nothing is stored, and nothing may be acknowledged.

Modules: `messages` (inbound messages, outcomes, topics), `parsing` (a body against the thing
model), `sql` (the statements, PostgreSQL and SQLite), `latest` (latest values held back by a
worker), `batch` (prepare and store), `status` (online/offline); the device directory is
`iot.directory`.
"""

from xizang5g.iot.directory import DeviceDirectory, DeviceInfo, directory
from xizang5g.iot.ingest.batch import Prepared, ingest_batch, prepare_batch, store_batch
from xizang5g.iot.ingest.latest import LatestBuffer
from xizang5g.iot.ingest.messages import (
    Inbound,
    Outcome,
    method_for,
    new_message_id,
    parse_topic,
    topic_for,
)
from xizang5g.iot.ingest.parsing import MAX_FUTURE, Rejected
from xizang5g.iot.ingest.sql import DatabaseUnavailable
from xizang5g.iot.ingest.status import mark_offline, status_post

__all__ = [
    "MAX_FUTURE",
    "DatabaseUnavailable",
    "DeviceDirectory",
    "DeviceInfo",
    "Inbound",
    "LatestBuffer",
    "Outcome",
    "Prepared",
    "Rejected",
    "directory",
    "ingest_batch",
    "mark_offline",
    "method_for",
    "new_message_id",
    "parse_topic",
    "prepare_batch",
    "status_post",
    "store_batch",
    "topic_for",
]
