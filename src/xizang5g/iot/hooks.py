"""What an app declares to react to telemetry, and what its handlers receive. Only plain
declarations here (no models), so an AppConfig can import them; the machinery and the contract are
in iot.subscriptions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class Subscription:
    name: str  # unique, "<app>.<what>"
    handler: str  # dotted path of handler(deliveries: list[Delivery]) -> None
    product_keys: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    events: bool = False  # also deliver event posts (alert/info/error events)

    def matches(self, product_key: str, capabilities: frozenset[str]) -> bool:
        return product_key in self.product_keys or bool(capabilities & set(self.capabilities))


@dataclass(frozen=True)
class RuleAction:
    name: str  # unique, "<app>.<what>"; stored on the rule
    handler: str  # dotted path of handler(firing: RuleFiring) -> None
    label: Any = ""


@dataclass(frozen=True)
class Delivery:
    """One stored message, as a subscriber sees it."""

    device_id: int
    device_name: str
    product_key: str
    unit_id: int
    msg_id: str
    time: datetime
    values: dict[str, Any]  # property → value (numbers as float, text, structures as JSON)
    event: tuple[str, str, dict] | None = None  # (identifier, type, output data)

    def to_json(self) -> dict:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> Delivery:
        event = tuple(data["event"]) if data.get("event") else None
        return cls(**{**data, "time": parse_datetime(data["time"]), "event": event})


@dataclass(frozen=True)
class RuleFiring:
    rule_id: int
    rule_name: str
    action: str
    device_id: int
    device_name: str
    product_key: str
    unit_id: int
    firing: bool  # True: started firing; False: back to normal
    at: datetime
    message: str
    details: dict
