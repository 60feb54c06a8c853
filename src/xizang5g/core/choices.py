from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE_OFFICE = "party_committee_office", _("Party committee office")
    DEPARTMENT = "department", _("Government department")
    OPERATOR = "operator", _("Telecom operator")
    PREFECTURE_GOVERNMENT = "prefecture_government", _("Prefecture government")
    COUNTY_GOVERNMENT = "county_government", _("County government")
    PARK = "park", _("Park")
    PARK_COMMITTEE = "park_committee", _("Park management committee")
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Public institution")


class Role(models.TextChoices):
    PLAN_ADMIN = "plan_admin", _("Plan office administrator")
    UNIT_EDITOR = "unit_editor", _("Unit editor")
    VIEWER = "viewer", _("Viewer")
    REGULATOR = "regulator", _("Radio regulator")
    SECURITY_OPERATOR = "security_operator", _("Security operator")


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Info")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class AlertSource(models.TextChoices):
    """The sources of the platform's own apps; each app registers those it raises
    (`PlatformApp.alert_sources`), and a new app brings its own."""

    DEVICE_RULE = "device_rule", _("Device rule")
    SECURITY = "security", _("Security detection")
    INTERFERENCE = "interference", _("Interference finding")
    EMF = "emf", _("EMF exceedance")
    PLAN = "plan", _("Plan supervision")
    PLATFORM = "platform", _("Platform")


class AlertAction(models.TextChoices):
    RAISED = "raised", _("Raised")
    REPEATED = "repeated", _("Repeated")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    COMMENTED = "commented", _("Commented")
    NOTIFIED = "notified", _("Notified")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Nothing imported")
