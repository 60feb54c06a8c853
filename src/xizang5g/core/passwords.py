from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """等保 level 3 password complexity: at least three of lower, upper, digit, symbol."""

    required_classes = 3

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.required_classes:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, upper-case "
                    "letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("Use at least three of: lower-case, upper-case, digits, symbols.")


def password_expired(user, *, now: datetime | None = None) -> bool:
    """Whether `user` must change their password (等保 2.0 level 3, GB/T 22239-2019 8.1.4.1 a).

    A password never recorded as changed counts as expired; XZ5G_PASSWORD_MAX_AGE_DAYS=0 turns
    expiry off.
    """
    max_age_days = settings.XZ5G_PASSWORD_MAX_AGE_DAYS
    if max_age_days <= 0 or not getattr(user, "is_authenticated", False):
        return False
    changed_at = getattr(user, "password_changed_at", None)
    if changed_at is None:
        return True
    return changed_at <= (now or timezone.now()) - timedelta(days=max_age_days)
