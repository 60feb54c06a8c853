"""Pre-hospital emergency (120): ambulances, calls and the vital signs streamed from the
ambulance monitor, each scored with NEWS2; and the syndromic counts of epidemic warning."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.health.choices import (
    AmbulanceState,
    CallPriority,
    CallState,
    Consciousness,
    ConsultationState,
    Department,
    Syndrome,
    Urgency,
)


class Ambulance(ChangeLoggedModel):
    """An ambulance of a 120 centre or hospital (a core Unit), with its monitor (an IoT device)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("120 centre"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.OneToOneField(
        "iot.Device",
        verbose_name=_("monitor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=AmbulanceState.choices, default=AmbulanceState.AVAILABLE
    )
    state_since = models.DateTimeField(_("state since"), null=True, blank=True)
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    position_at = models.DateTimeField(_("position at"), null=True, blank=True)

    access = AccessRule(read=REGION_READERS, units=("unit",))
    changelog_exclude = ("created_at", "updated_at", "lon", "lat", "position_at")

    class Meta:
        ordering = ["code"]
        verbose_name = _("ambulance")
        verbose_name_plural = _("ambulances")

    def __str__(self) -> str:
        return self.name


class EmergencyCall(ChangeLoggedModel):
    """A 120 call: who called from where with what, and the run it started."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("120 centre"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    caller_lon = models.FloatField(
        _("caller longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    caller_lat = models.FloatField(
        _("caller latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    division = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chief_complaint = models.CharField(_("chief complaint"), max_length=300)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=CallPriority.choices, default=CallPriority.URGENT
    )
    patient_ref = models.CharField(
        _("patient pseudonym"), max_length=32, help_text=_("never the patient's name")
    )
    patient_altitude_m = models.PositiveIntegerField(
        _("patient's usual altitude (m)"), default=0, validators=[MaxValueValidator(6000)]
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CallState.choices, default=CallState.RECEIVED
    )
    ambulance = models.ForeignKey(
        Ambulance,
        verbose_name=_("ambulance"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    estimated_minutes = models.FloatField(_("estimated travel (min)"), null=True, blank=True)
    hospital = models.ForeignKey(
        "core.Unit",
        verbose_name=_("receiving hospital"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("en route at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    transporting_at = models.DateTimeField(_("transporting at"), null=True, blank=True)
    at_hospital_at = models.DateTimeField(_("at hospital at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handover_note = models.TextField(_("handover record"), blank=True)
    hospital_eta = models.DateTimeField(_("ETA at hospital"), null=True, blank=True)

    # The 120 centre runs the call; the receiving hospital reads it on its emergency board and
    # writes the arrival and the handover record.
    access = AccessRule(read=REGION_READERS, units=("unit", "hospital"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("emergency call")
        verbose_name_plural = _("emergency calls")

    def __str__(self) -> str:
        return self.number


class VitalSigns(models.Model):
    """One vitals update from an ambulance monitor with its NEWS2 (data written by machines)."""

    ambulance = models.ForeignKey(Ambulance, on_delete=models.CASCADE, related_name="vitals")
    call = models.ForeignKey(
        EmergencyCall, null=True, blank=True, on_delete=models.CASCADE, related_name="vitals"
    )
    msg_id = models.CharField(max_length=64)
    time = models.DateTimeField(db_index=True)
    respiration_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField()
    spo2_scale = models.PositiveSmallIntegerField(default=1)
    on_oxygen = models.BooleanField(default=False)
    systolic_bp = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    consciousness = models.CharField(max_length=1, choices=Consciousness.choices)
    temperature_c = models.FloatField()
    altitude_m = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField()
    parameters = models.JSONField(default=dict)
    response = models.CharField(max_length=12)

    objects = AccessManager()
    access = AccessRule(
        read=REGION_READERS, units=("ambulance__unit",), read_units=("call__hospital",)
    )

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("vital signs")
        verbose_name_plural = _("vital signs")
        constraints = [
            models.UniqueConstraint(fields=["ambulance", "msg_id"], name="health_vitals_once")
        ]


class SyndromicCount(models.Model):
    """A clinic's daily count of patients with one syndrome, per county (data from reports)."""

    division = models.ForeignKey(
        "core.AdminDivision", verbose_name=_("county"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("reporting unit"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    syndrome = models.CharField(_("syndrome"), max_length=16, choices=Syndrome.choices)
    count = models.PositiveIntegerField(_("count"))

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS, units=("unit",))

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "division", "day", "syndrome"], name="health_syndromic_once"
            )
        ]


class Consultation(ChangeLoggedModel):
    """A remote consultation (远程会诊): a county or township clinic asks a regional hospital;
    the hospital schedules a specialist; the session's 5G link quality and the outcome are kept."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    requesting_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("requesting clinic"), on_delete=models.PROTECT, related_name="+"
    )
    consulting_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("consulting hospital"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    patient_ref = models.CharField(_("patient pseudonym"), max_length=32)
    question = models.TextField(_("question"), max_length=4000)
    attachments = models.JSONField(
        _("attachments"),
        default=list,
        blank=True,
        help_text=_("references to DICOM studies or reports held by the clinic's systems"),
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ConsultationState.choices,
        default=ConsultationState.REQUESTED,
    )
    requested_at = models.DateTimeField(_("requested at"))
    specialist = models.CharField(_("specialist"), max_length=100, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    session_started_at = models.DateTimeField(_("session started"), null=True, blank=True)
    session_ended_at = models.DateTimeField(_("session ended"), null=True, blank=True)
    link_rtt_ms = models.FloatField(_("5G round-trip time (ms)"), null=True, blank=True)
    link_downlink_mbps = models.FloatField(_("5G downlink (Mbit/s)"), null=True, blank=True)
    link_uplink_mbps = models.FloatField(_("5G uplink (Mbit/s)"), null=True, blank=True)
    link_loss_pct = models.FloatField(_("packet loss (%)"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    access = AccessRule(read=REGION_READERS, units=("requesting_unit", "consulting_unit"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.number
