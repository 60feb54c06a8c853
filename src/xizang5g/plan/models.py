from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import (
    EVERYONE,
    PLAN_OFFICE,
    REGION_READERS,
    AccessManager,
    AccessRule,
)
from xizang5g.core.files import RandomName
from xizang5g.core.models import ChangeLoggedModel
from xizang5g.plan.choices import GoalMetric, MilestoneStatus, ProjectState, ReportStatus


class Plan(ChangeLoggedModel):
    """实施方案: a plan loaded from YAML. A follow-up plan is another row loaded the same way."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    basis = models.JSONField(_("basis documents"), default=list, blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    guiding_ideology = models.TextField(_("guiding ideology"), blank=True)
    goals_text = models.TextField(_("goals text"), blank=True)
    source_sha256 = models.CharField(_("source file SHA-256"), max_length=64, blank=True)
    live_evidence_days = models.PositiveSmallIntegerField(
        _("live evidence required within (days)"),
        null=True,
        blank=True,
        help_text=_(
            "A pilot counts as running only with live evidence from the systems in the last N "
            "days; empty: its lifecycle state alone counts."
        ),
    )

    access = AccessRule(read=EVERYONE)  # the plan is known to every user; the plan office loads it

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title


class Industry(ChangeLoggedModel):
    """行业: a global catalogue; plans add to it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    access = AccessRule(read=EVERYONE)  # the plan is known to every user; the plan office loads it

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class Scenario(ChangeLoggedModel):
    """应用场景: a concrete application scenario the plan names."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="scenarios"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    access = AccessRule(read=EVERYONE)  # the plan is known to every user; the plan office loads it

    class Meta:
        ordering = ["industry__order", "order", "code"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name


class Goal(ChangeLoggedModel):
    """发展目标: one yearly goal with a measurable target."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    code = models.CharField(_("code"), max_length=32)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    metric = models.CharField(_("metric"), max_length=64, choices=GoalMetric.choices)
    target = models.PositiveIntegerField(_("target"))
    min_cases = models.PositiveIntegerField(_("minimum typical cases"), default=0)
    industries = models.ManyToManyField(Industry, verbose_name=_("industries"), blank=True)

    access = AccessRule(read=EVERYONE)  # the plan is known to every user; the plan office loads it

    class Meta:
        ordering = ["plan", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_goal_code_unique")
        ]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Task(ChangeLoggedModel):
    """主要任务."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("code"), max_length=32)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    responsible_text = models.CharField(
        _("responsible units (as written)"), max_length=500, blank=True
    )
    lead_units = models.ManyToManyField(
        "core.Unit", verbose_name=_("lead units"), related_name="led_tasks", blank=True
    )
    participating_units = models.ManyToManyField(
        "core.Unit", verbose_name=_("participating units"), related_name="joined_tasks", blank=True
    )
    industries = models.ManyToManyField(Industry, verbose_name=_("industries"), blank=True)
    scenarios = models.ManyToManyField(Scenario, verbose_name=_("scenarios"), blank=True)

    access = AccessRule(read=EVERYONE)  # the plan is known to every user; the plan office loads it

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_task_code_unique")
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"（{self.number}）{self.title}"


class WorkPoint(ChangeLoggedModel):
    """工作要点: an item of a plan's yearly annex."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="work_points")
    code = models.CharField(_("code"), max_length=32)
    number = models.PositiveSmallIntegerField(_("number"))
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=100)
    text = models.TextField(_("text"))
    responsible_text = models.CharField(
        _("responsible units (as written)"), max_length=500, blank=True
    )
    units = models.ManyToManyField("core.Unit", verbose_name=_("responsible units"), blank=True)
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks"), related_name="work_points", blank=True
    )
    industries = models.ManyToManyField(Industry, verbose_name=_("industries"), blank=True)
    scenarios = models.ManyToManyField(Scenario, verbose_name=_("scenarios"), blank=True)

    access = AccessRule(read=EVERYONE)  # the plan is known to every user; the plan office loads it

    class Meta:
        ordering = ["plan", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_workpoint_code_unique")
        ]
        verbose_name = _("work point")
        verbose_name_plural = _("work points")

    def __str__(self) -> str:
        return f"{self.year}-{self.number} {self.category}"


class Project(ChangeLoggedModel):
    """试点项目: a concrete pilot with lifecycle, milestones, reports, KPIs and evidence."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="projects"
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="projects"
    )
    scenarios = models.ManyToManyField(
        Scenario, verbose_name=_("scenarios"), related_name="projects", blank=True
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks"), related_name="projects", blank=True
    )
    work_points = models.ManyToManyField(
        WorkPoint, verbose_name=_("work points"), related_name="projects", blank=True
    )
    lead_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    participating_units = models.ManyToManyField(
        "core.Unit",
        verbose_name=_("participating units"),
        related_name="joined_projects",
        blank=True,
    )
    operator = models.ForeignKey(
        "core.Unit",
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_projects",
        limit_choices_to={"kind": "operator"},
    )
    prefecture = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"level": "prefecture"},
    )
    county = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="county_projects",
        limit_choices_to={"level": "county"},
    )
    lon = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    budget_wan = models.DecimalField(
        _("budget (10,000 CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("planned end date"), null=True, blank=True)
    declared_on = models.DateField(_("declared on"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ProjectState.choices,
        default=ProjectState.DECLARED,
        db_index=True,
    )
    state_since = models.DateField(_("in this state since"))
    termination_reason = models.TextField(_("termination reason"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # Region-wide readers see every project; the lead unit reads and changes it; participating
    # units and the operator read it. Approval steps (立项, 验收, 典型案例) are the plan office's.
    access = AccessRule(
        read=REGION_READERS,
        approve=PLAN_OFFICE,
        units=("lead_unit",),
        read_units=("participating_units", "operator"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("pilot project")
        verbose_name_plural = _("pilot projects")

    def __str__(self) -> str:
        return self.name


class ProjectTransition(models.Model):
    """One lifecycle step of a project with its effective date: the basis of 'as of' progress."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=ProjectState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=ProjectState.choices)
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    user = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    objects = AccessManager()
    access = AccessRule(via="project")

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = _("project transition")
        verbose_name_plural = _("project transitions")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_state} → {self.to_state} ({self.effective_on})"


class Milestone(ChangeLoggedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    access = AccessRule(via="project")

    class Meta:
        ordering = ["project", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ProgressReport(ChangeLoggedModel):
    """A monthly progress report (月度进展报告) with evidence attachments."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.DateField(_("month"), help_text=_("First day of the reported month"))
    summary = models.TextField(_("progress this month"))
    problems = models.TextField(_("problems and risks"), blank=True)
    next_steps = models.TextField(_("plan for next month"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    access = AccessRule(via="project")

    class Meta:
        ordering = ["project", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="plan_report_one_per_month")
        ]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.project} {self.period:%Y-%m}"


class ReportAttachment(ChangeLoggedModel):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=RandomName("evidence"))
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    access = AccessRule(via="report")

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("evidence attachment")
        verbose_name_plural = _("evidence attachments")

    def __str__(self) -> str:
        return self.description or self.filename


class Kpi(ChangeLoggedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=100)
    measure_unit = models.CharField(_("unit of measure"), max_length=32, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=3)
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)

    access = AccessRule(via="project")

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name

    @property
    def met(self) -> bool | None:
        if self.actual is None:
            return None
        return self.actual >= self.target if self.higher_is_better else self.actual <= self.target
