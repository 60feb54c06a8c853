from django.contrib import admin

from xizang5g.plan.models import (
    Goal,
    Industry,
    Kpi,
    Milestone,
    Plan,
    ProgressReport,
    Project,
    ProjectTransition,
    ReportAttachment,
    Scenario,
    Task,
    WorkPoint,
)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "period_start", "period_end")
    readonly_fields = ("source_sha256",)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("plan", "year", "title", "metric", "target", "min_cases")
    list_filter = ("plan", "metric")
    filter_horizontal = ("industries",)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "title", "responsible_text")
    list_filter = ("plan",)
    filter_horizontal = ("lead_units", "participating_units", "industries", "scenarios")


@admin.register(WorkPoint)
class WorkPointAdmin(admin.ModelAdmin):
    list_display = ("plan", "year", "number", "category", "responsible_text")
    list_filter = ("plan", "year")
    filter_horizontal = ("units", "tasks", "industries", "scenarios")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "industry")
    list_filter = ("industry",)
    search_fields = ("code", "name")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class KpiInline(admin.TabularInline):
    model = Kpi
    extra = 0


class TransitionInline(admin.TabularInline):
    model = ProjectTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "effective_on", "user", "note", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False  # lifecycle steps go through the service, which checks the rules


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "industry", "lead_unit", "prefecture", "state", "is_demo")
    list_filter = ("state", "industry", "prefecture", "is_demo")
    search_fields = ("code", "name", "summary")
    readonly_fields = ("state", "state_since", "declared_on")
    filter_horizontal = ("scenarios", "tasks", "work_points", "participating_units")
    inlines = [MilestoneInline, KpiInline, TransitionInline]


class AttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    readonly_fields = ("size_bytes", "sha256")


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ("project", "period", "status", "submitted_on")
    list_filter = ("status",)
    inlines = [AttachmentInline]
