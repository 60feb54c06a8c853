from django.db import models
from django.utils.translation import gettext_lazy as _


class MineKind(models.TextChoices):
    OPEN_PIT = "open_pit", _("Open pit")
    UNDERGROUND = "underground", _("Underground")
    COMBINED = "combined", _("Open pit and underground")


class DamType(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream")
    DOWNSTREAM = "downstream", _("Downstream")
    CENTERLINE = "centerline", _("Centerline")


class MonitoringItem(models.TextChoices):
    """The online monitoring items of GB 51108-2015 (clause 5.5.2 of GB 50863 names the same)."""

    PHREATIC = "phreatic", _("Seepage line depth")
    SURFACE_DISPLACEMENT = "surface_displacement", _("Dam-surface displacement (GNSS)")
    INTERNAL_DISPLACEMENT = "internal_displacement", _("Internal displacement")
    BEACH_LENGTH = "beach_length", _("Dry-beach length")
    WATER_LEVEL = "water_level", _("Pond water level")
    RAINFALL = "rainfall", _("Rainfall (24 h)")


class AlarmLevel(models.IntegerChoices):
    """GB 51108-2015 (and GB 50863-2013 5.5.4): four levels, from low to high."""

    NONE = 0, _("Normal")
    BLUE = 1, _("Blue")
    YELLOW = 2, _("Yellow")
    ORANGE = 3, _("Orange")
    RED = 4, _("Red")


class IdentifierKind(models.TextChoices):
    ORE_BATCH = "ore_batch", _("Ore batch")
    CEMENT_LOT = "cement_lot", _("Cement lot")
    WATER_LOT = "water_lot", _("Bottled-water lot")
    OTHER = "other", _("Other")


class MachineState(models.TextChoices):
    """A production machine's state as its controller reports it (ISO 22400-2 time model): run is
    production time, stop and fault unplanned downtime, idle planned downtime (break, no order)."""

    RUN = "run", _("Running")
    STOP = "stop", _("Stopped")
    IDLE = "idle", _("Idle (planned)")
    FAULT = "fault", _("Fault")


class MachineKind(models.TextChoices):
    FILLER = "filler", _("Filler")
    CAPPER = "capper", _("Capper")
    LABELLER = "labeller", _("Labeller")
    PACKER = "packer", _("Packer")
    KILN = "kiln", _("Kiln")
    MILL = "mill", _("Mill")
    OTHER = "other", _("Other")


class TruckState(models.TextChoices):
    """A haul truck's state as its fleet-management terminal reports it."""

    EMPTY = "empty", _("Empty travel")
    QUEUEING = "queueing", _("Queueing")
    LOADING = "loading", _("Loading")
    LOADED = "loaded", _("Loaded travel")
    DUMPING = "dumping", _("Dumping")
    IDLE = "idle", _("Idle")
    DOWN = "down", _("Down (maintenance)")


class Shift(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift")
