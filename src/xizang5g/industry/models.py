from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.industry.choices import AlarmLevel, DamType, IdentifierKind, MineKind, MonitoringItem

# Region readers read every enterprise's mines; the enterprise's editors read and change its own.
ENTERPRISE_RULE = AccessRule(read=REGION_READERS, units=("unit",))


class Mine(ChangeLoggedModel):
    """A mine and the enterprise (unit) that runs it."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=MineKind.choices)
    mineral = models.CharField(_("mineral"), max_length=64, blank=True)
    elevation_m = models.FloatField(_("elevation (m)"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    pilot = models.ForeignKey(
        "core.Pilot",
        verbose_name=_("pilot project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The haul fleet for dispatch: {"trucks": n, "loaders": [{name, load_min, travel_min}]}.
    fleet = models.JSONField(_("haul fleet"), default=dict, blank=True)

    access = ENTERPRISE_RULE

    class Meta:
        ordering = ["name"]
        verbose_name = _("mine")

    def __str__(self):
        return self.name


class TailingsPond(ChangeLoggedModel):
    """A tailings pond (尾矿库) with its grade and the design values its alarm levels come from."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="ponds")
    name = models.CharField(_("name"), max_length=200)
    grade = models.PositiveSmallIntegerField(_("grade (1–5)"), default=3)
    dam_type = models.CharField(_("dam type"), max_length=16, choices=DamType.choices)
    # Design values (GB 50863 / the design documents, clause 5.5.4: the design unit gives them).
    min_phreatic_depth_m = models.FloatField(_("minimum seepage line depth (m)"))
    min_beach_length_m = models.FloatField(_("minimum dry-beach length (m)"))
    production_level_m = models.FloatField(_("production control water level (m)"))
    flood_control_level_m = models.FloatField(_("flood-season control water level (m)"))
    max_flood_level_m = models.FloatField(_("design highest flood level (m)"))
    displacement_limit_mm = models.FloatField(_("allowable cumulative displacement (mm)"))

    access = AccessRule(via="mine")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tailings pond")

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.production_level_m < self.flood_control_level_m < self.max_flood_level_m):
            raise ValidationError(
                _("Water levels must rise: production < flood-season control < highest flood.")
            )


class MonitoringPoint(ChangeLoggedModel):
    """One online monitoring point of a pond, reported by an IoT device."""

    pond = models.ForeignKey(TailingsPond, on_delete=models.CASCADE, related_name="points")
    code = models.CharField(_("code"), max_length=32)
    item = models.CharField(_("item"), max_length=32, choices=MonitoringItem.choices)
    device = models.OneToOneField(
        "iot.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Per-point thresholds from the design unit override the derived ones: {"1": v, ..., "4": v}.
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)

    access = AccessRule(via="pond")

    class Meta:
        ordering = ["pond", "item", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pond", "code"], name="industry_point_code_once")
        ]
        verbose_name = _("monitoring point")

    def __str__(self):
        return self.code


class PointState(models.Model):
    """Runtime state of a monitoring point derived from telemetry (not change-logged)."""

    point = models.OneToOneField(MonitoringPoint, on_delete=models.CASCADE, related_name="state")
    value = models.FloatField(null=True)
    level = models.PositiveSmallIntegerField(choices=AlarmLevel.choices, default=0)
    time = models.DateTimeField(null=True)

    objects = AccessManager()
    access = AccessRule(via="point")


class Zone(ChangeLoggedModel):
    """An underground zone of the personnel positioning system (AQ 2032)."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    restricted = models.BooleanField(_("restricted"), default=False)

    access = AccessRule(via="mine")

    class Meta:
        ordering = ["mine", "name"]
        verbose_name = _("zone")

    def __str__(self):
        return self.name


class Presence(models.Model):
    """Who is underground now, where, and since when (machine-written, not change-logged)."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="+")
    card = models.CharField(max_length=32)
    person = models.CharField(max_length=100)
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    objects = AccessManager()
    access = AccessRule(via="mine")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mine", "card"], name="industry_card_once")]


class GasState(models.Model):
    """Latest air readings of an underground sensor and their alarms (runtime state)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    device = models.OneToOneField("iot.Device", on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    alarms = models.JSONField(default=list)
    time = models.DateTimeField(null=True)

    objects = AccessManager()
    access = AccessRule(via="zone")


class SlopePoint(ChangeLoggedModel):
    """A slope-radar or GNSS point on an open-pit slope: displacement readings of an IoT device."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="slope_points")
    code = models.CharField(_("code"), max_length=32)
    device = models.OneToOneField(
        "iot.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    property = models.CharField(_("displacement property"), max_length=50, default="displacement")

    access = AccessRule(via="mine")

    class Meta:
        ordering = ["mine", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mine", "code"], name="industry_slope_code_once")
        ]
        verbose_name = _("slope point")

    def __str__(self):
        return self.code


class HandleUser(ChangeLoggedModel):
    """An enterprise's write credential for its Handle prefix (`300:<prefix>/<name>`)."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(_("prefix"), max_length=64)
    name = models.CharField(_("name"), max_length=64, default="ADMIN")
    index = models.PositiveIntegerField(_("index"), default=300)
    password = models.CharField(max_length=256)

    access = ENTERPRISE_RULE
    changelog_exclude = ("created_at", "updated_at", "password")

    class Meta:
        ordering = ["prefix", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "name"], name="industry_handle_user_once")
        ]

    def __str__(self):
        return f"{self.index}:{self.prefix}/{self.name}"


class Identifier(ChangeLoggedModel):
    """One identifier (Handle) of the enterprise node with its typed values."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    handle = models.CharField(_("handle"), max_length=255, unique=True)
    prefix = models.CharField(_("prefix"), max_length=64, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=IdentifierKind.choices, default=IdentifierKind.OTHER
    )
    values = models.JSONField(_("values"), default=list)

    access = AccessRule(read=REGION_READERS, units=("unit",))

    class Meta:
        ordering = ["handle"]
        verbose_name = _("identifier")

    def __str__(self):
        return self.handle


class ResolutionCount(models.Model):
    """Resolutions per prefix and day (bookkeeping of the statistics, not change-logged)."""

    prefix = models.CharField(max_length=64)
    day = models.DateField()
    hits = models.PositiveBigIntegerField(default=0)
    misses = models.PositiveBigIntegerField(default=0)

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="industry_resolution_day")
        ]
