from django.db import models
from django.utils.translation import gettext_lazy as _


class MlpsLevel(models.IntegerChoices):
    """网络安全等级保护 (GB/T 22239-2019): protection levels 1–5."""

    LEVEL_1 = 1, _("Level 1")
    LEVEL_2 = 2, _("Level 2")
    LEVEL_3 = 3, _("Level 3")
    LEVEL_4 = 4, _("Level 4")
    LEVEL_5 = 5, _("Level 5")


class FilingStatus(models.TextChoices):
    """等保备案 status with the public security organ."""

    NOT_GRADED = "not_graded", _("Not graded")
    GRADED = "graded", _("Graded, not filed")
    FILED = "filed", _("Filed")
    ASSESSED = "assessed", _("Filed and assessed")


class EventCategory(models.TextChoices):
    """Kind of log source; Sigma logsources map onto these (see detection.pipelines)."""

    LINUX = "linux", _("Linux host")
    WEB = "web", _("Web server")
    NETWORK = "network", _("Network device / firewall")
    PLATFORM = "platform", _("This platform")
    APPLICATION = "application", _("Application")


class SourceKind(models.TextChoices):
    SYSLOG = "syslog", _("Syslog")
    HTTP = "http", _("HTTP JSON batches")
    PLATFORM = "platform", _("Platform events")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    BLOCKED = "blocked", _("Blocked")
    UNKNOWN = "unknown", _("Unknown")


class RuleOrigin(models.TextChoices):
    SHIPPED = "shipped", _("Shipped rule set")
    CUSTOM = "custom", _("Added by an administrator")
    IMPORTED = "imported", _("Imported rule pack")


class SigmaLevel(models.TextChoices):
    INFORMATIONAL = "informational", _("Informational")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CorrelationKind(models.TextChoices):
    """Sigma correlation types (the first four); the two older kinds are kept for old rows."""

    EVENT_COUNT = "event_count", _("Event count in a window")
    VALUE_COUNT = "value_count", _("Distinct values in a window")
    TEMPORAL = "temporal", _("Rules together in a window")
    TEMPORAL_ORDERED = "temporal_ordered", _("Rules in order in a window")
    THRESHOLD = "threshold", _("Threshold over a window")
    SEQUENCE = "sequence", _("Sequence (failures then success)")


class DetectionKind(models.TextChoices):
    SIGMA = "sigma", _("Sigma rule")
    CORRELATION = "correlation", _("Correlation")
    PI_LEAK = "pi_leak", _("Personal-information leak")


class PiKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID number")
    MOBILE = "mobile", _("Mobile number")
    BANK_CARD = "bank_card", _("Bank card number")


class IncidentCategory(models.TextChoices):
    """GB/T 20986-2007 信息安全事件分类 (top-level classes)."""

    MALWARE = "malware", _("Harmful program (有害程序事件)")
    ATTACK = "attack", _("Network attack (网络攻击事件)")
    INFO_DESTRUCTION = "info_destruction", _("Information destruction / leak (信息破坏事件)")
    CONTENT = "content", _("Information content security (信息内容安全事件)")
    EQUIPMENT = "equipment", _("Equipment failure (设备设施故障)")
    DISASTER = "disaster", _("Disaster (灾害性事件)")
    OTHER = "other", _("Other (其他信息安全事件)")


class IncidentLevel(models.TextChoices):
    """GB/T 20986-2007 事件分级: I 特别重大, II 重大, III 较大, IV 一般."""

    EXTRAORDINARY = "I", _("I · Extraordinarily serious (特别重大)")
    SERIOUS = "II", _("II · Serious (重大)")
    RELATIVELY_SERIOUS = "III", _("III · Relatively serious (较大)")
    GENERAL = "IV", _("IV · General (一般)")


class IncidentState(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("Triage")
    CONTAINMENT = "containment", _("Containment")
    RECOVERY = "recovery", _("Eradication / recovery")
    REVIEW = "review", _("Review")
    CLOSED = "closed", _("Closed")


class ClosingReason(models.TextChoices):
    TRUE_POSITIVE = "true_positive", _("True positive, handled")
    FALSE_POSITIVE = "false_positive", _("False positive")
    DUPLICATE = "duplicate", _("Duplicate")
    ACCEPTED_RISK = "accepted_risk", _("Risk accepted")


class TimelineKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("State change")
    NOTE = "note", _("Note")
    LINK = "link", _("Link")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class FindingSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFIED = "rectified", _("Rectified")


class CryptoResult(models.TextChoices):
    """密评 conclusion (GB/T 39786-2021 assessment): 符合 / 基本符合 / 不符合."""

    CONFORMS = "conforms", _("Conforms (符合)")
    BASICALLY = "basically", _("Basically conforms (基本符合)")
    FAILS = "fails", _("Does not conform (不符合)")
