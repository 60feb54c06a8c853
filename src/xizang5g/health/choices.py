from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AmbulanceState(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("ambulance state", "Available")
    DISPATCHED = "dispatched", pgettext_lazy("ambulance state", "Dispatched")
    EN_ROUTE = "en_route", pgettext_lazy("ambulance state", "En route")
    ON_SCENE = "on_scene", pgettext_lazy("ambulance state", "On scene")
    TRANSPORTING = "transporting", pgettext_lazy("ambulance state", "Transporting")
    AT_HOSPITAL = "at_hospital", pgettext_lazy("ambulance state", "At hospital")
    OUT_OF_SERVICE = "out_of_service", pgettext_lazy("ambulance state", "Out of service")


class CallState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("120 call state", "Received")
    DISPATCHED = "dispatched", pgettext_lazy("120 call state", "Dispatched")
    EN_ROUTE = "en_route", pgettext_lazy("120 call state", "En route")
    ON_SCENE = "on_scene", pgettext_lazy("120 call state", "On scene")
    TRANSPORTING = "transporting", pgettext_lazy("120 call state", "Transporting")
    AT_HOSPITAL = "at_hospital", pgettext_lazy("120 call state", "At hospital")
    HANDED_OVER = "handed_over", pgettext_lazy("120 call state", "Handed over")
    CANCELLED = "cancelled", pgettext_lazy("120 call state", "Cancelled")


class CallPriority(models.IntegerChoices):
    CRITICAL = 1, _("1 — life-threatening")
    URGENT = 2, _("2 — urgent")
    ROUTINE = 3, _("3 — non-urgent")


class Consciousness(models.TextChoices):
    ALERT = "A", _("A — alert")
    CONFUSION = "C", _("C — new confusion")
    VOICE = "V", _("V — responds to voice")
    PAIN = "P", _("P — responds to pain")
    UNRESPONSIVE = "U", _("U — unresponsive")


class Syndrome(models.TextChoices):
    FEVER = "fever", _("Fever")
    RESPIRATORY = "respiratory", _("Respiratory")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", pgettext_lazy("consultation urgency", "Emergency")


class ConsultationState(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("consultation state", "Requested")
    SCHEDULED = "scheduled", pgettext_lazy("consultation state", "Scheduled")
    COMPLETED = "completed", pgettext_lazy("consultation state", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("consultation state", "Cancelled")


class Department(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency medicine")
    CARDIOLOGY = "cardiology", _("Cardiology")
    RESPIRATORY = "respiratory", _("Respiratory medicine")
    RADIOLOGY = "radiology", _("Radiology (imaging)")
    OBSTETRICS = "obstetrics", _("Obstetrics")
    PAEDIATRICS = "paediatrics", _("Paediatrics")
    HIGH_ALTITUDE = "high_altitude", _("High-altitude medicine")


class AttachmentKind(models.TextChoices):
    DICOM = "dicom", _("DICOM study")
    REPORT = "report", _("Report")
    ECG = "ecg", _("ECG")
