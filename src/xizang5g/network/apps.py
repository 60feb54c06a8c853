from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.core.choices import AlertSource


class NetworkConfig(registry.PlatformApp):
    name = "xizang5g.network"
    label = "network"
    layer = "system"
    demo_commands = (("network_demo",),)
    verbose_name = _("5G supervision")
    nav = (
        {
            "label": _("5G supervision"),
            "url": "network:overview",
            "icon": "broadcast-pin",
            "order": 20,
        },
    )
    urls = "xizang5g.network.urls"
    dashboard_tiles = ("xizang5g.network.tiles.open_cases",)
    api = "xizang5g.network.api"
    alert_sources = (
        (AlertSource.INTERFERENCE, AlertSource.INTERFERENCE.label),
        (AlertSource.EMF, AlertSource.EMF.label),
    )
