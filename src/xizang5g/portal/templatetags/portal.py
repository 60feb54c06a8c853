"""The public site's navigation: every app's `public_nav` entries (core.registry), in order."""

from django import template
from django.urls import NoReverseMatch, reverse

from xizang5g.core import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def public_nav(context) -> list[dict]:
    request = context.get("request")
    path = request.path if request is not None else ""
    entries = []
    for entry in registry.public_navigation():
        try:
            href = reverse(entry["url"])
        except NoReverseMatch:
            continue
        home = href.rstrip("/").count("/") <= 1  # the portal's own root matches only itself
        active = path == href if home else path.startswith(href)
        entries.append({"label": entry["label"], "href": href, "active": active})
    return entries
