"""Frost watch: a small app built only through the platform's registration points, exactly as
docs/adding-an-app.md describes. It lives in this folder and is installed by tests/settings.py;
nothing outside this folder names it."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.iot.hooks import RuleAction, Subscription

FROST_SOURCE = "frost"


class FrostConfig(registry.PlatformApp):
    name = "tests.testapp"
    label = "testapp"
    verbose_name = _("Frost watch")
    nav = ({"label": _("Frost watch"), "url": "testapp:index", "icon": "snow", "order": 90},)
    urls = "tests.testapp.urls"
    api = "tests.testapp.api"
    dashboard_tiles = ("tests.testapp.tiles.frost_tile",)
    alert_sources = ((FROST_SOURCE, _("Frost warning")),)
    evidence_providers = ("tests.testapp.evidence.pilot_evidence",)
    periodic_jobs = (
        registry.PeriodicJob(
            "testapp_frost_summary", "tests.testapp.tasks.frost_summary", timedelta(hours=1)
        ),
    )
    iot_subscriptions = (
        Subscription(
            "testapp.temperatures",
            "tests.testapp.handlers.on_temperatures",
            capabilities=("weather_station",),
        ),
    )
    setup_commands = (("frost_setup",),)
    rule_actions = (
        RuleAction("testapp.frost", "tests.testapp.handlers.on_frost", _("Frost warning")),
    )
