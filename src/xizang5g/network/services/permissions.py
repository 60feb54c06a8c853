"""Who may change the 5G registry and take the regulator's decisions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.network.models import InterferenceStudy, Site


def is_regulator(user) -> bool:
    """The radio regulator or the plan office: studies, the whole registry, case decisions."""
    return access.sees_all(user, InterferenceStudy, access.CHANGE)


def can_edit_station(user, unit_id: int | None) -> bool:
    """Whether `user` may register or change stations of unit `unit_id` (the access rule of
    sites, cells and earth stations: the regulator every unit's, a unit editor its own)."""
    return access.can_create(user, Site, operator_id=unit_id)


def require_station_edit(user, unit_id: int | None) -> None:
    if not can_edit_station(user, unit_id):
        raise PermissionDenied(_("You may only change stations of your own unit."))


def require_regulator(user) -> None:
    if not is_regulator(user):
        raise PermissionDenied(_("Only the radio regulator may do this."))
