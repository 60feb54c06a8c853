"""Culture and tourism (5G+文旅): scenic-spot capacity (LB/T 034-2014), crowd warning, smart parking,
tourism data and a public status page."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.iot.hooks import Subscription


class TourismConfig(registry.PlatformApp):
    name = "xizang5g.tourism"
    label = "tourism"
    layer = "vertical"
    verbose_name = _("Culture and tourism")
    nav = ({"label": _("Tourism"), "url": "tourism:index", "icon": "geo-alt", "order": 60},)
    urls = "xizang5g.tourism.urls"
    api = "xizang5g.tourism.api"
    alert_sources = (("crowd", _("Crowd warning")),)
    dashboard_tiles = ("xizang5g.tourism.tiles.crowd_tile",)
    periodic_jobs = (
        registry.PeriodicJob(
            "tourism_forecast_refresh",
            "xizang5g.tourism.tasks.tourism_forecast_refresh",
            timedelta(hours=1),
        ),
        registry.PeriodicJob(
            "tourism_daily_rollup",
            "xizang5g.tourism.tasks.tourism_daily_rollup",
            timedelta(hours=6),  # idempotent: yesterday's row is rewritten until complete
        ),
    )
    iot_subscriptions = (
        Subscription(
            "tourism.gates",
            "xizang5g.tourism.handlers.on_gate_counts",
            capabilities=("gate_counter",),
        ),
    )
    public_sections = ("xizang5g.tourism.public.section",)
    demo_commands = (("tourism_demo",),)
    demo_processes = (("tourism_simulate",),)
    demo_users = (
        registry.DemoUser(
            "tourism",
            "unit_editor",
            "tourism-dept",
            "区旅游发展厅演示用户",
            "every scenic spot, crowd alerts, tourism data",
        ),
    )
