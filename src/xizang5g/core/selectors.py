"""Reads of the core app, always restricted by the access rule (`core.access`)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import is_change_logged
from xizang5g.core.choices import ChangeAction
from xizang5g.core.models import AdminDivision, Alert, ChangeLog, NotificationChannel, Unit


def unit_list(*, user=None) -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).select_related("parent", "division")


def division_list(*, level: str | None = None) -> QuerySet[AdminDivision]:
    qs = AdminDivision.objects.all()
    return qs.filter(level=level) if level else qs


# --- alerts -------------------------------------------------------------------------------------
def alert_list(*, user, filters: dict | None = None) -> QuerySet[Alert]:
    """Alerts a user may see: every alert for region-wide readers, a unit's for its editors."""
    qs = Alert.objects.restrict(user).select_related("unit")
    filters = filters or {}
    for key in ("state", "severity", "source", "unit_id"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    return qs


def alert_get(*, user, pk: int) -> Alert:
    return access.get_or_404(Alert.objects.select_related("unit"), user, pk=pk)


def alert_can_handle(*, user, alert: Alert) -> bool:
    return access.can(user, access.CHANGE, alert)


def alert_units(*, user) -> QuerySet[Unit]:
    """The units of the alerts a user may see (the alert list's unit filter)."""
    return Unit.objects.filter(pk__in=alert_list(user=user).values("unit_id")).order_by("code")


# --- notification channels ----------------------------------------------------------------------
def channel_list(*, user) -> QuerySet[NotificationChannel]:
    return NotificationChannel.objects.restrict(user).select_related("unit")


def channel_get(*, user, pk: int) -> NotificationChannel:
    return access.get_or_404(NotificationChannel.objects.all(), user, access.CHANGE, pk=pk)


# --- change history -----------------------------------------------------------------------------
def change_history(*, obj) -> QuerySet[ChangeLog]:
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return change_history_for(content_type=ct, object_id=obj.pk)


def change_history_for(*, content_type, object_id) -> QuerySet[ChangeLog]:
    return ChangeLog.objects.filter(
        content_type=content_type, object_id=str(object_id)
    ).select_related("user")


def object_history(*, user, content_type: ContentType, object_id: str):
    """(object or None if deleted, its change log) for a user who may read the object; 404
    otherwise, for deleted objects too (judged from their last recorded values)."""
    model = content_type.model_class()
    if model is None or not is_change_logged(model):
        raise Http404(_("This kind of object has no history."))
    entries = change_history_for(content_type=content_type, object_id=object_id)
    obj = _existing(model, object_id)
    if obj is not None:
        visible = access.can(user, access.VIEW, obj)
    else:
        last = entries.filter(action=ChangeAction.DELETE).first()
        visible = last is not None and access.can_view_deleted(user, model, last.before or {})
    if not visible:
        raise Http404(_("No such object, or you may not see it."))
    return obj, entries


def history_changes(*, model, entries) -> list[tuple[ChangeLog, list[dict]]]:
    """Each entry with its changed fields as the reader should see them: the field's label and
    choice labels in the reader's language, yes/no, lists and related objects by number."""
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    rows = []
    for entry in entries:
        changes = []
        for change in entry.changed_fields:
            field = fields.get(change["field"])
            changes.append(
                {
                    "field": str(field.verbose_name) if field else change["field"],
                    "before": _shown_value(field, change["before"]),
                    "after": _shown_value(field, change["after"]),
                }
            )
        rows.append((entry, changes))
    return rows


def _shown_value(field, value):
    if value is None or value == "":
        return None
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.is_relation:
        return f"{field.related_model._meta.verbose_name} #{value}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _existing(model, object_id: str):
    try:
        pk = model._meta.pk.to_python(object_id)
    except ValidationError:
        raise Http404(_("No such object.")) from None
    if isinstance(pk, int) and not -(2**63) <= pk < 2**63:
        raise Http404(_("No such object."))
    return model._base_manager.filter(pk=pk).first()
