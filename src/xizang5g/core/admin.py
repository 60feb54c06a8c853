from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from xizang5g.core.models import AdminDivision, Alert, AlertEvent, ApiToken, ChangeLog, Unit, User


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "unit", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "unit__kind")
    search_fields = ("username", "email")  # full_name is SM4-encrypted: not searchable
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Platform", {"fields": ("full_name", "unit", "role", "password_changed_at")}),
    )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name")


@admin.register(AdminDivision)
class AdminDivisionAdmin(admin.ModelAdmin):
    list_display = ("adcode", "name_zh", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name_zh", "name_en", "adcode")


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    list_display = ("time", "username", "action", "content_type", "object_repr", "request_id")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "username", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    readonly_fields = ("time", "action", "user", "note")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "severity", "state", "unit", "occurrences", "last_seen")
    list_filter = ("state", "severity", "source")
    search_fields = ("title", "dedup_key")
    inlines = [AlertEventInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at")
    readonly_fields = ("prefix", "token_hash")
