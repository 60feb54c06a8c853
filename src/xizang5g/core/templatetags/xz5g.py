from django import template
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from xizang5g.core import access

register = template.Library()


@register.simple_tag
def history_url(obj) -> str:
    """Link to the change history page of a change-logged object."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return reverse("core:history", args=[content_type.pk, obj.pk])


@register.filter
def percent(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def may_change(user, model_label: str) -> bool:
    """Whether the user's role may change some objects of a model ("app.Model"): offer a button
    only to those who can use it (`{% if request.user|may_change:"network.Site" %}`)."""
    return access.role_may(user, access.CHANGE, apps.get_model(model_label))
