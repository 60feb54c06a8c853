from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    name = "xizang5g.iot"
    label = "iot"
    verbose_name = _("IoT data hub")
    # Entries of the top navigation: label, URL name, icon (see core.context_processors).
    nav = [{"label": _("IoT hub"), "url": "iot:device_list", "icon": "cpu", "order": 40}]

    def ready(self) -> None:
        # Signal wiring: these modules import models, which exist once the registry is ready.
        from xizang5g.iot import checks  # noqa: F401  (registers the deploy checks)
        from xizang5g.iot.directory import directory
        from xizang5g.iot.models import Device, Product, Rule
        from xizang5g.iot.rules import engine

        def forget(sender, **kwargs):
            # Configuration changed in this process: drop the ingest caches at once (other
            # processes pick changes up within the caches' TTL).
            directory.invalidate()
            engine.invalidate()

        for model in (Device, Product, Rule):
            post_save.connect(forget, sender=model, dispatch_uid=f"iot-forget-{model.__name__}")
            post_delete.connect(
                forget, sender=model, dispatch_uid=f"iot-forget-{model.__name__}-del"
            )
