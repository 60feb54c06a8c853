from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

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
