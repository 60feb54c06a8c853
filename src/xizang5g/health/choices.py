from django.db import models
from django.utils.translation import gettext_lazy as _


class AmbulanceState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    TRANSPORTING = "transporting", _("Transporting")
    AT_HOSPITAL = "at_hospital", _("At hospital")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class CallState(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    TRANSPORTING = "transporting", _("Transporting")
    AT_HOSPITAL = "at_hospital", _("At hospital")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class CallPriority(models.IntegerChoices):
    CRITICAL = 1, _("1 — life-threatening")
    URGENT = 2, _("2 — urgent")
    ROUTINE = 3, _("3 — non-urgent")


class Consciousness(models.TextChoices):
    ALERT = "A", _("Alert")
    CONFUSION = "C", _("New confusion")
    VOICE = "V", _("Responds to voice")
    PAIN = "P", _("Responds to pain")
    UNRESPONSIVE = "U", _("Unresponsive")


class Syndrome(models.TextChoices):
    FEVER = "fever", _("Fever")
    RESPIRATORY = "respiratory", _("Respiratory")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
