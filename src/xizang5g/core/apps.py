from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.core.choices import AlertSource


class CoreConfig(registry.PlatformApp):
    name = "xizang5g.core"
    label = "core"
    layer = "core"
    verbose_name = _("Platform core")
    nav = ({"label": _("Alert centre"), "url": "core:alert_list", "icon": "bell", "order": 50},)
    urls = "xizang5g.core.urls"
    api = "xizang5g.core.api"
    alert_sources = ((AlertSource.PLATFORM, AlertSource.PLATFORM.label),)

    def ready(self) -> None:
        # Registrations (checks, path converters, signals) that import models: once ready.
        from xizang5g.core import audit, checks, converters, throttle  # noqa: F401

        audit.connect_signals()
        throttle.connect_signals()
