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
