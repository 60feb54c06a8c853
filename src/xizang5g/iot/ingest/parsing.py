"""Parsing and validation of one message body against the device's compiled thing model."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from xizang5g.iot.choices import EventType
from xizang5g.iot.directory import DeviceInfo
from xizang5g.iot.ingest.messages import Inbound, method_for
from xizang5g.iot.tsl import ValueRejected, check_value

# Device timestamps may run a little ahead of ours; beyond this the message is rejected.
MAX_FUTURE = timedelta(minutes=10)


class Rejected(Exception):
    def __init__(self, reason: str, msg_id: str = ""):
        super().__init__(reason)
        self.reason, self.msg_id = reason, msg_id


@dataclass
class Accepted:
    index: int
    info: DeviceInfo
    msg_id: str
    time: datetime
    readings: list[tuple[str, Any, Any]]  # (identifier, stored, numeric value or None)
    event: tuple[str, str, dict] | None = None  # (identifier, type, params)
    ack: bool = True  # Alink "sys": {"ack": 0}: the device wants no reply


def _ms_to_dt(value: Any, path: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Rejected(f"{path}: expected epoch milliseconds, got {value!r}")
    try:
        return datetime.fromtimestamp(value / 1000.0, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Rejected(f"{path}: {value!r} is not a valid time") from exc


def _is_timed(raw: dict, prop: dict) -> bool:
    """{"value": …, "time": …}: a value with its own time (a struct needs the time to tell)."""
    return (
        "value" in raw
        and set(raw) <= {"value", "time"}
        and (prop["dataType"]["type"] != "struct" or "time" in raw)
    )


def parse_message(message: Inbound, info: DeviceInfo, now: datetime) -> Accepted:
    body = message.payload
    if isinstance(body, bytes | bytearray | str):
        try:
            body = orjson.loads(body)
        except ValueError as exc:  # orjson's error is a JSONDecodeError (a ValueError)
            raise Rejected(f"body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Rejected("body must be a JSON object with id, version, params, method")
    raw_id = body.get("id")
    if raw_id is None or isinstance(raw_id, bool | dict | list) or str(raw_id) == "":
        raise Rejected("id: missing (a message id is required to recognise redeliveries)")
    msg_id = str(raw_id)[:64]
    expected = method_for(message.identifier)
    method = body.get("method", expected)
    if method != expected:
        raise Rejected(
            f"method: {method!r} does not match the topic (expected {expected!r})", msg_id
        )
    params = body.get("params")
    if not isinstance(params, dict):
        raise Rejected("params: must be an object", msg_id)
    options = body.get("sys")
    ack = not (isinstance(options, dict) and options.get("ack") == 0)
    when = _ms_to_dt(body["time"], "time") if "time" in body else now
    if when - now > MAX_FUTURE:
        raise Rejected(f"time: {when.isoformat()} is in the future", msg_id)
    model = info.model
    if message.identifier == "property":
        if not params:
            raise Rejected("params: no property values", msg_id)
        readings = []
        latest = when
        checkers = model.checkers
        for key, raw in params.items():
            check = checkers.get(key)
            if check is None:
                raise Rejected(
                    f"params.{key}: not a property of this product's thing model", msg_id
                )
            at = when
            if type(raw) is dict and _is_timed(raw, model.properties[key]):
                if "time" in raw:
                    at = _ms_to_dt(raw["time"], f"params.{key}.time")
                    if at - now > MAX_FUTURE:
                        raise Rejected(
                            f"params.{key}.time: {at.isoformat()} is in the future", msg_id
                        )
                    latest = max(latest, at)
                raw = raw["value"]
            try:
                readings.append((key, check(raw), at))
            except ValueRejected as exc:
                raise Rejected(str(exc), msg_id) from exc
        return Accepted(0, info, msg_id, latest, readings, ack=ack)
    event = model.events.get(message.identifier)
    if event is None:
        raise Rejected(f"event {message.identifier!r} is not in this product's thing model", msg_id)
    members = {m["identifier"]: m for m in event.get("outputData", [])}
    clean = {}
    for key, raw in (
        params.get("value", params) if set(params) <= {"value", "time"} else params
    ).items():
        if key not in members:
            raise Rejected(f"params.{key}: not an output of event {message.identifier!r}", msg_id)
        try:
            clean[key] = check_value(members[key]["dataType"], raw, f"params.{key}")
        except ValueRejected as exc:
            raise Rejected(str(exc), msg_id) from exc
    if "time" in params and set(params) <= {"value", "time"}:
        when = _ms_to_dt(params["time"], "params.time")
    if when - now > MAX_FUTURE:
        raise Rejected(f"time: {when.isoformat()} is in the future", msg_id)
    kind = event.get("type", EventType.INFO)
    return Accepted(0, info, msg_id, when, [], (message.identifier, kind, clean), ack=ack)
