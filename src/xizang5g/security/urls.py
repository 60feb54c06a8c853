from django.urls import path

from xizang5g.security import views

app_name = "security"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("systems/", views.system_list, name="system_list"),
    path("systems/<id:pk>/", views.system_detail, name="system_detail"),
    path("events/", views.event_list, name="event_list"),
    path("events/bad/", views.bad_line_list, name="bad_line_list"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<id:alert_id>/incident/", views.incident_from_alert, name="incident_from_alert"),
    path("alerts/<id:alert_id>/go/", views.alert_incident_redirect, name="alert_incident"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<id:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<id:pk>/transition/", views.incident_transition, name="incident_transition"),
    path("incidents/<id:pk>/note/", views.incident_note, name="incident_note"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_add, name="rule_add"),
    path("rules/<id:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("inspections/", views.inspection_list, name="inspection_list"),
]
