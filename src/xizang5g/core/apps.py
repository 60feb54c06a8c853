from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xizang5g.core"
    label = "core"
    verbose_name = _("Platform core")

    nav = [{"label": _("Alert centre"), "url": "core:alert_list", "icon": "bell", "order": 50}]

    def ready(self) -> None:
        # Registrations (checks, path converters, signals) that import models: once ready.
        from xizang5g.core import audit, checks, converters, throttle  # noqa: F401

        audit.connect_signals()
        throttle.connect_signals()
