"""Status values and kinds of the 5G supervision app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.radio import antennas


class Band(models.TextChoices):
    """5G NR bands in use in Xizang (MIIT allocations)."""

    N28 = "n28", _("700 MHz (n28)")
    N41 = "n41", _("2.6 GHz (n41)")
    N78 = "n78", _("3.4–3.6 GHz (n78)")
    N79 = "n79", _("4.9 GHz (n79)")


class StationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_SERVICE = "in_service", _("In service")
    SUSPENDED = "suspended", _("Suspended")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class CellPattern(models.TextChoices):
    """Base-station antenna patterns: the engine's identifiers (`radio.antennas.PATTERNS`)."""

    F1336 = antennas.F1336, _("ITU-R F.1336 sectoral")
    M2101 = antennas.M2101, _("ITU-R M.2101 array (AAS)")


class EarthStationPattern(models.TextChoices):
    """Earth-station antenna patterns: the engine's identifiers (`radio.antennas.PATTERNS`)."""

    S465 = antennas.S465, _("ITU-R S.465")
    S580 = antennas.S580, _("ITU-R S.580")


class EarthStationPurpose(models.TextChoices):
    BROADCASTING = "broadcasting", _("Broadcast TV/radio reception")
    CABLE_HEADEND = "cable_headend", _("Cable TV head-end")
    MONITORING = "monitoring", _("Monitoring")
    METEOROLOGY = "meteorology", _("Meteorological data reception")
    OTHER = "other", _("Other")


class StudyScope(models.TextChoices):
    STATIONS = "stations", _("Selected earth stations")
    COUNTY = "county", _("All earth stations of a county")
    ALL = "all", _("All earth stations")


class StudyStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class CaseState(models.TextChoices):
    APPLIED = "applied", _("Application (申请)")
    COMPUTING = "computing", _("Calculation (计算)")
    COORDINATING = "coordinating", _("Coordinating (协调中)")
    IMPLEMENTING = "implementing", _("Measures in progress (措施实施)")
    REVIEWING = "reviewing", _("Review (复核)")
    CLOSED = "closed", _("Closed (结案)")
    REJECTED = "rejected", _("Rejected (驳回)")


class CaseOrigin(models.TextChoices):
    OPERATOR = "operator", _("Operator request (new or changed cell)")
    STUDY = "study", _("Regulator, from a study failure")


class MitigationKind(models.TextChoices):
    LNB_FILTER = "lnb_filter", _("LNB band-pass filter at the earth station")
    POWER_REDUCTION = "power_reduction", _("Transmit power reduction")
    AZIMUTH_TILT = "azimuth_tilt", _("Azimuth / tilt change")
    SITE_MOVE = "site_move", _("Site move")


class CaseAction(models.TextChoices):
    OPENED = "opened", _("Opened")
    ADVANCED = "advanced", _("Advanced")
    REJECTED = "rejected", _("Rejected")
    MITIGATION = "mitigation", _("Mitigation proposed")
    WHATIF = "whatif", _("What-if evaluated")
    DOCUMENT = "document", _("Document added")
    COMMENT = "comment", _("Comment")


class TerrainKind(models.TextChoices):
    GEOTIFF = "geotiff", _("GeoTIFF")
    HGT = "hgt", _("SRTM HGT")
    SYNTHETIC = "synthetic", _("Synthetic plateau (demo)")


class VillageKind(models.TextChoices):
    ADMIN_VILLAGE = "village", _("Administrative village")
    TOWNSHIP = "township", _("Township")
