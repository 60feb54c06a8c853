from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.industry.choices import (
    AlarmLevel,
    DamType,
    IdentifierKind,
    MachineKind,
    MachineState,
    MineKind,
    MonitoringItem,
    Shift,
    TruckState,
)
from xizang5g.industry.constants import (
    DEFAULT_FAULT_ALERT_MIN,
    DEFAULT_OEE_TARGET,
    DEFAULT_SHIFT_START,
)

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
    shift_start = models.TimeField(
        _("day shift starts (local time)"), default=time.fromisoformat(DEFAULT_SHIFT_START)
    )
    # where loaded trucks dump (the crusher or the waste dump) for the dispatch map
    dump_latitude = models.FloatField(_("dump latitude"), null=True, blank=True)
    dump_longitude = models.FloatField(_("dump longitude"), null=True, blank=True)

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


# ------------------------------------------------------------------------------ smart factory
class ProductionLine(ChangeLoggedModel):
    """A production line of an enterprise's plant (bottled water, cement …) whose OEE is computed
    per shift and per hour from its machines' states and counters."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_bo = models.CharField(_("name (Tibetan)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    product = models.CharField(_("product"), max_length=200)
    ideal_cycle_s = models.FloatField(
        _("ideal cycle time (s per unit)"),
        validators=[MinValueValidator(0.001), MaxValueValidator(86400)],
    )
    shift_start = models.TimeField(
        _("day shift starts (local time)"), default=time.fromisoformat(DEFAULT_SHIFT_START)
    )
    planned_shifts = models.JSONField(
        _("planned shifts"), default=list, blank=True, help_text=_('e.g. ["day", "night"]')
    )
    oee_target = models.FloatField(
        _("OEE target"),
        default=DEFAULT_OEE_TARGET,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    fault_alert_min = models.PositiveIntegerField(
        _("fault alert after (min)"),
        default=DEFAULT_FAULT_ALERT_MIN,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    access = ENTERPRISE_RULE

    class Meta:
        ordering = ["code"]
        verbose_name = _("production line")

    def __str__(self):
        return self.name

    def clean(self):
        shifts = self.planned_shifts
        if not isinstance(shifts, list) or any(s not in Shift.values for s in shifts):
            raise ValidationError(
                {"planned_shifts": _("Planned shifts are a list of: day, night.")}
            )

    def planned(self, kind: str) -> bool:
        return kind in (self.planned_shifts or [])


class Machine(ChangeLoggedModel):
    """A machine of a line, reporting its state and counters through an IoT device. The line's
    availability and performance are those of its constraint (the bottleneck, e.g. the filler)."""

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="machines")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=MachineKind.choices)
    position = models.PositiveSmallIntegerField(_("position on the line"), default=1)
    constraint = models.BooleanField(_("constraint (bottleneck)"), default=False)
    device = models.OneToOneField(
        "iot.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    access = AccessRule(via="line")

    class Meta:
        ordering = ["line", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["line", "code"], name="industry_machine_code_once")
        ]
        verbose_name = _("machine")

    def __str__(self):
        return f"{self.code} {self.name}"


class MachineStatus(models.Model):
    """A machine's current state, reason, since when, its last counters and how far its time is
    accounted into the hour buckets (runtime state, not change-logged)."""

    machine = models.OneToOneField(Machine, on_delete=models.CASCADE, related_name="status")
    state = models.CharField(max_length=8, choices=MachineState.choices)
    reason = models.CharField(max_length=100, blank=True)
    since = models.DateTimeField()
    time = models.DateTimeField()  # the last reading, up to which the time is accounted
    total = models.BigIntegerField(null=True)  # the last cumulative counters (controller's)
    reject = models.BigIntegerField(null=True)

    objects = AccessManager()
    access = AccessRule(via="machine")

    class Meta:
        verbose_name = _("machine status")
        verbose_name_plural = _("machine statuses")


class MachineInterval(models.Model):
    """One stretch of a machine in one state (data from telemetry); `end` is null while open."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="intervals")
    state = models.CharField(max_length=8, choices=MachineState.choices)
    reason = models.CharField(max_length=100, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True)

    objects = AccessManager()
    access = AccessRule(via="machine")

    class Meta:
        verbose_name = _("machine interval")
        indexes = [models.Index(fields=["machine", "start"])]


class LineHour(models.Model):
    """A line's time and counts in one UTC hour (data derived from telemetry): seconds per state
    of its constraint machine, the constraint's units and the line's rejects, seconds lost per
    stop reason."""

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="hours")
    hour = models.DateTimeField()
    run_s = models.FloatField(default=0)
    stop_s = models.FloatField(default=0)
    fault_s = models.FloatField(default=0)
    idle_s = models.FloatField(default=0)
    total = models.BigIntegerField(default=0)
    reject = models.BigIntegerField(default=0)
    losses = models.JSONField(default=dict)  # {reason: seconds}

    objects = AccessManager()
    access = AccessRule(via="line")

    class Meta:
        verbose_name = _("line hour")
        constraints = [models.UniqueConstraint(fields=["line", "hour"], name="industry_line_hour")]


class LineShift(models.Model):
    """A line's OEE over one shift, stored when its hours change (data derived from LineHour)."""

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="shifts")
    day = models.DateField()
    shift = models.CharField(max_length=8, choices=Shift.choices)
    planned_s = models.FloatField(default=0)  # planned busy time so far (ISO 22400 PBT)
    run_s = models.FloatField(default=0)
    stop_s = models.FloatField(default=0)
    fault_s = models.FloatField(default=0)
    idle_s = models.FloatField(default=0)
    total = models.BigIntegerField(default=0)
    good = models.BigIntegerField(default=0)
    availability = models.FloatField(default=0)
    performance = models.FloatField(default=0)
    quality = models.FloatField(default=0)
    oee = models.FloatField(default=0)
    losses = models.JSONField(default=dict)  # {reason: seconds}, "no data" included
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccessManager()
    access = AccessRule(via="line")

    class Meta:
        verbose_name = _("line shift")
        ordering = ["-day", "-shift"]
        constraints = [
            models.UniqueConstraint(fields=["line", "day", "shift"], name="industry_line_shift")
        ]

    def ranked_losses(self) -> list[tuple[str, float]]:
        """(reason, seconds), the largest first (a JSON object keeps no order on PostgreSQL)."""
        return sorted(self.losses.items(), key=lambda kv: (-kv[1], kv[0]))


# ------------------------------------------------------------------------------ live dispatch
class Loader(ChangeLoggedModel):
    """A loader (shovel, excavator) of an open pit, with its nominal loading and haul times."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="loaders")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    load_min = models.FloatField(
        _("nominal loading time (min)"), validators=[MinValueValidator(0.1)]
    )
    travel_min = models.FloatField(
        _("nominal haul to the dump (min)"), validators=[MinValueValidator(0.1)]
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    device = models.OneToOneField(
        "iot.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    access = AccessRule(via="mine")

    class Meta:
        ordering = ["mine", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mine", "code"], name="industry_loader_code_once")
        ]
        verbose_name = _("loader")

    def __str__(self):
        return f"{self.code} {self.name}"


class HaulTruck(ChangeLoggedModel):
    """A haul truck reporting position, payload and state through its 5G terminal."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="trucks")
    code = models.CharField(_("code"), max_length=32)
    capacity_t = models.FloatField(_("payload capacity (t)"), validators=[MinValueValidator(1)])
    device = models.OneToOneField(
        "iot.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    access = AccessRule(via="mine")

    class Meta:
        ordering = ["mine", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mine", "code"], name="industry_truck_code_once")
        ]
        verbose_name = _("haul truck")

    def __str__(self):
        return self.code


class TruckStatus(models.Model):
    """A truck's live state and the cycle under way (runtime state, not change-logged): the
    seconds of each phase so far, the loader it loaded at, its destination."""

    truck = models.OneToOneField(HaulTruck, on_delete=models.CASCADE, related_name="status")
    state = models.CharField(max_length=8, choices=TruckState.choices)
    since = models.DateTimeField()
    time = models.DateTimeField()
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    payload_t = models.FloatField(default=0)
    cycle_start = models.DateTimeField(null=True)  # the truck left the dump
    phases = models.JSONField(default=dict)  # {state: seconds} of the cycle under way
    loader = models.ForeignKey(Loader, null=True, on_delete=models.SET_NULL, related_name="+")
    target = models.ForeignKey(Loader, null=True, on_delete=models.SET_NULL, related_name="+")
    cycle_payload_t = models.FloatField(default=0)

    objects = AccessManager()
    access = AccessRule(via="truck")

    class Meta:
        verbose_name = _("truck status")
        verbose_name_plural = _("truck statuses")


class TruckCycle(models.Model):
    """One completed haul cycle (data derived from telemetry): dump → loader → dump."""

    truck = models.ForeignKey(HaulTruck, on_delete=models.CASCADE, related_name="cycles")
    loader = models.ForeignKey(Loader, null=True, on_delete=models.SET_NULL, related_name="cycles")
    start = models.DateTimeField()  # left the dump
    end = models.DateTimeField()  # finished dumping
    empty_min = models.FloatField(default=0)
    queue_min = models.FloatField(default=0)
    load_min = models.FloatField(default=0)
    haul_min = models.FloatField(default=0)  # loaded travel
    dump_min = models.FloatField(default=0)
    other_min = models.FloatField(default=0)  # idle or down within the cycle
    payload_t = models.FloatField(default=0)

    objects = AccessManager()
    access = AccessRule(via="truck")

    class Meta:
        verbose_name = _("truck cycle")
        ordering = ["-end"]
        indexes = [models.Index(fields=["truck", "end"]), models.Index(fields=["loader", "end"])]
        constraints = [models.UniqueConstraint(fields=["truck", "end"], name="industry_cycle_once")]

    @property
    def cycle_min(self) -> float:
        return (self.end - self.start).total_seconds() / 60


class TruckHour(models.Model):
    """A truck's seconds in each state within one UTC hour (data derived from telemetry)."""

    truck = models.ForeignKey(HaulTruck, on_delete=models.CASCADE, related_name="hours")
    hour = models.DateTimeField()
    seconds = models.JSONField(default=dict)  # {state: seconds}

    objects = AccessManager()
    access = AccessRule(via="truck")

    class Meta:
        verbose_name = _("truck hour")
        constraints = [
            models.UniqueConstraint(fields=["truck", "hour"], name="industry_truck_hour")
        ]


class Assignment(ChangeLoggedModel):
    """A dispatcher's assignment of a truck leaving the dump to a loader, with what the MTWT rule
    recommended at the time."""

    mine = models.ForeignKey(Mine, on_delete=models.CASCADE, related_name="assignments")
    truck = models.ForeignKey(HaulTruck, on_delete=models.CASCADE, related_name="assignments")
    loader = models.ForeignKey(Loader, on_delete=models.CASCADE, related_name="assignments")
    recommended = models.ForeignKey(
        Loader, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected_wait_min = models.FloatField(_("expected wait (min)"), null=True, blank=True)
    at = models.DateTimeField(_("time"))

    access = AccessRule(via="mine")

    class Meta:
        ordering = ["-at"]
        verbose_name = _("truck assignment")

    def __str__(self):
        return f"{self.truck} → {self.loader}"

    def clean(self):
        if self.truck_id and self.truck.mine_id != self.mine_id:
            raise ValidationError({"truck": _("The truck is not of this mine.")})
        if self.loader_id and self.loader.mine_id != self.mine_id:
            raise ValidationError({"loader": _("The loader is not of this mine.")})
