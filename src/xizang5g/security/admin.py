from django.contrib import admin

from xizang5g.security import models


@admin.register(models.InformationSystem)
class InformationSystemAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "owner_unit",
        "mlps_level",
        "filing_status",
        "security_planned",
        "security_built",
        "security_operated",
        "is_demo",
    )
    list_filter = ("mlps_level", "filing_status", "is_demo")
    search_fields = ("code", "name")
    filter_horizontal = ("pilots",)


@admin.register(models.LogSource)
class LogSourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "category", "system", "token_prefix", "is_active")
    list_filter = ("kind", "category", "is_active")
    readonly_fields = ("token_prefix", "token_hash")


@admin.register(models.SigmaRule)
class SigmaRuleAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "logsource", "origin", "enabled")
    list_filter = ("origin", "level", "enabled")
    readonly_fields = (
        "rule_id",
        "title",
        "level",
        "status",
        "logsource",
        "tags",
        "description",
        "yaml",
        "origin",
    )


@admin.register(models.CorrelationRule)
class CorrelationRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "group_by", "threshold", "window_seconds", "enabled")


@admin.register(models.FieldMapping)
class FieldMappingAdmin(admin.ModelAdmin):
    list_display = ("sigma_field", "event_field")


class InspectionFindingInline(admin.TabularInline):
    model = models.InspectionFinding
    extra = 0


@admin.register(models.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("title", "system", "scheduled_for", "state", "done_on")
    list_filter = ("state",)
    inlines = [InspectionFindingInline]


@admin.register(models.CryptoAssessment)
class CryptoAssessmentAdmin(admin.ModelAdmin):
    list_display = ("system", "assessed_on", "agency", "result", "score", "next_due")


@admin.register(models.Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "category", "level", "state", "responsible_unit", "deadline")
    list_filter = ("state", "level", "category")
    readonly_fields = ("code",)


@admin.register(models.BadLine)
class BadLineAdmin(admin.ModelAdmin):
    list_display = ("received_at", "transport", "peer", "reason", "length")
    list_filter = ("transport",)

    def has_add_permission(self, request):
        return False
