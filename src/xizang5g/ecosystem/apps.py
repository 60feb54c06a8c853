"""The application ecosystem (5G应用产业方阵, plan §八): organisations, demands and solutions,
matchmaking, intents, events (roadshows, competitions) and statistics."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xizang5g.core import registry
from xizang5g.core.choices import Role


class EcosystemConfig(registry.PlatformApp):
    name = "xizang5g.ecosystem"
    label = "ecosystem"
    layer = "public"
    verbose_name = _("Application ecosystem")
    nav = ({"label": _("Ecosystem"), "url": "ecosystem:index", "icon": "people", "order": 90},)
    urls = "xizang5g.ecosystem.urls"
    api = "xizang5g.ecosystem.api"
    dashboard_tiles = ("xizang5g.ecosystem.tiles.ecosystem_tile",)
    public_nav = (
        {
            "label": pgettext_lazy("ecosystem", "Events"),
            "url": "ecosystem:public_events",
            "icon": "flag",
            "order": 50,
        },
        {
            "label": _("Solutions"),
            "url": "ecosystem:public_solutions",
            "icon": "lightning",
            "order": 51,
        },
        {
            "label": _("Join the ecosystem"),
            "url": "ecosystem:signup",
            "icon": "person-check",
            "order": 52,
        },
    )
    public_sections = ("xizang5g.ecosystem.public.ecosystem_section",)
    demo_commands = (("ecosystem_demo",),)
    demo_users = (
        registry.DemoUser(
            "xzmine",
            Role.UNIT_EDITOR,
            "org-91540100ma6t4b7x1d",
            "藏矿演示用户",
            "an ecosystem organisation (mining enterprise): demands, matches, intents",
        ),
    )
