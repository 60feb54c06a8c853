"""The public portal (门户): what the plan is and how far it has come, typical cases, coverage,
EMF science with a calculator and measurement requests, scenic-spot comfort, news and notices —
for everyone, without logging in. It reads plan supervision, the verticals and the systems; nothing
imports it."""

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry


class PortalConfig(registry.PlatformApp):
    name = "xizang5g.portal"
    label = "portal"
    layer = "public"
    verbose_name = _("Public portal")
    nav = ({"label": _("Portal"), "url": "portal:manage", "icon": "broadcast", "order": 95},)
    public_nav = (
        {"label": _("Home"), "url": "portal:home", "order": 10},
        {"label": _("Typical cases"), "url": "portal:cases", "order": 20},
        {"label": _("Plan progress"), "url": "portal:progress", "order": 30},
        {"label": _("5G coverage"), "url": "portal:coverage", "order": 40},
        {"label": _("EMF and health"), "url": "portal:emf", "order": 50},
        {"label": _("News and notices"), "url": "portal:news", "order": 60},
    )
    urls = "xizang5g.portal.urls"
    api = "xizang5g.portal.api"
    demo_commands = (("portal_demo",),)
