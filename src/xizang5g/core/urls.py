from django.urls import path

from xizang5g.core import views

app_name = "core"

urlpatterns = [
    path("history/<id:content_type_id>/<str:object_id>/", views.object_history, name="history"),
    path("imports/<id:pk>/", views.import_job, name="import_job"),
]

from xizang5g.core import alert_views  # noqa: E402

urlpatterns += [
    path("alerts/", alert_views.alert_list, name="alert_list"),
    path("alerts/acknowledge/", alert_views.alert_bulk_acknowledge, name="alert_bulk_acknowledge"),
    path("alerts/<id:pk>/", alert_views.alert_detail, name="alert_detail"),
    path("alerts/channels/", alert_views.channel_list, name="channel_list"),
    path("alerts/channels/new/", alert_views.channel_edit, name="channel_create"),
    path("alerts/channels/<id:pk>/", alert_views.channel_edit, name="channel_edit"),
]
