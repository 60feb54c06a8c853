"""Security situational awareness: assets, event sources, events, detections, incidents,
inspections, crypto assessments and the SM3 seal chain over the change log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.choices import Role
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.security.choices import (
    ClosingReason,
    CorrelationKind,
    CryptoResult,
    DetectionKind,
    EventCategory,
    FilingStatus,
    FindingSeverity,
    FindingState,
    IncidentCategory,
    IncidentLevel,
    IncidentState,
    InspectionState,
    MlpsLevel,
    PiKind,
    RuleOrigin,
    SigmaLevel,
    SourceKind,
    TimelineKind,
)


class InformationSystem(ChangeLoggedModel):
    """重要信息系统: an information system under protection, with its 等保 grading and filing."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="information_systems",
    )
    pilots = models.ManyToManyField(
        "core.Pilot",
        verbose_name=_("pilot projects"),
        blank=True,
        related_name="information_systems",
    )
    mlps_level = models.PositiveSmallIntegerField(
        _("protection level (等保)"), choices=MlpsLevel.choices, default=MlpsLevel.LEVEL_2
    )
    filing_status = models.CharField(
        _("filing status"),
        max_length=16,
        choices=FilingStatus.choices,
        default=FilingStatus.NOT_GRADED,
    )
    filing_number = models.CharField(_("filing number"), max_length=64, blank=True)
    security_planned = models.BooleanField(_("security planned together"), default=False)
    security_built = models.BooleanField(_("security built together"), default=False)
    security_operated = models.BooleanField(_("security operated together"), default=False)
    holds_personal_data = models.BooleanField(_("holds personal information"), default=False)
    holds_important_data = models.BooleanField(_("holds important data"), default=False)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # Security operators keep every system; a unit editor its own unit's systems.
    access = AccessRule(read=REGION_READERS, write={Role.SECURITY_OPERATOR}, units=("owner_unit",))

    class Meta:
        ordering = ["-mlps_level", "code"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")

    def __str__(self) -> str:
        return self.name

    @property
    def three_sync_count(self) -> int:
        return int(self.security_planned) + int(self.security_built) + int(self.security_operated)


class LogSource(ChangeLoggedModel):
    """A sender of events: a syslog host, an HTTP batch client (with a token), or this platform."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=EventCategory.choices)
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_sources",
    )
    hosts = models.JSONField(_("syslog host names / addresses"), default=list, blank=True)
    token_prefix = models.CharField(_("token prefix"), max_length=12, blank=True)
    token_hash = models.CharField(_("token hash (SM3)"), max_length=64, blank=True)
    scan_personal_info = models.BooleanField(
        _("scan payloads for personal information"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    changelog_exclude = ("created_at", "updated_at", "token_hash")

    access = AccessRule(
        read=REGION_READERS, write={Role.SECURITY_OPERATOR}, units=("system__owner_unit",)
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("log source")
        verbose_name_plural = _("log sources")

    def __str__(self) -> str:
        return self.name


class SecurityEvent(models.Model):
    """One normalised event. Data, not configuration: not change-logged; partitioned by month on
    PostgreSQL (see migration 0001). Nothing holds a foreign key to it (partitioned tables cannot
    be referenced); detections keep event ids as evidence."""

    time = models.DateTimeField(_("time"), db_index=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.ForeignKey(
        LogSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    source_system = models.CharField(_("source system"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=EventCategory.choices)
    host = models.CharField(_("host"), max_length=255, blank=True)
    program = models.CharField(_("program"), max_length=64, blank=True)
    user = models.CharField(_("user"), max_length=150, blank=True)
    src_ip = models.CharField(_("source IP"), max_length=45, blank=True)
    dst_ip = models.CharField(_("destination IP"), max_length=45, blank=True)
    dst_port = models.PositiveIntegerField(_("destination port"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, blank=True)
    severity = models.PositiveSmallIntegerField(_("syslog severity"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    raw = models.TextField(_("raw"), blank=True)
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)

    # Events are written by ingest only; a unit editor reads its own systems' events.
    objects = AccessManager()
    access = AccessRule(read=REGION_READERS, read_units=("system__owner_unit",))

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["src_ip", "time"], name="sec_event_srcip_time"),
            models.Index(fields=["category", "time"], name="sec_event_cat_time"),
        ]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.host} {self.message[:60]}"


class BadLine(models.Model):
    """An input line or item that could not be parsed: counted and kept, never silently dropped."""

    received_at = models.DateTimeField(_("received at"), db_index=True)
    source = models.ForeignKey(
        LogSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transport = models.CharField(_("transport"), max_length=16)
    peer = models.CharField(_("peer"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    length = models.PositiveIntegerField(_("length (bytes)"))
    raw = models.TextField(_("raw (truncated)"), blank=True)

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS, read_units=("source__system__owner_unit",))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("bad line")
        verbose_name_plural = _("bad lines")


class FieldMapping(ChangeLoggedModel):
    """Sigma field name → normalised event field (or `extra.<key>`), on top of the defaults."""

    sigma_field = models.CharField(_("Sigma field"), max_length=100, unique=True)
    event_field = models.CharField(_("event field"), max_length=100)

    access = AccessRule(read=REGION_READERS, write={Role.SECURITY_OPERATOR})

    class Meta:
        ordering = ["sigma_field"]
        verbose_name = _("field mapping")
        verbose_name_plural = _("field mappings")

    def __str__(self) -> str:
        return f"{self.sigma_field} → {self.event_field}"


class SigmaRule(ChangeLoggedModel):
    """A Sigma detection rule (YAML), validated by pySigma and compiled to an in-process matcher."""

    rule_id = models.CharField(_("rule id"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255)
    level = models.CharField(_("level"), max_length=16, choices=SigmaLevel.choices)
    status = models.CharField(_("Sigma status"), max_length=16, blank=True)
    logsource = models.CharField(_("log source"), max_length=200, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    yaml = models.TextField(_("rule (YAML)"))
    origin = models.CharField(_("origin"), max_length=16, choices=RuleOrigin.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    access = AccessRule(read=REGION_READERS, write={Role.SECURITY_OPERATOR})

    class Meta:
        ordering = ["origin", "title"]
        verbose_name = _("Sigma rule")
        verbose_name_plural = _("Sigma rules")

    def __str__(self) -> str:
        return self.title


class RuleTuning(ChangeLoggedModel):
    """Local tuning of a Sigma rule, kept apart from the rule so that updating the pack keeps it:
    the rule switched on or off for one log source (or every source), and a false-positive filter
    (a Sigma detection: a `condition` over selections; events it matches raise nothing)."""

    rule = models.ForeignKey(
        SigmaRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="tunings"
    )
    source = models.ForeignKey(
        LogSource,
        verbose_name=_("log source"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every source."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    filter = models.TextField(_("false-positive filter (Sigma detection)"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    access = AccessRule(read=REGION_READERS, write={Role.SECURITY_OPERATOR})

    class Meta:
        ordering = ["rule", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "source"],
                condition=models.Q(source__isnull=False),
                name="sec_tuning_rule_source",
            ),
            models.UniqueConstraint(
                fields=["rule"],
                condition=models.Q(source__isnull=True),
                name="sec_tuning_rule_all_sources",
            ),
        ]
        verbose_name = _("rule tuning")
        verbose_name_plural = _("rule tunings")

    def __str__(self) -> str:
        return f"{self.rule} · {self.source or '*'}"


class CorrelationRule(ChangeLoggedModel):
    """A Sigma correlation rule (event_count, value_count, temporal, temporal_ordered) with the
    collection it comes from (`yaml`: its detection rules and any chained correlation); the other
    fields summarise it for the rules page."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=CorrelationKind.choices)
    match = models.JSONField(_("counted events (field: value)"), default=dict)
    then_match = models.JSONField(_("closing event (sequence)"), default=dict, blank=True)
    group_by = models.CharField(_("group by field"), max_length=32, default="src_ip")
    threshold = models.PositiveIntegerField(_("threshold"), default=10)
    window_seconds = models.PositiveIntegerField(_("window (seconds)"), default=300)
    level = models.CharField(
        _("level"), max_length=16, choices=SigmaLevel.choices, default=SigmaLevel.HIGH
    )
    yaml = models.TextField(_("Sigma collection (YAML)"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    access = AccessRule(read=REGION_READERS, write={Role.SECURITY_OPERATOR})

    class Meta:
        ordering = ["code"]
        verbose_name = _("correlation rule")
        verbose_name_plural = _("correlation rules")

    def __str__(self) -> str:
        return self.title


class CorrelationCheckpoint(models.Model):
    """The correlation windows of one ingest process, saved periodically so that a restart loses
    no window (machine-written bookkeeping, not change-logged)."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    state = models.JSONField(_("state"), default=dict)
    last_event_id = models.BigIntegerField(_("last event id"), default=0)
    saved_at = models.DateTimeField(_("saved at"))

    objects = AccessManager()
    access = AccessRule(read={Role.SECURITY_OPERATOR})

    class Meta:
        verbose_name = _("correlation checkpoint")
        verbose_name_plural = _("correlation checkpoints")

    def __str__(self) -> str:
        return self.key


class Detection(models.Model):
    """One firing of a rule with its evidence (event ids). Data, written by the detection stage."""

    time = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DetectionKind.choices)
    rule_code = models.CharField(_("rule"), max_length=100, db_index=True)
    rule_title = models.CharField(_("rule title"), max_length=255)
    level = models.CharField(_("level"), max_length=16, choices=SigmaLevel.choices)
    group_value = models.CharField(_("group"), max_length=255, blank=True)
    event_ids = models.JSONField(_("evidence event ids"), default=list)
    event_count = models.PositiveIntegerField(_("event count"), default=1)
    system = models.ForeignKey(
        InformationSystem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="detections",
    )
    alert = models.ForeignKey(
        "core.Alert",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="security_detections",
    )

    objects = AccessManager()
    access = AccessRule(
        read=REGION_READERS, write={Role.SECURITY_OPERATOR}, read_units=("system__owner_unit",)
    )

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("detection")
        verbose_name_plural = _("detections")

    def __str__(self) -> str:
        return f"{self.rule_title} ({self.group_value})"


class PiFinding(models.Model):
    """A personal-information value found in a payload or log line. Only the masked value and a keyed
    SM3 fingerprint are stored, never the value itself."""

    time = models.DateTimeField(_("time"), db_index=True)
    event_id = models.BigIntegerField(_("event id"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PiKind.choices)
    masked = models.CharField(_("masked value"), max_length=32)
    fingerprint = models.CharField(_("fingerprint (HMAC-SM3)"), max_length=64, db_index=True)
    system = models.ForeignKey(
        InformationSystem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pi_findings",
    )
    detection = models.ForeignKey(
        Detection, null=True, blank=True, on_delete=models.SET_NULL, related_name="pi_findings"
    )

    objects = AccessManager()
    access = AccessRule(
        read=REGION_READERS, write={Role.SECURITY_OPERATOR}, read_units=("system__owner_unit",)
    )

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("personal-information finding")
        verbose_name_plural = _("personal-information findings")


class Incident(ChangeLoggedModel):
    """安全事件处置: an incident with GB/T 20986 category and level, a state machine and a timeline."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=24, choices=IncidentCategory.choices)
    level = models.CharField(_("level"), max_length=4, choices=IncidentLevel.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=IncidentState.choices,
        default=IncidentState.NEW,
        db_index=True,
    )
    closing_reason = models.CharField(
        _("closing reason"), max_length=24, choices=ClosingReason.choices, blank=True
    )
    responsible_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="security_incidents",
    )
    systems = models.ManyToManyField(
        InformationSystem, verbose_name=_("affected systems"), blank=True, related_name="incidents"
    )
    alerts = models.ManyToManyField(
        "core.Alert", verbose_name=_("alerts"), blank=True, related_name="security_incidents"
    )
    opened_at = models.DateTimeField(_("opened at"))
    deadline = models.DateTimeField(_("deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # The responsible unit reads and handles its incidents beside the security operators;
    # closing one (approving how it was handled) is the security operators' step.
    access = AccessRule(
        read=REGION_READERS,
        write={Role.SECURITY_OPERATOR},
        approve={Role.SECURITY_OPERATOR},
        units=("responsible_unit",),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state != IncidentState.CLOSED


class IncidentAction(models.Model):
    """One entry of an incident's timeline (append-only)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    time = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TimelineKind.choices)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AccessManager()
    access = AccessRule(via="incident")

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("incident timeline entry")
        verbose_name_plural = _("incident timeline")

    @property
    def to_state_label(self) -> str:
        return (
            IncidentState(self.to_state).label
            if self.to_state in IncidentState.values
            else self.to_state
        )


class Inspection(ChangeLoggedModel):
    """A scheduled security inspection (安全检查) of an information system."""

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="inspections"
    )
    title = models.CharField(_("title"), max_length=200)
    scheduled_for = models.DateField(_("scheduled for"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    inspector_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("inspecting unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=InspectionState.choices, default=InspectionState.PLANNED
    )
    summary = models.TextField(_("summary"), blank=True)

    access = AccessRule(
        read=REGION_READERS, write={Role.SECURITY_OPERATOR}, read_units=("system__owner_unit",)
    )

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return self.title


class InspectionFinding(ChangeLoggedModel):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(_("title"), max_length=255)
    severity = models.CharField(_("severity"), max_length=8, choices=FindingSeverity.choices)
    rectification_due = models.DateField(_("rectification due"))
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=FindingState.choices, default=FindingState.OPEN
    )

    # The inspected system's unit rectifies its findings (services let only operators create them).
    access = AccessRule(
        read=REGION_READERS,
        write={Role.SECURITY_OPERATOR},
        units=("inspection__system__owner_unit",),
    )

    class Meta:
        ordering = ["rectification_due", "id"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")

    def __str__(self) -> str:
        return self.title


class CryptoAssessment(ChangeLoggedModel):
    """商用密码应用安全性评估 (密评) of a system."""

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="crypto_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    agency = models.CharField(_("assessment agency"), max_length=200)
    report_number = models.CharField(_("report number"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=CryptoResult.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    next_due = models.DateField(_("next assessment due"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    access = AccessRule(
        read=REGION_READERS, write={Role.SECURITY_OPERATOR}, read_units=("system__owner_unit",)
    )

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("crypto assessment")
        verbose_name_plural = _("crypto assessments")

    def __str__(self) -> str:
        return f"{self.system} {self.assessed_on}"


class AuditSeal(models.Model):
    """SM3 hash-chain link over one core.ChangeLog row. `changelog_id` is a plain integer on purpose:
    deleting the log row leaves the seal behind, which is how `audit_verify` names the deleted id."""

    sequence = models.PositiveBigIntegerField(unique=True)
    changelog_id = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    # The sealed change log: the plan office and auditors (viewers) read it.
    objects = AccessManager()
    access = AccessRule(read={Role.VIEWER, Role.SECURITY_OPERATOR})

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")


class AuditChainHead(models.Model):
    """Singleton (pk=1): the last sequence and hash, locked while a link is appended."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    objects = AccessManager()
    access = AccessRule(read={Role.VIEWER, Role.SECURITY_OPERATOR})

    class Meta:
        verbose_name = _("audit chain head")
