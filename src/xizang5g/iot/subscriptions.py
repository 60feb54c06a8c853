"""Apps reacting to telemetry: subscriptions to stored batches, and actions of device rules.

An app declares, in its AppConfig (core.registry), with the declarations of iot.hooks:

    iot_subscriptions = (
        Subscription("tourism.gates", "xizang5g.tourism.handlers.on_gate_counts",
                     capabilities=("gate_counter",)),
    )
    rule_actions = (RuleAction("tourism.crowd", "xizang5g.tourism.handlers.on_crowd_rule",
                               _("Crowd warning")),)

**Contract of a subscription.** The handler is called as ``handler(deliveries)`` with a list of
:class:`Delivery` — the messages of one stored batch from the products the subscription names (by
product key, or by a capability their thing model declares), readings and, if asked, events:

* *after storage*: inside the ingest worker, once the batch's transaction has committed, before
  the devices are acknowledged;
* *in order per device*: a device's messages arrive in the order they were stored;
* *at least once*: a message the broker redelivers (the worker stopped between storing and
  acknowledging it) is delivered again, with the same device and message id — handlers must be
  idempotent (e.g. keyed by ``(device_id, msg_id)``);
* *isolated*: a handler that raises does not stop ingest; its deliveries are kept in a backlog
  (``SubscriptionBacklog``), the device's later deliveries queue behind them so the order holds,
  and the ``iot_subscriptions_retry`` job tries again with back-off. After
  ``ALERT_AFTER_ATTEMPTS`` failures an alert (source "platform") names the subscriber; it resolves
  once its backlog is empty.

**Cost.** A handler runs on the ingest worker's database thread: what it spends per batch is
taken from ingest throughput. Keep handlers short (a few statements per batch); hand long work to
a background job. ``benchmarks/iot_ingest_bench.py --subscriber`` measures the overhead.

**Rule actions.** A device rule may name an action instead of raising a device-rule alert; when the
rule starts or stops firing for a device the action's handler is called as
``handler(firing: RuleFiring)`` (failures are logged and do not stop ingest), so an app raises its
own alerts with its own source.
"""

from __future__ import annotations

import logging
import threading
import time as _time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xizang5g.core import registry
from xizang5g.core.choices import AlertSeverity, AlertSource, AlertState
from xizang5g.core.models import Alert
from xizang5g.core.services import alert_raise, alert_resolve
from xizang5g.core.texts import Text
from xizang5g.iot.hooks import Delivery, RuleFiring, Subscription
from xizang5g.iot.models import Product, SubscriptionBacklog

logger = logging.getLogger(__name__)

ALERT_AFTER_ATTEMPTS = 3
MAX_BACKOFF_SECONDS = 3600
RETRY_BATCH = 500


# --- which subscriptions want which products (cached like the device directory) ------------------
class _Routes:
    def __init__(self, ttl: float = 30.0):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._by_product: dict[int, tuple[Subscription, ...]] = {}
        self._loaded = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._by_product, self._loaded = {}, 0.0

    def for_product(self, product_id: int) -> tuple[Subscription, ...]:
        if _time.monotonic() - self._loaded > self.ttl:
            self.invalidate()
            with self._lock:
                self._loaded = _time.monotonic()
        found = self._by_product.get(product_id)
        if found is None:
            subscriptions = registry.iot_subscriptions()
            row = Product.objects.filter(pk=product_id).values_list("product_key", "thing_model")
            key, model = row.first() or ("", {})
            capabilities = frozenset((model or {}).get("capabilities", []))
            found = tuple(s for s in subscriptions if s.matches(key, capabilities))
            with self._lock:
                self._by_product[product_id] = found
        return found


routes = _Routes()


class _Backlogged:
    """(subscription, device) pairs with deliveries waiting, reloaded every few seconds: their
    new deliveries queue behind the old ones instead of overtaking them."""

    def __init__(self, ttl: float = 5.0):
        self.ttl = ttl
        self._pairs: set[tuple[str, int]] = set()
        self._loaded = -1e9

    def pairs(self) -> set[tuple[str, int]]:
        if _time.monotonic() - self._loaded > self.ttl:
            self._pairs = set(
                SubscriptionBacklog.objects.values_list("subscription", "device_id").distinct()
            )
            self._loaded = _time.monotonic()
        return self._pairs

    def add(self, name: str, device_ids) -> None:
        self.pairs().update((name, device_id) for device_id in device_ids)


backlogged = _Backlogged()


# --- live delivery (in the ingest worker) ---------------------------------------------------------
def _value(stored) -> Any:
    if stored.json is not None:
        return stored.json
    return stored.text if stored.text else stored.value


def delivery_of(item) -> Delivery:
    """A stored message of ingest (its `_Accepted`) as a Delivery."""
    info = item.info
    return Delivery(
        device_id=info.id,
        device_name=info.name,
        product_key=info.product_key,
        unit_id=info.unit_id,
        msg_id=item.msg_id,
        time=item.time,
        values={prop: _value(stored) for prop, stored, _at in item.readings},
        event=item.event,
    )


def deliver(items, *, now: datetime | None = None) -> None:
    """Hand the stored messages `items` to the subscriptions that want them. Never raises."""
    if not items or not registry.iot_subscriptions():
        return
    wanted: dict[Subscription, list] = defaultdict(list)
    for item in items:
        for subscription in routes.for_product(item.info.product_id):
            if item.event is None or subscription.events:
                wanted[subscription].append(item)
    for subscription, chosen in wanted.items():
        _deliver_one(subscription, [delivery_of(i) for i in chosen], now or timezone.now())


def _deliver_one(subscription: Subscription, deliveries: list[Delivery], now: datetime) -> None:
    waiting = backlogged.pairs()
    live = [d for d in deliveries if (subscription.name, d.device_id) not in waiting]
    queued = [d for d in deliveries if (subscription.name, d.device_id) in waiting]
    if live:
        try:
            registry.resolve(subscription.handler)(live)
        except Exception as exc:
            logger.exception("subscriber %s failed on %d deliveries", subscription.name, len(live))
            queued = live + queued  # still in arrival order per device
            _enqueue(subscription.name, queued, now, error=exc)
            return
    if queued:
        _enqueue(subscription.name, queued, now)


def _enqueue(name: str, deliveries: list[Delivery], now: datetime, error=None) -> None:
    attempts = 1 if error is not None else 0
    SubscriptionBacklog.objects.bulk_create(
        [
            SubscriptionBacklog(
                subscription=name,
                device_id=d.device_id,
                msg_id=d.msg_id,
                delivery=d.to_json(),
                attempts=attempts,
                next_attempt_at=now + _backoff(attempts),
                last_error=_error_text(error),
            )
            for d in deliveries
        ]
    )
    backlogged.add(name, {d.device_id for d in deliveries})


def _backoff(attempts: int) -> timedelta:
    """Queued behind a failure: due at once; after n failures: 10 s, 20 s, … up to an hour."""
    if not attempts:
        return timedelta(0)
    return timedelta(seconds=min(5 * 2**attempts, MAX_BACKOFF_SECONDS))


def _error_text(error) -> str:
    return f"{type(error).__name__}: {error}"[:1000] if error is not None else ""


# --- retrying the backlog (a periodic job) --------------------------------------------------------
def backlog_retry(*, now: datetime | None = None) -> dict:
    """Deliver what is due in the backlog, oldest first per subscription and device; returns how
    many deliveries went through and how many still wait."""
    now = now or timezone.now()
    known = {s.name: s for s in registry.iot_subscriptions()}
    delivered = 0
    pairs = (
        SubscriptionBacklog.objects.filter(next_attempt_at__lte=now)
        .values_list("subscription", "device_id")
        .distinct()
    )
    for name, device_id in list(pairs):
        subscription = known.get(name)
        if subscription is None:
            continue  # its app is no longer installed: kept for an administrator to look at
        delivered += _retry_pair(subscription, device_id, now)
    for name in known:
        _alert_state(name)
    return {"delivered": delivered, "waiting": SubscriptionBacklog.objects.count()}


def _retry_pair(subscription: Subscription, device_id: int, now: datetime) -> int:
    rows = list(
        SubscriptionBacklog.objects.filter(
            subscription=subscription.name, device_id=device_id
        ).order_by("id")[:RETRY_BATCH]
    )
    if not rows or rows[0].next_attempt_at > now:
        return 0
    try:
        registry.resolve(subscription.handler)([Delivery.from_json(r.delivery) for r in rows])
    except Exception as exc:
        logger.warning("subscriber %s still failing: %s", subscription.name, exc)
        attempts = rows[0].attempts + 1
        SubscriptionBacklog.objects.filter(pk__in=[r.pk for r in rows]).update(
            attempts=attempts,
            next_attempt_at=now + _backoff(attempts),
            last_error=_error_text(exc),
        )
        return 0
    with transaction.atomic():
        SubscriptionBacklog.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def _alert_key(name: str) -> str:
    return f"iot-subscriber:{name}"


def _alert_state(name: str) -> None:
    """An alert while a subscriber keeps failing; resolved once its backlog is empty."""
    waiting = SubscriptionBacklog.objects.filter(subscription=name)
    worst = waiting.order_by("-attempts").first()
    if worst is not None and worst.attempts >= ALERT_AFTER_ATTEMPTS:
        alert_raise(
            source=AlertSource.PLATFORM,
            dedup_key=_alert_key(name),
            title=Text(gettext_noop("IoT subscriber %(name)s keeps failing"), name=name),
            severity=AlertSeverity.MAJOR,
            message=Text(
                gettext_noop("%(n)s deliveries wait; ingest goes on. Last error: %(error)s"),
                n=waiting.count(),
                error=worst.last_error,
            ),
            details={"subscription": name, "waiting": waiting.count()},
        )
    elif worst is None:
        live = Alert.objects.filter(dedup_key=_alert_key(name)).exclude(state=AlertState.RESOLVED)
        for alert in live:
            alert_resolve(alert=alert, note=_("The subscriber caught up."))


# --- rule actions --------------------------------------------------------------------------------
def rule_action_call(firing: RuleFiring) -> None:
    """Call the app's handler of a rule action. Never raises (a failing app is logged)."""
    action = registry.rule_actions().get(firing.action)
    if action is None:
        logger.error("rule %s names the unknown action %r", firing.rule_id, firing.action)
        return
    try:
        registry.resolve(action.handler)(firing)
    except Exception:
        logger.exception("rule action %s failed for rule %s", firing.action, firing.rule_id)


def rule_action_choices() -> list[tuple[str, Any]]:
    return [("", _("Raise a device-rule alert"))] + [
        (name, action.label or name) for name, action in registry.rule_actions().items()
    ]
