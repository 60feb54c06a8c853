"""Medical (5G+医疗健康): pre-hospital emergency (120) with NEWS2 on every vitals update, the
hospital emergency board, FHIR R4, remote consultation and epidemic warning."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.iot.hooks import Subscription

CLINICAL_SOURCE = "clinical"
EPIDEMIC_SOURCE = "epidemic"


class HealthConfig(registry.PlatformApp):
    name = "xizang5g.health"
    label = "health"
    layer = "vertical"
    verbose_name = _("Medical")
    nav = ({"label": _("Medical"), "url": "health:index", "icon": "heart-pulse", "order": 64},)
    urls = "xizang5g.health.urls"
    api = "xizang5g.health.api"
    root_urls = (("fhir/r4", "xizang5g.health.fhir_urls"),)
    alert_sources = (
        (CLINICAL_SOURCE, _("Clinical (NEWS2)")),
        (EPIDEMIC_SOURCE, _("Epidemic warning")),
    )
    dashboard_tiles = ("xizang5g.health.tiles.health_tile",)
    iot_subscriptions = (
        Subscription(
            "health.vitals",
            "xizang5g.health.handlers.on_vitals",
            capabilities=("vital_signs",),
        ),
    )
    periodic_jobs = (
        registry.PeriodicJob(
            "health_syndromic_check",
            "xizang5g.health.tasks.health_syndromic_check",
            timedelta(hours=6),
        ),
    )
    demo_commands = (("health_demo",),)
    demo_processes = (("health_simulate",),)
