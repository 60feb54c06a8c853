from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry, texts
from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.choices import AlertAction, AlertSeverity, AlertSource, AlertState, Role


class Alert(models.Model):
    """One alert in the platform-wide alert centre (告警中心).

    While an alert is open or acknowledged, raising the same `dedup_key` again only counts a
    repeat; after it is resolved, a new alert starts. Its history lives in AlertEvent (the
    alert's own change log).
    """

    # Each app registers the sources it raises (PlatformApp.alert_sources).
    source = models.CharField(_("source"), max_length=32, choices=registry.alert_sources)
    rule = models.CharField(_("rule"), max_length=200, blank=True)
    dedup_key = models.CharField(_("de-duplication key"), max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    message = models.TextField(_("message"), blank=True)
    # The title and message as the system wrote them (core.texts.Text: English source and
    # parameters), rendered in the reader's language; `title`/`message` keep the Chinese rendering
    # for search, notifications and alerts raised before texts were stored.
    title_text = models.JSONField(_("title (source text)"), default=dict, blank=True)
    message_text = models.JSONField(_("message (source text)"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=AlertSeverity.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AlertState.choices,
        default=AlertState.OPEN,
        db_index=True,
    )
    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("assignee unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    first_seen = models.DateTimeField(_("first seen"), db_index=True)
    last_seen = models.DateTimeField(_("last seen"))
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessManager()
    # Region-wide readers see every alert; a unit editor its unit's alerts. The platform roles
    # handle the alerts of their own system and only read the others.
    access = AccessRule(
        read=REGION_READERS,
        write={
            Role.SECURITY_OPERATOR: models.Q(source=AlertSource.SECURITY),
            Role.REGULATOR: models.Q(source__in=(AlertSource.INTERFERENCE, AlertSource.EMF)),
        },
        units=("unit",),
    )

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [models.Index(fields=["state", "severity", "-last_seen"])]
        constraints = [
            # At most one live (open or acknowledged) alert per de-duplication key.
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=~models.Q(state="resolved"),
                name="core_alert_one_live_per_key",
            )
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        return texts.render_json(self.title_text, self.title)

    @property
    def shown_message(self) -> str:
        return texts.render_json(self.message_text, self.message)


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("time"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=16, choices=AlertAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    objects = AccessManager()
    access = AccessRule(via="alert")

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"
