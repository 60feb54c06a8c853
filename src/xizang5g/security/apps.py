from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.core.choices import AlertSource
from xizang5g.core.registry import PeriodicJob


class SecurityConfig(registry.PlatformApp):
    name = "xizang5g.security"
    label = "security"
    layer = "system"
    # The shipped rule pack (the project's rules and the chosen SigmaHQ rules), on every install.
    setup_commands = (("security", "rules", "import", "--default"),)
    demo_commands = (("security_demo",),)
    verbose_name = _("Security situational awareness")
    nav = (
        {"label": _("Security"), "url": "security:dashboard", "icon": "shield-check", "order": 30},
    )
    urls = "xizang5g.security.urls"
    dashboard_tiles = ("xizang5g.security.tiles.open_incidents",)
    api = "xizang5g.security.api"
    alert_sources = ((AlertSource.SECURITY, AlertSource.SECURITY.label),)
    evidence_providers = ("xizang5g.security.evidence.pilot_evidence",)
    periodic_jobs = (
        # Incidents, findings and crypto assessments past their deadlines raise alerts.
        PeriodicJob(
            "security_deadlines_check",
            "xizang5g.security.tasks.security_deadlines_check",
            timedelta(hours=1),
        ),
        # Next month's event partitions exist before the month starts (PostgreSQL).
        PeriodicJob(
            "security_partitions_ensure",
            "xizang5g.security.tasks.security_partitions_ensure",
            timedelta(days=1),
        ),
    )

    def ready(self) -> None:
        # Signal wiring: the receivers import models, which exist once the registry is ready.
        from xizang5g.security import signals

        signals.connect()
