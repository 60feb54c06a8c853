"""Information systems (信息系统): the assets with their MLPS (等保) level and filing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.models import Unit
from xizang5g.security.models import InformationSystem

SYSTEM_FIELDS = (
    "name",
    "mlps_level",
    "filing_status",
    "filing_number",
    "security_planned",
    "security_built",
    "security_operated",
    "holds_personal_data",
    "holds_important_data",
    "description",
    "is_demo",
)


def system_create(*, code: str, owner_unit: Unit, user, pilots=(), **values) -> InformationSystem:
    if not access.can_create(user, InformationSystem, owner_unit=owner_unit):
        raise PermissionDenied(_("You may only change security data of your own unit."))
    unknown = set(values) - set(SYSTEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown information-system fields: {', '.join(sorted(unknown))}")
    system = InformationSystem(code=code, owner_unit=owner_unit, **values)
    system.full_clean()
    with acting_as(user), transaction.atomic():
        system.save()
        if pilots:
            system.pilots.set(pilots)
    return system


def system_update(*, system: InformationSystem, user, **values) -> InformationSystem:
    access.require(user, access.CHANGE, system)
    for key, value in values.items():
        if key not in SYSTEM_FIELDS:
            raise ValueError(f"unknown information-system field {key!r}")
        setattr(system, key, value)
    system.full_clean()
    with acting_as(user):
        system.save()
    return system
