from django.contrib import admin

from xizang5g.network import models


@admin.register(models.Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "operator", "division", "status", "is_synthetic")
    list_filter = ("operator", "status", "is_synthetic")
    search_fields = ("code", "name")


@admin.register(models.Cell)
class CellAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "site",
        "operator",
        "band",
        "f_mhz",
        "power_dbm",
        "azimuth_deg",
        "status",
    )
    list_filter = ("operator", "band", "status")
    search_fields = ("code",)
    raw_id_fields = ("site",)


@admin.register(models.EarthStation)
class EarthStationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "owner", "purpose", "satellite", "lnb_p1db_dbm", "is_synthetic")
    list_filter = ("purpose", "owner")
    search_fields = ("code", "name")


@admin.register(models.TerrainTile)
class TerrainTileAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "resolution_m", "is_active")


@admin.register(models.InterferenceStudy)
class InterferenceStudyAdmin(admin.ModelAdmin):
    list_display = ("pk", "name", "scope", "status", "progress", "created_at")
    list_filter = ("status", "scope")
    readonly_fields = ("inputs", "summary", "engine_version")


class CaseEventInline(admin.TabularInline):
    model = models.CaseEvent
    extra = 0


@admin.register(models.CoordinationCase)
class CoordinationCaseAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "operator", "earth_station", "state", "deadline")
    list_filter = ("state", "operator")
    inlines = [CaseEventInline]
    raw_id_fields = ("cells", "study", "whatif_study")


@admin.register(models.EmfAssessment)
class EmfAssessmentAdmin(admin.ModelAdmin):
    list_display = ("site", "computed_at", "compliance_distance_m", "max_public_ratio", "passes")


@admin.register(models.EmfMeasurement)
class EmfMeasurementAdmin(admin.ModelAdmin):
    list_display = ("point", "measured_at", "f_mhz", "e_v_m", "limit_e_v_m", "exceeds")


@admin.register(models.Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("adcode", "name", "kind", "county", "population", "covered")
    search_fields = ("adcode", "name")


@admin.register(models.OperatorMonthlyReport)
class OperatorMonthlyReportAdmin(admin.ModelAdmin):
    list_display = (
        "month",
        "operator",
        "prefecture",
        "base_stations_5g",
        "users_5g",
        "traffic_share_pct",
    )
    list_filter = ("operator", "prefecture")
