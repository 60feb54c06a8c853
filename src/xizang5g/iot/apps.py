from datetime import timedelta

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.core.choices import AlertSource
from xizang5g.core.registry import PeriodicJob


class IotConfig(registry.PlatformApp):
    name = "xizang5g.iot"
    label = "iot"
    layer = "system"
    demo_commands = (("iot_demo",),)
    # The hub with its embedded broker and the demo devices' simulators.
    demo_processes = (("iot_run", "--embedded-broker", "--simulate"),)
    verbose_name = _("IoT data hub")
    nav = ({"label": _("IoT hub"), "url": "iot:device_list", "icon": "cpu", "order": 40},)
    urls = "xizang5g.iot.urls"
    dashboard_tiles = ("xizang5g.iot.tiles.devices_online",)
    api = "xizang5g.iot.api"
    alert_sources = ((AlertSource.DEVICE_RULE, AlertSource.DEVICE_RULE.label),)
    evidence_providers = ("xizang5g.iot.evidence.pilot_evidence",)
    periodic_jobs = (
        # Quiet devices go offline and "no data for N minutes" rules fire, with no worker up too.
        PeriodicJob(
            "iot_housekeeping", "xizang5g.iot.tasks.iot_housekeeping", timedelta(minutes=1)
        ),
        # Chart rollups of the minutes that are over (the ingest worker does it too).
        PeriodicJob(
            "iot_rollups_refresh", "xizang5g.iot.tasks.iot_rollups_refresh", timedelta(minutes=1)
        ),
        # Readings partitions ahead (PostgreSQL) and the retention window.
        PeriodicJob(
            "iot_storage_maintain", "xizang5g.iot.tasks.iot_storage_maintain", timedelta(hours=6)
        ),
        # Deliveries a subscriber failed to take, tried again (then alerted).
        PeriodicJob(
            "iot_subscriptions_retry",
            "xizang5g.iot.tasks.iot_subscriptions_retry",
            timedelta(minutes=1),
        ),
    )

    def ready(self) -> None:
        # Signal wiring: these modules import models, which exist once the registry is ready.
        from xizang5g.iot import checks, subscriptions  # noqa: F401  (checks registers)
        from xizang5g.iot.directory import directory
        from xizang5g.iot.models import Device, Product, Rule
        from xizang5g.iot.rules import engine

        def forget(sender, **kwargs):
            # Configuration changed in this process: drop the ingest caches at once (other
            # processes pick changes up within the caches' TTL).
            directory.invalidate()
            engine.invalidate()
            subscriptions.routes.invalidate()

        for model in (Device, Product, Rule):
            post_save.connect(forget, sender=model, dispatch_uid=f"iot-forget-{model.__name__}")
            post_delete.connect(
                forget, sender=model, dispatch_uid=f"iot-forget-{model.__name__}-del"
            )
