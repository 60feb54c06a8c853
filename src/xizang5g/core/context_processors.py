from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from xizang5g import __version__
from xizang5g.core.passwords import password_expired


def _navigation(request) -> list[dict]:
    items = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav", ()):
            try:
                url = reverse(entry["url"])
            except NoReverseMatch:
                continue  # the app has not mounted that page (yet)
            items.append({**entry, "href": url, "active": request.path.startswith(url)})
    return sorted(items, key=lambda item: item.get("order", 100))


def platform(request):
    return {
        "platform_version": __version__,
        "platform_debug": settings.DEBUG,
        "nav_items": _navigation(request) if getattr(request, "user", None) else [],
        "password_max_age_days": settings.XZ5G_PASSWORD_MAX_AGE_DAYS,
        "password_expired": password_expired(getattr(request, "user", None)),
    }
