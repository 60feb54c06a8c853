from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "xizang5g.plan"
    label = "plan"
    verbose_name = _("Plan supervision")
    # Entries of the top navigation: label, URL name, icon (see core.context_processors).
    nav = [{"label": _("Plan supervision"), "url": "plan:dashboard", "icon": "flag", "order": 10}]
