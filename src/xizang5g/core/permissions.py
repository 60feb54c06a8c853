"""Who may change what. Services and selectors call these; templates only mirror them."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xizang5g.core.choices import Role


def is_plan_admin(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.role == Role.PLAN_ADMIN)
    )


def is_read_only(user) -> bool:
    return not (user and user.is_authenticated) or (
        not user.is_superuser and user.role == Role.VIEWER
    )


def can_edit_unit_data(user, unit_id: int | None) -> bool:
    """Plan-office admins edit everything; a unit editor edits only its own unit's data."""
    if is_plan_admin(user):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == Role.UNIT_EDITOR
        and user.unit_id is not None
        and user.unit_id == unit_id
    )


def require_unit_edit(user, unit_id: int | None) -> None:
    if not can_edit_unit_data(user, unit_id):
        raise PermissionDenied(_("You may only change data of your own unit."))


def require_plan_admin(user) -> None:
    if not is_plan_admin(user):
        raise PermissionDenied(_("Only the plan office may do this."))


def require_role(user, *roles: str) -> None:
    if is_plan_admin(user):
        return
    if not (user and user.is_authenticated and user.role in roles):
        raise PermissionDenied(_("Your role does not allow this."))
