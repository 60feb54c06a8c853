from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    name = "xizang5g.iot"
    label = "iot"
    verbose_name = _("IoT data hub")
    # Entries of the top navigation: label, URL name, icon (see core.context_processors).
    nav = [{"label": _("IoT hub"), "url": "iot:device_list", "icon": "cpu", "order": 40}]
