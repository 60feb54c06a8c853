"""Industrial internet and mining (5G+工业互联网): tailings-pond monitoring per GB 51108-2015,
underground safety, slope forecasts, live haul-truck dispatch and shift reports, production-line
OEE, and the identifier-resolution node (Handle REST API at /api/handles/)."""

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.iot.hooks import Subscription

MINE_SAFETY_SOURCE = "mine_safety"
FACTORY_SOURCE = "smart_factory"


class IndustryConfig(registry.PlatformApp):
    name = "xizang5g.industry"
    label = "industry"
    layer = "vertical"
    verbose_name = _("Industry and mining")
    nav = ({"label": _("Mining"), "url": "industry:index", "icon": "minecart", "order": 66},)
    urls = "xizang5g.industry.urls"
    root_urls = (("api/handles", "xizang5g.industry.handle_urls"),)
    api = "xizang5g.industry.api"
    alert_sources = (
        (MINE_SAFETY_SOURCE, _("Mine safety")),
        (FACTORY_SOURCE, _("Smart factory")),
    )
    iot_subscriptions = (
        Subscription(
            "industry.tailings",
            "xizang5g.industry.handlers.on_tailings",
            capabilities=("tailings_monitor",),
        ),
        Subscription(
            "industry.underground",
            "xizang5g.industry.handlers.on_underground",
            capabilities=("mine_gas",),
        ),
        Subscription(
            "industry.factory",
            "xizang5g.industry.handlers.on_machines",
            capabilities=("machine_state", "line_counter"),
        ),
        Subscription(
            "industry.haulage",
            "xizang5g.industry.handlers.on_trucks",
            capabilities=("haul_truck",),
        ),
    )
    demo_commands = (("industry_demo",),)
    demo_processes = (("industry_simulate",),)
    demo_users = (
        registry.DemoUser(
            "jiama-safety",
            "unit_editor",
            "jiama-copper",
            "甲玛铜矿安全员",
            "【演示数据】 tailings pond, underground and dispatch of the Jiama copper mine",
        ),
        registry.DemoUser(
            "lhasa-water-ops",
            "unit_editor",
            "lhasa-water",
            "拉萨饮用水厂生产主管",
            "【演示数据】 OEE of the bottling line of a Lhasa water plant",
        ),
    )
