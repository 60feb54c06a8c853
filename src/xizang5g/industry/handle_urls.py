"""The Handle REST API at /api/handles/ (mounted through IndustryConfig.root_urls)."""

from django.urls import path

from xizang5g.industry import handle_views

app_name = "handles"

urlpatterns = [
    path("<path:handle>", handle_views.handle_record, name="record"),
]
