from django.db import models

from xizang5g.core.access import AccessManager, AccessRule


class Observation(models.Model):
    """One temperature a weather station reported (kept once per device and message)."""

    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="+")
    msg_id = models.CharField(max_length=64)
    time = models.DateTimeField()
    temperature = models.FloatField()

    objects = AccessManager()
    access = AccessRule(via="device")

    class Meta:
        ordering = ["time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "msg_id"], name="testapp_observation_once")
        ]
