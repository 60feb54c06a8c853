from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "xizang5g.portal"
    label = "portal"
    verbose_name = _("Public portal")
    # Entries of the top navigation: label, URL name, icon (see core.context_processors).
    nav = []
