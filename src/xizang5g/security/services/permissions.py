"""Who runs the security operations (detection, rules, sources, incidents)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.security.models import Incident


def can_operate(user) -> bool:
    """Security operators and the plan office run detection, rules, sources and incidents."""
    return access.sees_all(user, Incident, access.CHANGE)


def require_operator(user) -> None:
    if not can_operate(user):
        raise PermissionDenied(_("Only security operators may do this."))
