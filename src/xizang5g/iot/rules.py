"""Device rules: threshold with hysteresis, range, rate of change, no data, events.

The engine keeps the enabled rules per product in memory (reloaded every few seconds or when a
rule changes) and the firing state per (rule, device) in RuleState, so a restarted worker knows
which alerts are live. A condition raises an alert in the alert centre with the de-duplication key
`iot:{rule}:{device}`; when it clears (past the hysteresis) the alert is resolved.
"""

import logging
import math
import threading
import time as _time
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from xizang5g.core.choices import AlertSource, AlertState
from xizang5g.core.models import Alert, Unit
from xizang5g.core.services import alert_raise, alert_resolve
from xizang5g.core.texts import Text
from xizang5g.iot import subscriptions
from xizang5g.iot.choices import Comparison, EventType, RuleKind
from xizang5g.iot.directory import directory
from xizang5g.iot.models import Device, DeviceStatus, Reading, Rule, RuleState

logger = logging.getLogger(__name__)


def dedup_key(rule_id: int, device_id: int) -> str:
    return f"iot:{rule_id}:{device_id}"


def threshold_state(rule, value: float, active: bool) -> bool:
    """Whether a threshold rule fires for `value`, given whether it is firing now (hysteresis)."""
    h = rule.hysteresis or 0
    if rule.comparison == Comparison.BELOW:
        return value < rule.threshold if not active else value < rule.threshold + h
    return value > rule.threshold if not active else value > rule.threshold - h


def range_state(rule, value: float, active: bool) -> bool:
    h = rule.hysteresis or 0
    if not active:
        return value < rule.low or value > rule.high
    return value < rule.low + h or value > rule.high - h


def _rule_message(rule, kind, prop: str, value: float, *, firing: bool, rate) -> Text:
    """What a threshold, range or rate rule saw, rendered in each reader's language."""
    numbers = {"prop": prop, "value": f"{value:g}"}
    if kind == RuleKind.THRESHOLD:
        numbers |= {"threshold": f"{rule.threshold:g}", "band": f"{rule.hysteresis or 0:g}"}
        if not firing:
            source = gettext_noop("%(prop)s = %(value)s: back within %(threshold)s ± %(band)s")
        elif rule.comparison == Comparison.BELOW:
            source = gettext_noop("%(prop)s = %(value)s (below %(threshold)s)")
        else:
            source = gettext_noop("%(prop)s = %(value)s (above %(threshold)s)")
    elif kind == RuleKind.RANGE:
        numbers |= {"low": f"{rule.low:g}", "high": f"{rule.high:g}"}
        source = (
            gettext_noop("%(prop)s = %(value)s outside [%(low)s, %(high)s]")
            if firing
            else gettext_noop("%(prop)s = %(value)s: back inside [%(low)s, %(high)s]")
        )
    else:
        numbers |= {"rate": f"{rate:.3g}", "limit": f"{rule.rate_per_minute:g}"}
        source = gettext_noop("%(prop)s changes %(rate)s/min (limit %(limit)s/min)")
    return Text(source, **numbers)


class RuleEngine:
    def __init__(self, ttl: float = 10.0):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self._by_product: dict[int, list] = {}
        self._active: set[tuple[int, int]] | None = None
        self._last: dict[tuple[int, str], tuple[datetime, float]] = {}
        self._plans: dict[int, _ProductRules] = {}

    def invalidate(self) -> None:
        self._loaded_at = -1e9
        self._active = None

    # --- loading --------------------------------------------------------------------------
    def _rules(self, product_id: int) -> list:
        now = _time.monotonic()
        if now - self._loaded_at > self.ttl:
            by_product: dict[int, list] = {}
            for rule in Rule.objects.filter(enabled=True).select_related("product"):
                by_product.setdefault(rule.product_id, []).append(rule)
            with self._lock:
                self._by_product, self._loaded_at = by_product, now
        return self._by_product.get(product_id, [])

    def _active_set(self) -> set[tuple[int, int]]:
        if self._active is None:
            self._active = set(
                RuleState.objects.filter(active=True).values_list("rule_id", "device_id")
            )
        return self._active

    # --- transitions ------------------------------------------------------------------------
    def _set(
        self, rule, device, firing: bool, *, at: datetime, message: Text, details: dict
    ) -> None:
        key = (rule.pk, device.id)
        active = self._active_set()
        if firing == (key in active):
            return
        # One statement (an upsert) rather than update_or_create's four.
        RuleState.objects.bulk_create(
            [RuleState(rule_id=rule.pk, device_id=device.id, active=firing, since=at)],
            update_conflicts=True,
            unique_fields=["rule", "device"],
            update_fields=["active", "since"],
        )
        if firing:
            active.add(key)
        else:
            active.discard(key)
        if rule.action:  # an app's action instead of a device-rule alert
            subscriptions.rule_action_call(
                subscriptions.RuleFiring(
                    rule_id=rule.pk,
                    rule_name=rule.name,
                    action=rule.action,
                    device_id=device.id,
                    device_name=device.name,
                    product_key=device.product_key,
                    unit_id=device.unit_id,
                    firing=firing,
                    at=at,
                    message=str(message),
                    details=details,
                )
            )
        elif firing:
            self._raise(rule, device, at=at, message=message, details=details)
        else:
            self._resolve(rule, device, note=str(message))

    def _raise(self, rule, device, *, at: datetime, message: Text, details: dict) -> None:
        alert_raise(
            source=AlertSource.DEVICE_RULE,
            dedup_key=dedup_key(rule.pk, device.id),
            title=f"{device}: {rule.name}",
            severity=rule.severity,
            message=message,
            rule=rule.name,
            unit=Unit(pk=device.unit_id),
            obj=Device(pk=device.id),
            details={
                "rule_id": rule.pk,
                "device_id": device.id,
                "product_key": device.product_key,
                "device_name": device.name,
                **details,
            },
        )

    def _resolve(self, rule, device, *, note: str) -> None:
        live = (
            Alert.objects.filter(dedup_key=dedup_key(rule.pk, device.id))
            .exclude(state=AlertState.RESOLVED)
            .first()
        )
        if live is not None:
            alert_resolve(alert=live, note=note)

    # --- evaluation -----------------------------------------------------------------------------
    def _plan(self, product_id: int) -> "_ProductRules | None":
        rules = self._rules(product_id)
        if not rules:
            return None
        plan = self._plans.get(product_id)
        if plan is None or plan.rules is not rules:
            plan = self._plans[product_id] = _ProductRules(rules)
        return plan

    def on_batch(self, items, *, now: datetime) -> None:
        """Evaluate the rules for freshly stored messages (called inside the ingest transaction).

        Rules are indexed by property, and a value inside the band where none of its property's
        threshold and range rules fires costs two comparisons when the device has no rule firing
        (else one comparison per rule); text (messages, details) is only built when a rule
        changes state.
        """
        active = self._active_set()
        active_devices = {device_id for _, device_id in active}
        for item in sorted(items, key=lambda i: i.time):
            plan = self._plan(item.info.product_id)
            if plan is None:
                continue
            device = item.info
            try:
                for rule in plan.no_data:
                    if (rule.pk, device.id) in active and rule.device_id in (None, device.id):
                        self._set(
                            rule,
                            device,
                            False,
                            at=now,
                            message=Text(gettext_noop("data received again")),
                            details={},
                        )
                if item.event is not None:
                    for rule in plan.event:
                        if rule.device_id in (None, device.id):
                            self._evaluate(rule, device, item, now=now)
                device_id = device.id
                for prop, stored, at in item.readings:
                    value = stored.value
                    if value is None:
                        continue
                    for rule in plan.rate.get(prop, ()):
                        if rule.device_id in (None, device_id):
                            is_active = (rule.pk, device_id) in active
                            self._check(rule, device, prop, value, at, is_active)
                    quiet = plan.quiet.get(prop)
                    if quiet is None or (
                        device_id not in active_devices and quiet[0] <= value <= quiet[1]
                    ):
                        continue
                    for rule, pk, only_device, fires in plan.by_property[prop]:
                        if only_device is not None and only_device != device_id:
                            continue
                        is_active = (pk, device_id) in active
                        # One comparison, and more only on a change.
                        if fires(value, is_active) != is_active:
                            self._check(rule, device, prop, value, at, is_active)
                            active_devices.add(device_id)
            except Exception:  # a broken rule must not stop ingest
                logger.exception("rules failed for device %s", device.id)

    def _check(self, rule, device, prop: str, value: float, at: datetime, active: bool) -> None:
        kind = rule.kind
        rate = None
        if kind == RuleKind.THRESHOLD:
            firing = threshold_state(rule, value, active)
        elif kind == RuleKind.RANGE:
            firing = range_state(rule, value, active)
        else:  # rate of change
            previous = self._previous(device.id, prop, before=at)
            self._last[(device.id, prop)] = (at, value)
            if previous is None or at <= previous[0]:
                return
            rate = abs(value - previous[1]) * 60.0 / (at - previous[0]).total_seconds()
            limit = rule.rate_per_minute
            firing = rate > limit if not active else rate > max(limit - (rule.hysteresis or 0), 0)
        if firing == active:
            return
        details = {"property": prop, "value": value, "time": at.isoformat()}
        message = _rule_message(rule, kind, prop, value, firing=firing, rate=rate)
        if kind == RuleKind.RATE:
            details["rate_per_minute"] = rate
        self._set(rule, device, firing, at=at, message=message, details=details)

    def _evaluate(self, rule, device, item, *, now: datetime) -> None:
        """Event rules (one-shot: an alert per event, repeats counted while it is live)."""
        identifier, event_type, params = item.event
        if rule.event_identifier and rule.event_identifier != identifier:
            return
        if not rule.event_identifier and event_type == EventType.INFO:
            return
        self._raise(
            rule,
            device,
            at=item.time,
            message=Text(
                gettext_noop("event %(event)s: %(params)s"), event=identifier, params=params
            ),
            details={"event": identifier, "params": params, "time": item.time.isoformat()},
        )

    def _previous(
        self, device_id: int, prop: str, *, before: datetime
    ) -> tuple[datetime, float] | None:
        """The value before this one: remembered, or (first time after a start) the newest stored
        reading older than it (this batch's readings are already written)."""
        key = (device_id, prop)
        if key not in self._last:
            row = (
                Reading.objects.filter(
                    device_id=device_id, property=prop, value__isnull=False, time__lt=before
                )
                .order_by("-time")
                .values_list("time", "value")
                .first()
            )
            if row is None:
                return None
            self._last[key] = row
        return self._last[key]

    def check_no_data(self, *, now: datetime | None = None) -> int:
        """Raise 'no data for N minutes' alerts (run periodically by the worker or a command)."""
        now = now or timezone.now()
        raised = 0
        rules = Rule.objects.filter(enabled=True, kind=RuleKind.NO_DATA).select_related("product")
        for rule in rules:
            cutoff = now - timedelta(minutes=rule.minutes or 0)
            stale = DeviceStatus.objects.filter(
                device__product_id=rule.product_id,
                device__enabled=True,
                last_seen__isnull=False,
                last_seen__lt=cutoff,
            ).select_related("device")
            if rule.device_id:
                stale = stale.filter(device_id=rule.device_id)
            for status in stale:
                info = directory.get(rule.product.product_key, status.device.name)
                if info is None or (rule.pk, info.id) in self._active_set():
                    continue
                self._set(
                    rule,
                    info,
                    True,
                    at=now,
                    message=Text(
                        gettext_noop("no data for %(minutes)s minutes (last %(last)s)"),
                        minutes=rule.minutes,
                        last=f"{timezone.localtime(status.last_seen):%Y-%m-%d %H:%M:%S}",
                    ),
                    details={"last_seen": status.last_seen.isoformat()},
                )
                raised += 1
        return raised


class _ProductRules:
    """A product's enabled rules, grouped the way evaluation needs them: threshold and range
    rules by property, with the band of values where none of them fires (`quiet`); rate rules
    (which need every value) by property; no-data and event rules."""

    def __init__(self, rules: list):
        self.rules = rules
        self.by_property: dict[str, list] = {}
        self.quiet: dict[str, tuple[float, float]] = {}
        self.rate: dict[str, list] = {}
        self.no_data, self.event = [], []
        for rule in rules:
            if rule.kind == RuleKind.NO_DATA:
                self.no_data.append(rule)
            elif rule.kind == RuleKind.EVENT:
                self.event.append(rule)
            elif rule.kind == RuleKind.RATE:
                self.rate.setdefault(rule.property, []).append(rule)
            else:
                self.by_property.setdefault(rule.property, []).append(
                    (rule, rule.pk, rule.device_id, _comparator(rule))
                )
                low, high = self.quiet.get(rule.property, (-math.inf, math.inf))
                self.quiet[rule.property] = _quiet_band(rule, low, high)


def _quiet_band(rule, low: float, high: float) -> tuple[float, float]:
    """Narrow [low, high] to the values where this threshold or range rule does not fire."""
    if rule.kind == RuleKind.RANGE:
        return max(low, rule.low), min(high, rule.high)
    if rule.comparison == Comparison.BELOW:
        return max(low, rule.threshold), high
    return low, min(high, rule.threshold)


def _comparator(rule):
    """fires(value, active) for threshold and range rules (the hysteresis applies while active);
    None for rules that need more than the value (rate of change)."""
    h = rule.hysteresis or 0
    if rule.kind == RuleKind.THRESHOLD:
        t = rule.threshold
        if rule.comparison == Comparison.BELOW:
            return lambda v, a: v < (t + h if a else t)
        return lambda v, a: v > (t - h if a else t)
    if rule.kind == RuleKind.RANGE:
        low, high = rule.low, rule.high
        return lambda v, a: (v < low + h or v > high - h) if a else (v < low or v > high)
    return None


engine = RuleEngine()
