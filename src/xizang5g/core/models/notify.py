from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import PLAN_OFFICE, AccessRule
from xizang5g.core.choices import AlertSeverity
from xizang5g.core.models.base import ChangeLoggedModel


class NotificationChannel(ChangeLoggedModel):
    """Where new alerts are sent: a webhook URL or e-mail addresses (SMTP from settings).

    A channel of a unit receives that unit's alerts; a channel without a unit receives all.
    """

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        EMAIL = "email", _("E-mail")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    target = models.TextField(
        _("target"), help_text=_("Webhook URL, or e-mail addresses separated by commas.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        blank=True,
        help_text=_("Webhook only: the body is signed with HMAC-SHA256 in X-XZ5G-Signature."),
    )
    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_channels",
    )
    min_severity = models.CharField(
        _("minimum severity"),
        max_length=16,
        choices=AlertSeverity.choices,
        default=AlertSeverity.MAJOR,
    )
    sources = models.JSONField(
        _("sources"), default=list, blank=True, help_text=_("Empty: alerts of every source.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    changelog_exclude = ("created_at", "updated_at", "secret")
    # The plan office keeps the region-wide channels; a unit editor its own unit's.
    access = AccessRule(read=PLAN_OFFICE, units=("unit",))

    class Meta:
        ordering = ["name"]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return self.name
