"""Models of the IoT hub.

Configuration (products, devices, rules) is change-logged like every domain model. Telemetry and
runtime state (readings, rollups, latest values, receipts, rejected messages, device status, rule
state) is not: it is written in batches by the ingest worker and would drown the change log.
"""

import builtins
import hashlib
import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.choices import AlertSeverity
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.iot.choices import (
    Comparison,
    DeviceState,
    EventType,
    IngestChannel,
    Rollup,
    RuleKind,
)


def generate_product_key() -> str:
    # Alibaba-style product keys: 11 characters; no look-alike characters.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(11))


def hash_secret(raw: str) -> str:
    """Device secrets are 32 random bytes, so one SHA-256 is enough (and cheap per connection)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Product(ChangeLoggedModel):
    """产品: a kind of device with its thing model (物模型)."""

    product_key = models.CharField(
        _("product key"), max_length=32, unique=True, default=generate_product_key
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    industry = models.ForeignKey(
        "plan.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iot_products",
    )
    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iot_products",
    )
    thing_model = models.JSONField(_("thing model"), default=dict, blank=True)

    # A unit keeps its own products; products without a unit are the platform's catalogue, which
    # every user reads and binds devices to, and only the plan office changes.
    access = AccessRule(read=REGION_READERS, units=("unit",), shared=models.Q(unit__isnull=True))

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("iot:product_detail", args=[self.product_key])

    @property
    def properties(self) -> list[dict]:
        return list((self.thing_model or {}).get("properties", []))

    @property
    def capabilities(self) -> list[str]:
        return list((self.thing_model or {}).get("capabilities", []))

    @property
    def events(self) -> list[dict]:
        return list((self.thing_model or {}).get("events", []))

    @property
    def services(self) -> list[dict]:
        return list((self.thing_model or {}).get("services", []))


class Device(ChangeLoggedModel):
    """设备: one device of a product, in a pilot project, looked after by a unit."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(
        _("device name"),
        max_length=64,
        help_text=_("Unique within the product; the MQTT client identity."),
    )
    label = models.CharField(_("display name"), max_length=100, blank=True)
    # The pilot it serves (core.Pilot: the identity of a plan project, which it shares its id with).
    project = models.ForeignKey(
        "core.Pilot",
        verbose_name=_("pilot project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iot_devices",
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="iot_devices"
    )
    lon = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    altitude_m = models.FloatField(_("altitude (m)"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    changelog_exclude = ("created_at", "updated_at", "secret_hash")

    access = AccessRule(read=REGION_READERS, units=("unit",))

    class Meta:
        ordering = ["product__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="iot_device_name_per_product")
        ]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.label or self.name

    def get_absolute_url(self) -> str:
        return reverse("iot:device_detail", args=[self.pk])

    @property
    def mqtt_username(self) -> str:
        return f"{self.name}&{self.product.product_key}"

    def check_secret(self, raw: str) -> bool:
        return bool(raw) and secrets.compare_digest(self.secret_hash, hash_secret(raw))


class DeviceStatus(models.Model):
    """Runtime state of a device, kept apart from its (change-logged) configuration."""

    device = models.OneToOneField(
        Device, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=DeviceState.choices,
        default=DeviceState.INACTIVE,
        db_index=True,
    )
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    state_since = models.DateTimeField(_("in this state since"), null=True, blank=True)
    last_ip = models.CharField(_("last address"), max_length=64, blank=True)
    messages_total = models.PositiveBigIntegerField(_("messages"), default=0)
    rejected_total = models.PositiveBigIntegerField(_("rejected messages"), default=0)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        verbose_name = _("device status")
        verbose_name_plural = _("device statuses")


class RejectedMessage(models.Model):
    """A message that failed validation, with the reason, for the device page."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="rejected_messages")
    time = models.DateTimeField(_("time"), db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=IngestChannel.choices)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    msg_id = models.CharField(_("message id"), max_length=64, blank=True)
    reason = models.TextField(_("reason"))
    payload = models.TextField(_("payload (excerpt)"), blank=True)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["device", "-time"])]
        verbose_name = _("rejected message")
        verbose_name_plural = _("rejected messages")


class MessageReceipt(models.Model):
    """One accepted message id per device: a QoS 1 redelivery of the same id is stored once."""

    # Indexed by the unique constraint, which starts with the device. No foreign key in the
    # database (Django still deletes a device's receipts with it): checking one for every message
    # took a fifth of PostgreSQL's ingest time (a key-share lock on the device row per receipt).
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    msg_id = models.CharField(max_length=64)
    # Indexed by migration 0003 (BRIN on PostgreSQL: receipts arrive in time order).
    received_at = models.DateTimeField()

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "msg_id"], name="iot_receipt_once")
        ]


class Reading(models.Model):
    """遥测: one value of one property of one device at one time.

    On PostgreSQL the table is partitioned by month on `time` (see migration 0002) and has no
    primary key constraint (migration 0003: nothing looks a reading up by id); Django still treats
    `id` as the key.
    """

    time = models.DateTimeField(_("time"))
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    property = models.CharField(_("property"), max_length=50)
    value = models.FloatField(_("value"), null=True, blank=True)
    value_text = models.TextField(_("text value"), blank=True, default="")
    value_json = models.JSONField(_("structured value"), null=True, blank=True)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        indexes = [models.Index(fields=["device", "property", "time"], name="iot_reading_dpt")]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")


class LatestValue(models.Model):
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="latest_values", db_index=False
    )
    property = models.CharField(_("property"), max_length=50)
    time = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"), null=True, blank=True)
    value_text = models.TextField(_("text value"), blank=True, default="")
    value_json = models.JSONField(_("structured value"), null=True, blank=True)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "property"], name="iot_latest_once")
        ]

    @builtins.property
    def display(self):
        if self.value_json is not None:
            return self.value_json
        if self.value_text:
            return self.value_text
        return self.value


class ReadingRollup(models.Model):
    """Count/sum/min/max of a numeric property per minute or hour, for charts over long ranges.

    Written by `storage.rollups_refresh` from the readings of closed minutes (and the hours from
    their minutes), not by the ingest path: see `RollupDirty`."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_index=False)
    property = models.CharField(max_length=50)
    period = models.CharField(max_length=4, choices=Rollup.choices)
    start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    sum = models.FloatField(default=0)
    min = models.FloatField(null=True)
    max = models.FloatField(null=True)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "property", "period", "start"], name="iot_rollup_once"
            )
        ]

    @builtins.property
    def avg(self) -> float | None:
        return self.sum / self.count if self.count else None


class RollupDirty(models.Model):
    """A minute whose rollups must be (re)computed: written in the same transaction as the readings
    that fall into it, deleted by `storage.rollups_refresh` when it recomputes the minute.
    `device_id` empty: every device (recent minutes); set: that device only (late readings)."""

    minute = models.DateTimeField()
    device_id = models.BigIntegerField(null=True)

    # Internal bookkeeping of the rollup job: no user reads it.
    access = AccessRule()


class DeviceEvent(models.Model):
    """An event a device reported (info/alert/error with its output data)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("time"), db_index=True)
    identifier = models.CharField(_("event"), max_length=50)
    event_type = models.CharField(_("type"), max_length=8, choices=EventType.choices)
    params = models.JSONField(_("output data"), default=dict, blank=True)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["device", "-time"])]
        verbose_name = _("device event")
        verbose_name_plural = _("device events")


class Rule(ChangeLoggedModel):
    """A device rule: for every device of a product, or for one device."""

    name = models.CharField(_("name"), max_length=100)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="rules"
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("only this device"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    property = models.CharField(_("property"), max_length=50, blank=True)
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, default=Comparison.ABOVE
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    hysteresis = models.FloatField(
        _("hysteresis"),
        default=0,
        help_text=_("The alert clears only once the value is this far back on the safe side."),
    )
    low = models.FloatField(_("lower bound"), null=True, blank=True)
    high = models.FloatField(_("upper bound"), null=True, blank=True)
    rate_per_minute = models.FloatField(_("max change per minute"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes without data"), null=True, blank=True)
    event_identifier = models.CharField(
        _("event"), max_length=50, blank=True, help_text=_("Empty: any alert or error event.")
    )
    severity = models.CharField(
        _("severity"), max_length=16, choices=AlertSeverity.choices, default=AlertSeverity.MAJOR
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    description = models.TextField(_("description"), blank=True)
    action = models.CharField(
        _("action"),
        max_length=100,
        blank=True,
        help_text=_("An app's action to call instead of raising a device-rule alert."),
    )

    # A product's owner keeps its rules, a device's unit the rules of that device alone; rules of
    # the platform's products are the plan office's and every user reads them.
    access = AccessRule(
        read=REGION_READERS,
        units=("product__unit", "device__unit"),
        shared=models.Q(product__unit__isnull=True, device__isnull=True),
    )

    class Meta:
        ordering = ["product__name", "name"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.name


class RuleState(models.Model):
    """Whether a rule is currently firing for a device (survives worker restarts)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)

    objects = AccessManager()
    access = AccessRule(via="rule")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "device"], name="iot_rulestate_once")
        ]


class SubscriptionBacklog(models.Model):
    """Deliveries a subscriber has not taken yet (it failed, or an earlier delivery of the same
    device waits): tried again by the `iot_subscriptions_retry` job, oldest first per device
    (iot.subscriptions). Bookkeeping of the hub, not change-logged."""

    subscription = models.CharField(_("subscription"), max_length=100)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    msg_id = models.CharField(_("message id"), max_length=64)
    delivery = models.JSONField(_("delivery"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["subscription", "device", "id"], name="iot_backlog_order")]
        verbose_name = _("subscription backlog entry")
        verbose_name_plural = _("subscription backlog")
