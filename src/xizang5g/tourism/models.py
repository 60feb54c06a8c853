"""Scenic spots (景区) with their zones and capacity (LB/T 034-2014), counts, occupancy and levels,
car parks, tourism data and content."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.tourism import constants as C
from xizang5g.tourism.choices import ContentKind, CountSource, CrowdLevel

# The spot's managing unit reads and writes it; so does the tourism department, named on each
# spot as its supervising unit (区旅游发展厅 / 文化和旅游厅) — set by the services.
SPOT_RULE = AccessRule(read=REGION_READERS, units=("managing_unit", "supervising_unit"))


class ScenicSpot(ChangeLoggedModel):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_bo = models.CharField(_("name (Tibetan)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    a_level = models.PositiveSmallIntegerField(
        _("A-level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    county = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lon = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    lat = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    altitude_m = models.FloatField(_("altitude (m)"), null=True, blank=True)
    opening_hours = models.JSONField(
        _("opening hours by season"),
        default=list,
        blank=True,
        help_text=_(
            'e.g. [{"season": "summer", "months": [5,6,7,8,9,10], "open": "09:00", "close": "16:00"}]'
        ),
    )
    open_hours = models.FloatField(
        _("open hours per day"), validators=[MinValueValidator(0.5), MaxValueValidator(24)]
    )
    average_stay_hours = models.FloatField(
        _("average stay (hours)"), validators=[MinValueValidator(0.1), MaxValueValidator(24)]
    )
    cap_daily = models.PositiveIntegerField(
        _("legal or reservation daily cap"), null=True, blank=True
    )
    capacity_instant = models.PositiveIntegerField(_("instantaneous capacity C1"), default=0)
    capacity_daily = models.PositiveIntegerField(_("daily capacity C2"), default=0)
    busy_pct = models.PositiveSmallIntegerField(
        _("busy from (percent of C1)"), default=C.DEFAULT_BUSY_PCT
    )
    warning_pct = models.PositiveSmallIntegerField(
        _("warning from (percent of C1)"), default=C.DEFAULT_WARNING_PCT
    )
    saturated_pct = models.PositiveSmallIntegerField(
        _("saturated from (percent of C1)"), default=C.DEFAULT_SATURATED_PCT
    )
    hysteresis_pct = models.PositiveSmallIntegerField(
        _("hysteresis (percentage points)"), default=C.DEFAULT_HYSTERESIS_PCT
    )
    ticket_price_yuan = models.DecimalField(
        _("ticket price (yuan)"), max_digits=8, decimal_places=2, default=0
    )
    managing_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    supervising_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("tourism department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    access = SPOT_RULE

    class Meta:
        ordering = ["-a_level", "code"]
        verbose_name = _("scenic spot")
        verbose_name_plural = _("scenic spots")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not (self.busy_pct < self.warning_pct <= self.saturated_pct):
            raise ValidationError(
                {"warning_pct": _("Levels must rise: busy < warning ≤ saturated.")}
            )
        if (self.lon is None) != (self.lat is None):
            raise ValidationError({"lat": _("Give both longitude and latitude, or neither.")})


class Zone(ChangeLoggedModel):
    """A part of a spot (the palace interior, the square): effective area Xi and space per
    visitor Yi of LB/T 034-2014."""

    spot = models.ForeignKey(ScenicSpot, on_delete=models.CASCADE, related_name="zones")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    area_m2 = models.FloatField(_("effective area Xi (m²)"), validators=[MinValueValidator(1)])
    per_visitor_m2 = models.FloatField(
        _("space per visitor Yi (m²)"), validators=[MinValueValidator(0.1)]
    )
    capacity_instant = models.PositiveIntegerField(_("instantaneous capacity"), default=0)

    objects = AccessManager()
    access = AccessRule(via="spot")

    class Meta:
        ordering = ["spot", "code"]
        constraints = [
            models.UniqueConstraint(fields=["spot", "code"], name="tourism_zone_code_once")
        ]

    def __str__(self) -> str:
        return self.name


class Gate(ChangeLoggedModel):
    """A gate counter (an IoT device whose thing model declares `gate_counter`) at a zone."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="gates")
    device = models.OneToOneField(
        "iot.Device", on_delete=models.CASCADE, related_name="tourism_gate"
    )

    access = AccessRule(via="zone")

    class Meta:
        ordering = ["zone", "id"]


class CountSample(models.Model):
    """Cumulative entries and exits since the day's opening, from one source at one zone (data).
    Kept once per zone, source and time (pushes over HTTP), or per device message (gates), so a
    repeated push or a redelivered message is stored once."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="samples")
    source = models.CharField(max_length=80)  # "gate:<device id>", "api", "ticket"
    kind = models.CharField(max_length=16, choices=CountSource.choices)
    at = models.DateTimeField()
    day = models.DateField()  # local day of `at`
    entries = models.PositiveIntegerField()
    exits = models.PositiveIntegerField()
    msg_id = models.CharField(max_length=64, blank=True)  # a device message (redelivered once)

    objects = AccessManager()
    access = AccessRule(via="zone")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "source", "at"],
                condition=models.Q(msg_id=""),
                name="tourism_countsample_once",
            ),
            models.UniqueConstraint(
                fields=["zone", "source", "msg_id"],
                condition=~models.Q(msg_id=""),
                name="tourism_countsample_message_once",
            ),
        ]
        indexes = [models.Index(fields=["zone", "day", "source", "at"])]


class ZoneCounter(models.Model):
    """The latest cumulative count of each source at a zone today, and its count at the time of
    the zone's latest headcount (runtime state derived from the counts: one row per source)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="counters")
    source = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=CountSource.choices)
    day = models.DateField()
    at = models.DateTimeField()
    entries = models.PositiveIntegerField()
    exits = models.PositiveIntegerField()
    base_entries = models.PositiveIntegerField(default=0)
    base_exits = models.PositiveIntegerField(default=0)

    objects = AccessManager()
    access = AccessRule(via="zone")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "source"], name="tourism_zonecounter_once")
        ]


class Headcount(models.Model):
    """A periodic headcount of a zone (operators' signalling data): it replaces the drifting
    entries − exits from its time on (data)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="headcounts")
    at = models.DateTimeField()
    day = models.DateField()  # local day of `at`
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=80, blank=True)

    objects = AccessManager()
    access = AccessRule(via="zone")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "at"], name="tourism_headcount_once")
        ]


class SpotState(models.Model):
    """Live occupancy and level of a spot (runtime state derived from counts)."""

    spot = models.OneToOneField(ScenicSpot, on_delete=models.CASCADE, related_name="state")
    day = models.DateField(null=True)
    occupancy = models.PositiveIntegerField(default=0)
    entries_today = models.PositiveIntegerField(default=0)
    level = models.CharField(
        max_length=16, choices=CrowdLevel.choices, default=CrowdLevel.COMFORTABLE
    )
    level_since = models.DateTimeField(null=True)
    zones = models.JSONField(default=dict)  # zone code → occupancy
    updated_at = models.DateTimeField(null=True)

    objects = AccessManager()
    access = AccessRule(via="spot")


class OccupancyPoint(models.Model):
    """The spot's occupancy after each update (data, for the live chart and the statistics)."""

    spot = models.ForeignKey(ScenicSpot, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    occupancy = models.PositiveIntegerField()
    entries = models.PositiveIntegerField()

    objects = AccessManager()
    access = AccessRule(via="spot")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["spot", "at"])]


class DailyStat(models.Model):
    """Tourism data per spot and day: visitors, origin provinces (operator data), length of stay,
    ticket revenue (data)."""

    spot = models.ForeignKey(ScenicSpot, on_delete=models.CASCADE, related_name="daily")
    date = models.DateField()
    visitors = models.PositiveIntegerField()
    revenue_yuan = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    stay_hours = models.FloatField(null=True, blank=True)
    origins = models.JSONField(default=dict, blank=True)  # province → visitors

    objects = AccessManager()
    access = AccessRule(via="spot")

    class Meta:
        ordering = ["date", "spot"]
        constraints = [
            models.UniqueConstraint(fields=["spot", "date"], name="tourism_dailystat_once")
        ]


class Forecast(models.Model):
    """The latest forecast of a spot's arrivals with its backtest (runtime state derived from
    the daily data)."""

    spot = models.OneToOneField(ScenicSpot, on_delete=models.CASCADE, related_name="forecast")
    computed_at = models.DateTimeField()
    method = models.CharField(max_length=120)
    daily = models.JSONField(default=list)  # [{date, arrivals, low, high, holiday}]
    hourly = models.JSONField(default=list)  # [{hour, arrivals}] for today
    backtest = models.JSONField(default=dict)  # {days, mape, mae, naive_mape, naive_mae}
    quota_today = models.PositiveIntegerField(null=True)

    objects = AccessManager()
    access = AccessRule(via="spot")


class CarPark(ChangeLoggedModel):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    spot = models.ForeignKey(
        ScenicSpot,
        verbose_name=_("scenic spot"),
        on_delete=models.CASCADE,
        related_name="car_parks",
    )
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    spaces = models.PositiveIntegerField(_("spaces"))
    occupied = models.PositiveIntegerField(_("occupied"), default=0)
    occupied_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    access = AccessRule(via="spot")
    changelog_exclude = ("created_at", "updated_at", "occupied", "occupied_at")

    class Meta:
        ordering = ["spot", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def free(self) -> int:
        return max(0, self.spaces - self.occupied)


class ContentItem(ChangeLoggedModel):
    """A VR scene or a live stream of a spot."""

    spot = models.ForeignKey(ScenicSpot, on_delete=models.CASCADE, related_name="content")
    kind = models.CharField(_("kind"), max_length=8, choices=ContentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"))
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    available = models.BooleanField(_("available"), default=True)

    access = AccessRule(via="spot")

    class Meta:
        ordering = ["spot", "kind", "title"]

    def __str__(self) -> str:
        return self.title
