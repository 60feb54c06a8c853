"""Messages in and out of ingest: an inbound message, its outcome (the Alink reply), topics."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from xizang5g.iot.choices import IngestChannel


@dataclass
class Inbound:
    product_key: str
    device_name: str
    identifier: str  # "property" for property posts, else the event identifier
    payload: Any  # bytes/str (JSON text) or an already parsed dict
    topic: str = ""
    channel: str = IngestChannel.MQTT
    client_ip: str = ""
    received_at: datetime | None = None


@dataclass
class Outcome:
    code: int
    msg_id: str = ""
    message: str = "success"
    method: str = ""
    duplicate: bool = False
    device_id: int | None = None
    ack: bool = True  # False: the device asked for no MQTT reply (Alink "sys": {"ack": 0})

    def reply_bytes(self) -> bytes:
        """reply() as JSON, formatted directly (one per MQTT message)."""
        return (
            f'{{"id":{encode_basestring(self.msg_id)},"code":{self.code},"data":{{}},'
            f'"message":{encode_basestring(self.message)},"method":{encode_basestring(self.method)},'
            f'"version":"1.0"}}'
        ).encode()

    def reply(self) -> dict:
        return {
            "id": self.msg_id,
            "code": self.code,
            "data": {},
            "message": self.message,
            "method": self.method,
            "version": "1.0",
        }


def parse_topic(topic: str) -> tuple[str, str, str] | None:
    """'/sys/{pk}/{dn}/thing/event/{identifier}/post' → (pk, dn, identifier)."""
    parts = topic.split("/")
    if (
        len(parts) == 8
        and parts[0] == ""
        and parts[1] == "sys"
        and parts[4:6] == ["thing", "event"]
        and parts[7] == "post"
    ):
        return parts[2], parts[3], parts[6]
    return None


def topic_for(product_key: str, device_name: str, identifier: str = "property") -> str:
    return f"/sys/{product_key}/{device_name}/thing/event/{identifier}/post"


def method_for(identifier: str) -> str:
    return f"thing.event.{identifier}.post"


def new_message_id() -> str:
    return uuid.uuid4().hex[:16]
