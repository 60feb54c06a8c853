from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "xizang5g.network"
    label = "network"
    verbose_name = _("5G supervision")
    # Entries of the top navigation: label, URL name, icon (see core.context_processors).
    nav = [
        {
            "label": _("5G supervision"),
            "url": "network:overview",
            "icon": "broadcast-pin",
            "order": 20,
        }
    ]
