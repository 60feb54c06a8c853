"""5G supervision (5G监管): registry, terrain, studies, coordination cases, EMF, coverage, reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core import texts
from xizang5g.core.access import EVERYONE, REGION_READERS, AccessManager, AccessRule
from xizang5g.core.choices import Role
from xizang5g.core.files import RandomName
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.network.choices import (
    Band,
    CaseAction,
    CaseOrigin,
    CaseState,
    CellPattern,
    EarthStationPattern,
    EarthStationPurpose,
    MitigationKind,
    StationStatus,
    StudyScope,
    StudyStatus,
    TerrainKind,
    VillageKind,
)
from xizang5g.network.constants import DEFAULT_COORDINATION_KM, IN_BAND_I_N_DB


# ---------------------------------------------------------------------------------- registry
class Site(ChangeLoggedModel):
    """基站站址: one base-station site (a tower or rooftop) registered by an operator."""

    operator = models.ForeignKey(
        "core.Unit", verbose_name=_("operator"), on_delete=models.PROTECT, related_name="sites"
    )
    code = models.CharField(_("site code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    division = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites",
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    ground_m = models.FloatField(_("ground height (m a.s.l.)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StationStatus.choices, default=StationStatus.IN_SERVICE
    )
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)

    # Operators keep their own sites; the radio regulator keeps the whole registry.
    access = AccessRule(read=REGION_READERS, write={Role.REGULATOR}, units=("operator",))

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["lat", "lon"])]
        verbose_name = _("base-station site")
        verbose_name_plural = _("base-station sites")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Cell(ChangeLoggedModel):
    """小区: one antenna sector of a site, with its band, power and pointing."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="cells"
    )
    operator = models.ForeignKey(
        "core.Unit", verbose_name=_("operator"), on_delete=models.PROTECT, related_name="cells"
    )
    code = models.CharField(_("cell code"), max_length=64, unique=True)
    band = models.CharField(_("band"), max_length=8, choices=Band.choices)
    f_mhz = models.FloatField(_("centre frequency (MHz)"))
    bw_mhz = models.FloatField(_("bandwidth (MHz)"))
    power_dbm = models.FloatField(_("transmit power (dBm, total)"))
    gain_dbi = models.FloatField(_("antenna gain (dBi)"), default=17.0)
    height_m = models.FloatField(_("antenna height above ground (m)"))
    azimuth_deg = models.FloatField(_("azimuth (°)"))
    mech_tilt_deg = models.FloatField(_("mechanical tilt (°, down positive)"), default=0.0)
    elec_tilt_deg = models.FloatField(_("electrical tilt (°, down positive)"), default=0.0)
    beamwidth_deg = models.FloatField(_("horizontal 3 dB beamwidth (°)"), default=65.0)
    pattern = models.CharField(
        _("antenna pattern"), max_length=8, choices=CellPattern.choices, default=CellPattern.F1336
    )
    emission_mask = models.JSONField(
        _("emission mask"),
        default=list,
        blank=True,
        help_text=_(
            "Unwanted emission PSD as [[offset from channel edge MHz, dBm/MHz], …]; "
            "empty means the 3GPP Category B limit of -30 dBm/MHz."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StationStatus.choices, default=StationStatus.IN_SERVICE
    )

    access = AccessRule(read=REGION_READERS, write={Role.REGULATOR}, units=("operator",))

    class Meta:
        ordering = ["code"]
        verbose_name = _("cell")
        verbose_name_plural = _("cells")

    def __str__(self) -> str:
        return self.code

    @property
    def eirp_dbm(self) -> float:
        return self.power_dbm + self.gain_dbi

    @property
    def downtilt_deg(self) -> float:
        return self.mech_tilt_deg + self.elec_tilt_deg


class EarthStation(ChangeLoggedModel):
    """卫星地球站: a receive earth station (C band above all) that 5G cells may interfere with."""

    owner = models.ForeignKey(
        "core.Unit",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="earth_stations",
    )
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=EarthStationPurpose.choices)
    division = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="earth_stations",
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    ground_m = models.FloatField(_("ground height (m a.s.l.)"), null=True, blank=True)
    antenna_height_m = models.FloatField(_("antenna height above ground (m)"), default=3.0)
    diameter_m = models.FloatField(_("antenna diameter (m)"))
    pattern = models.CharField(
        _("antenna pattern"),
        max_length=8,
        choices=EarthStationPattern.choices,
        default=EarthStationPattern.S465,
    )
    efficiency = models.FloatField(_("aperture efficiency"), default=0.65)
    satellite = models.CharField(_("satellite"), max_length=100)
    orbital_lon_deg = models.FloatField(_("orbital position (°E)"))
    rx_low_mhz = models.FloatField(_("receive band low (MHz)"), default=3700.0)
    rx_high_mhz = models.FloatField(_("receive band high (MHz)"), default=4200.0)
    carrier_low_mhz = models.FloatField(_("protected carrier low (MHz)"), default=3700.0)
    carrier_high_mhz = models.FloatField(_("protected carrier high (MHz)"), default=3736.0)
    noise_temp_k = models.FloatField(_("system noise temperature (K)"), default=100.0)
    lnb_gain_db = models.FloatField(_("LNB gain (dB)"), default=60.0)
    lnb_p1db_dbm = models.FloatField(
        _("LNB input P1dB (dBm)"),
        default=-10.0,
        help_text=_(
            "Input-referred 1 dB compression point of the LNB/LNA; blocking is checked "
            "10 dB below it."
        ),
    )
    filter_name = models.CharField(_("installed filter"), max_length=100, blank=True)
    filter_rejection_db = models.FloatField(
        _("filter rejection below the receive band (dB)"), default=0.0
    )
    i_n_criterion_db = models.FloatField(_("protection criterion I/N (dB)"), default=IN_BAND_I_N_DB)
    status = models.CharField(
        _("status"), max_length=16, choices=StationStatus.choices, default=StationStatus.IN_SERVICE
    )
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)

    # Every user sees the earth stations (operators coordinate with them); owners keep their own.
    access = AccessRule(read=EVERYONE, write={Role.REGULATOR}, units=("owner",))

    class Meta:
        ordering = ["code"]
        verbose_name = _("satellite earth station")
        verbose_name_plural = _("satellite earth stations")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# ---------------------------------------------------------------------------------- terrain
class TerrainTile(ChangeLoggedModel):
    """A registered DEM tile (GeoTIFF/HGT) or the synthetic plateau used by the demo."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TerrainKind.choices)
    path = models.CharField(_("file path"), max_length=500, blank=True)
    west = models.FloatField(_("west (°)"))
    south = models.FloatField(_("south (°)"))
    east = models.FloatField(_("east (°)"))
    north = models.FloatField(_("north (°)"))
    resolution_m = models.FloatField(_("resolution (m)"), default=90.0)
    params = models.JSONField(_("generator parameters"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    access = AccessRule(read=REGION_READERS, write={Role.REGULATOR})

    class Meta:
        ordering = ["name"]
        verbose_name = _("terrain tile")
        verbose_name_plural = _("terrain tiles")

    def __str__(self) -> str:
        return self.name

    @property
    def is_synthetic(self) -> bool:
        return self.kind == TerrainKind.SYNTHETIC


# ---------------------------------------------------------------------------------- studies
class InterferenceStudy(ChangeLoggedModel):
    """干扰计算: one batch run of the engine over (cell, earth station) pairs."""

    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(_("scope"), max_length=16, choices=StudyScope.choices)
    division = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    earth_stations = models.ManyToManyField(
        EarthStation, verbose_name=_("earth stations"), blank=True, related_name="studies"
    )
    coordination_km = models.FloatField(
        _("coordination distance (km)"), default=DEFAULT_COORDINATION_KM
    )
    p_percent = models.FloatField(_("time percentage, in-band (%)"), default=20.0)
    p_blocking_percent = models.FloatField(_("time percentage, blocking (%)"), default=1.0)
    mitigation = models.JSONField(_("mitigation what-if"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("base study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whatifs",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StudyStatus.choices, default=StudyStatus.QUEUED
    )
    progress = models.FloatField(_("progress (%)"), default=0.0)
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    task_id = models.CharField(_("job id"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=100, blank=True)
    inputs = models.JSONField(_("inputs (for reproduction)"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    terrain_synthetic = models.BooleanField(_("synthetic terrain"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Progress ticks are not configuration changes: keep them out of the change log.
    changelog_exclude = (
        "created_at",
        "updated_at",
        "progress",
        "progress_message",
        "inputs",
        "summary",
    )

    # Studies are the regulator's tool; operators see their results through their cases.
    access = AccessRule(read=REGION_READERS, write={Role.REGULATOR})

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("interference study")
        verbose_name_plural = _("interference studies")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in (StudyStatus.QUEUED, StudyStatus.RUNNING)

    @property
    def shown_progress_message(self) -> str:
        return texts.from_field(self.progress_message)


class StudyPair(models.Model):
    """Result for one (cell → earth station) pair of a study (data, not change-logged).

    Millions of rows per regional study are written with COPY; the foreign keys carry no
    database constraint (the job reads the ids from the registry in the same run, and the study
    keeps a snapshot of every input), and the study's rows are removed with
    `services.study_delete` in one statement.
    """

    study = models.ForeignKey(
        InterferenceStudy,
        on_delete=models.CASCADE,
        related_name="pairs",
        db_constraint=False,
        db_index=False,
    )
    earth_station = models.ForeignKey(
        EarthStation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    cell = models.ForeignKey(
        Cell, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    distance_km = models.FloatField(_("distance (km)"))
    lb_db = models.FloatField(_("basic transmission loss at the carrier (dB)"))
    lb_5g_db = models.FloatField(_("basic transmission loss at the 5G frequency (dB)"))
    gt_dbi = models.FloatField(_("cell gain toward earth station (dBi)"))
    gr_dbi = models.FloatField(_("earth-station gain toward cell (dBi)"))
    i_inband_dbm = models.FloatField(_("in-band interference I (dBm)"))
    i_over_n_db = models.FloatField(_("I/N (dB)"))
    inband_margin_db = models.FloatField(_("in-band margin (dB)"))
    blocking_dbm = models.FloatField(_("power at LNB input (dBm)"))
    blocking_margin_db = models.FloatField(_("blocking margin (dB)"))
    margin_db = models.FloatField(_("margin (dB)"))
    passes = models.BooleanField(_("passes"))

    objects = AccessManager()
    access = AccessRule(via="study")

    class Meta:
        ordering = ["margin_db"]
        indexes = [
            models.Index(fields=["study", "margin_db"]),
            models.Index(fields=["study", "earth_station"], name="network_pair_study_es"),
        ]
        verbose_name = _("study pair")
        verbose_name_plural = _("study pairs")


class StudyStationResult(models.Model):
    """Aggregate over all cells of a study for one earth station (data, not change-logged)."""

    study = models.ForeignKey(
        InterferenceStudy, on_delete=models.CASCADE, related_name="station_results"
    )
    earth_station = models.ForeignKey(EarthStation, on_delete=models.CASCADE, related_name="+")
    n_cells = models.PositiveIntegerField(_("cells within distance"))
    n_failing = models.PositiveIntegerField(_("failing cells"))
    aggregate_inband_dbm = models.FloatField(_("aggregate in-band interference (dBm)"), null=True)
    aggregate_inband_margin_db = models.FloatField(_("aggregate in-band margin (dB)"), null=True)
    aggregate_blocking_dbm = models.FloatField(_("aggregate LNB input power (dBm)"), null=True)
    aggregate_blocking_margin_db = models.FloatField(_("aggregate blocking margin (dB)"), null=True)
    worst_margin_db = models.FloatField(_("worst margin (dB)"), null=True)
    passes = models.BooleanField(_("passes"))

    objects = AccessManager()
    access = AccessRule(via="study")

    class Meta:
        ordering = ["worst_margin_db"]
        verbose_name = _("earth-station result")
        verbose_name_plural = _("earth-station results")


# ---------------------------------------------------------------------------------- cases
class CoordinationCase(ChangeLoggedModel):
    """干扰协调: one coordination between an operator's cells and an earth station."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    origin = models.CharField(_("origin"), max_length=16, choices=CaseOrigin.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.APPLIED
    )
    operator = models.ForeignKey(
        "core.Unit",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="coordination_cases",
    )
    earth_station = models.ForeignKey(
        EarthStation,
        verbose_name=_("earth station"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    cells = models.ManyToManyField(Cell, verbose_name=_("cells"), related_name="cases")
    study = models.ForeignKey(
        InterferenceStudy,
        verbose_name=_("calculation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    description = models.TextField(_("description"), blank=True)
    mitigation_kind = models.CharField(
        _("mitigation"), max_length=20, choices=MitigationKind.choices, blank=True
    )
    mitigation = models.JSONField(_("mitigation parameters"), default=dict, blank=True)
    whatif_study = models.ForeignKey(
        InterferenceStudy,
        verbose_name=_("what-if calculation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whatif_cases",
    )
    mitigation_accepted = models.BooleanField(_("mitigation accepted"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The parties to a case (the operator and the earth station's owner) read and act on it.
    access = AccessRule(
        read=REGION_READERS, write={Role.REGULATOR}, units=("operator", "earth_station__owner")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coordination case")
        verbose_name_plural = _("coordination cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseEvent(models.Model):
    """The human timeline of a case (who did what and said what, when)."""

    case = models.ForeignKey(CoordinationCase, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=CaseAction.choices)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AccessManager()
    access = AccessRule(via="case")

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


class CaseDocument(ChangeLoggedModel):
    case = models.ForeignKey(CoordinationCase, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=RandomName("cases"))
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    access = AccessRule(via="case")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------- EMF
class EmfAssessment(models.Model):
    """电磁辐射评估 of one site: all co-sited cells of all operators against GB 8702-2014."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="emf_assessments")
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    n_cells = models.PositiveIntegerField(_("co-sited cells"))
    compliance_distance_m = models.FloatField(_("compliance distance (m)"))
    max_public_ratio = models.FloatField(_("max public exposure / limit"))
    max_public_s_w_m2 = models.FloatField(_("max public power density (W/m²)"))
    max_public_at_m = models.FloatField(_("at horizontal distance (m)"))
    passes = models.BooleanField(_("compliant"))
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AccessManager()
    access = AccessRule(via="site")

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = "computed_at"
        verbose_name = _("EMF assessment")
        verbose_name_plural = _("EMF assessments")


class EmfMeasurement(models.Model):
    """One EMF measurement record (HJ 1151-2020 style), imported; compared with GB 8702-2014."""

    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="emf_measurements"
    )
    point = models.CharField(_("measurement point"), max_length=200)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    measured_at = models.DateTimeField(_("measured at"))
    f_mhz = models.FloatField(_("frequency (MHz)"))
    e_v_m = models.FloatField(_("field strength E (V/m)"))
    s_w_m2 = models.FloatField(_("power density (W/m²)"))
    limit_e_v_m = models.FloatField(_("limit E (V/m)"))
    exceeds = models.BooleanField(_("exceeds limit"))
    agency = models.CharField(_("measuring agency"), max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = AccessManager()
    access = AccessRule(via="site")

    class Meta:
        ordering = ["-measured_at", "-id"]
        verbose_name = _("EMF measurement")
        verbose_name_plural = _("EMF measurements")


# ---------------------------------------------------------------------------------- coverage
class Village(models.Model):
    """行政村 / 乡镇 reference point with population, and its computed 5G coverage."""

    adcode = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=VillageKind.choices)
    county = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="villages",
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    population = models.PositiveIntegerField(_("population"))
    best_rx_dbm = models.FloatField(_("best predicted signal (dBm)"), null=True, blank=True)
    best_cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    covered = models.BooleanField(_("5G covered"), default=False)
    coverage_threshold_dbm = models.FloatField(_("threshold used (dBm)"), null=True, blank=True)
    coverage_at = models.DateTimeField(_("coverage computed at"), null=True, blank=True)

    objects = AccessManager()
    access = AccessRule(read=EVERYONE, write={Role.REGULATOR})

    class Meta:
        ordering = ["adcode"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------- reports
class OperatorMonthlyReport(ChangeLoggedModel):
    """An operator's monthly 5G figures for one prefecture (imported from Excel)."""

    operator = models.ForeignKey(
        "core.Unit",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="monthly_reports",
    )
    prefecture = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"))
    base_stations_5g = models.PositiveIntegerField(_("5G base stations"))
    users_5g = models.PositiveIntegerField(_("5G users"))
    terminal_users_5g = models.PositiveIntegerField(_("5G terminal users"))
    traffic_share_pct = models.FloatField(_("5G share of mobile traffic (%)"))

    access = AccessRule(read=REGION_READERS, write={Role.REGULATOR}, units=("operator",))

    class Meta:
        ordering = ["-month", "operator", "prefecture"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "prefecture", "month"], name="network_report_one_per_month"
            )
        ]
        verbose_name = _("operator monthly report")
        verbose_name_plural = _("operator monthly reports")

    def __str__(self) -> str:
        return f"{self.operator} {self.prefecture} {self.month:%Y-%m}"
