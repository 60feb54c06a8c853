from django.contrib import admin

from xizang5g.portal import models


class NewsAttachmentInline(admin.TabularInline):
    model = models.NewsAttachment
    extra = 0
    fields = ("filename", "content_type", "size_bytes", "sha256")
    readonly_fields = fields
    can_delete = True


@admin.register(models.NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "published_at", "is_demo")
    list_filter = ("kind", "status", "is_demo")
    search_fields = ("title", "summary")
    inlines = [NewsAttachmentInline]


@admin.register(models.MeasurementRequest)
class MeasurementRequestAdmin(admin.ModelAdmin):
    # the requester's name and contact are shown only on the regulator's page
    list_display = ("reference", "county", "status", "assignee", "created_at")
    list_filter = ("status",)
    search_fields = ("reference",)
    exclude = ("name", "contact")
    raw_id_fields = ("county", "assignee")
