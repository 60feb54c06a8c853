from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One failed log-in, kept for the throttle's window (xizang5g.core.throttle).

    Not change-logged: it is itself a log, pruned as it ages; the security app records every
    failed log-in as a platform event for the long term.
    """

    username = models.CharField(_("username"), max_length=150)
    client_ip = models.GenericIPAddressField(_("client address"))
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        indexes = [
            models.Index(fields=["username", "at"], name="core_loginfail_user_at"),
            models.Index(fields=["client_ip", "at"], name="core_loginfail_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.client_ip} at {self.at:%Y-%m-%d %H:%M:%S}"
