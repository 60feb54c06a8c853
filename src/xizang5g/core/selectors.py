"""Reads of the core app, always scoped to what the user may see."""

from django.db.models import QuerySet

from xizang5g.core.models import AdminDivision, Alert, ChangeLog, Unit
from xizang5g.core.permissions import is_plan_admin


def unit_list(*, user=None) -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).select_related("parent", "division")


def division_list(*, level: str | None = None) -> QuerySet[AdminDivision]:
    qs = AdminDivision.objects.all()
    return qs.filter(level=level) if level else qs


def change_history(*, obj) -> QuerySet[ChangeLog]:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return change_history_for(content_type=ct, object_id=obj.pk)


def alert_list(*, user, filters: dict | None = None) -> QuerySet[Alert]:
    """Alerts a user may see: everything for the plan office, viewers and platform roles;
    a unit editor sees its own unit's alerts."""
    qs = Alert.objects.select_related("unit")
    if user.is_authenticated and user.role == "unit_editor" and not is_plan_admin(user):
        qs = qs.filter(unit_id=user.unit_id)
    filters = filters or {}
    for key in ("state", "severity", "source", "unit_id"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    return qs


def alert_can_handle(*, user, alert: Alert) -> bool:
    if is_plan_admin(user):
        return True
    if not user.is_authenticated or user.role == "viewer":
        return False
    if user.role == "unit_editor":
        return alert.unit_id == user.unit_id
    return True


def change_history_for(*, content_type, object_id: str) -> QuerySet[ChangeLog]:
    return ChangeLog.objects.filter(
        content_type=content_type, object_id=str(object_id)
    ).select_related("user")
