import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import PLAN_OFFICE, AccessRule
from xizang5g.core.choices import Role
from xizang5g.core.fields import EncryptedTextField


class User(AbstractUser):
    """A platform user: belongs to one unit and has one role."""

    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.VIEWER)
    # Personal information: SM4-encrypted at rest (xizang5g.core.fields). E-mail stays plain because
    # Django's password reset looks users up by `email__iexact`, which ciphertext cannot answer.
    full_name = EncryptedTextField(_("full name"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    # Accounts are change-logged (role, unit, active, …) but not their secrets, their personal
    # name (SM4-encrypted, it would be plain text in the log) or the time of each log-in.
    change_logged = True
    changelog_exclude = ("password", "last_login", "full_name")

    # Accounts are managed by the plan office (the admin site).
    access = AccessRule(read=PLAN_OFFICE)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # A new password (set_password since the last save) restarts the expiry clock; Django's
        # re-hashing of an unchanged password on log-in clears `_password` first, so it does not.
        if self._password is not None:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    @property
    def is_plan_admin(self) -> bool:
        return self.is_superuser or self.role == Role.PLAN_ADMIN

    @property
    def is_unit_editor(self) -> bool:
        return self.role == Role.UNIT_EDITOR and self.unit_id is not None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    access = AccessRule(read=PLAN_OFFICE)

    change_logged = True
    changelog_exclude = ("token_hash", "last_used_at")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "xz5g_" + secrets.token_urlsafe(32)
