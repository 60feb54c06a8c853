from django.db import models
from django.utils.translation import gettext_lazy as _


class CrowdLevel(models.TextChoices):
    """Warning levels as a share of the instantaneous capacity C1 (LB/T 034-2014)."""

    COMFORTABLE = "comfortable", _("Comfortable")
    BUSY = "busy", _("Busy")
    WARNING = "warning", _("Warning")
    SATURATED = "saturated", _("Saturated")


class CountSource(models.TextChoices):
    GATE = "gate", _("Gate counter")
    API = "api", _("Vendor push (HTTP)")
    TICKET = "ticket", _("Ticket validations")


class ContentKind(models.TextChoices):
    VR = "vr", _("VR scene")
    LIVE = "live", _("Live stream")
