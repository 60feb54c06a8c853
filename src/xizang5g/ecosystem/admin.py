from django.contrib import admin

from xizang5g.ecosystem.models import Demand, Event, Intent, Organisation, Registration, Solution


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "credit_code", "status", "unit")
    list_filter = ("status", "kind")
    search_fields = ("name", "credit_code")


@admin.register(Demand, Solution)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin):
    list_display = ("demand", "solution", "status", "score")
    list_filter = ("status",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "capacity")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "organisation", "attendees")
