from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectState(models.TextChoices):
    DECLARED = "declared", _("Declared")  # 申报
    APPROVED = "approved", _("Approved")  # 立项
    BUILDING = "building", _("Under construction")  # 建设中
    TRIAL = "trial", _("Trial operation")  # 试运行
    ACCEPTED = "accepted", _("Accepted")  # 验收
    CASE = "case", _("Typical case")  # 推广为典型案例
    TERMINATED = "terminated", _("Terminated")  # 终止


class GoalMetric(models.TextChoices):
    INDUSTRIES_WITH_RUNNING_PILOTS = (
        "industries_with_running_pilots",
        _("Industries with pilots under way"),
    )
    INDUSTRIES_WITH_TYPICAL_APPLICATIONS = (
        "industries_with_typical_applications",
        _("Industries with typical applications"),
    )
    SCENARIOS_WITH_RUNNING_PROJECTS = (
        "scenarios_with_running_projects",
        _("Scenarios with a running project"),
    )


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    ACCEPTED = "accepted", _("Accepted")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
