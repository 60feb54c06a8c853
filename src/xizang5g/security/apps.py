from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "xizang5g.security"
    label = "security"
    verbose_name = _("Security situational awareness")
    # Entries of the top navigation: label, URL name, icon (see core.context_processors).
    nav = [
        {"label": _("Security"), "url": "security:dashboard", "icon": "shield-check", "order": 30}
    ]

    def ready(self) -> None:
        # Signal wiring: the receivers import models, which exist once the registry is ready.
        from xizang5g.security import signals

        signals.connect()
