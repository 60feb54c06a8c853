from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.core.choices import AlertSource


class PlanConfig(registry.PlatformApp):
    name = "xizang5g.plan"
    label = "plan"
    layer = "top"
    verbose_name = _("Plan supervision")
    nav = ({"label": _("Plan supervision"), "url": "plan:dashboard", "icon": "flag", "order": 10},)
    urls = "xizang5g.plan.urls"
    api = "xizang5g.plan.api"
    alert_sources = ((AlertSource.PLAN, AlertSource.PLAN.label),)

    def ready(self) -> None:
        # Signal wiring needs the models loaded: imported here, as Django requires.
        from xizang5g.plan import pilots

        pilots.connect_signals()
