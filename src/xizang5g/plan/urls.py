from django.urls import path

from xizang5g.plan import io_urls, views

app_name = "plan"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map/prefectures.json", views.map_geojson, name="map_geojson"),
    path("overview/", views.plan_detail, name="plan_detail"),
    path("tasks/<str:code>/", views.task_detail, name="task_detail"),
    path("work-points/<str:code>/", views.work_point_detail, name="work_point_detail"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<id:pk>/", views.project_detail, name="project_detail"),
    path("projects/<id:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<id:pk>/transition/", views.project_transition, name="project_transition"),
    path("projects/<id:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/<id:pk>/reports/", views.report_edit, name="report_edit"),
    path("projects/<id:pk>/kpis/", views.kpi_add, name="kpi_add"),
    path(
        "milestones/<id:milestone_id>/advance/", views.milestone_complete, name="milestone_advance"
    ),
    path("milestones/<id:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
    path("attachments/<id:pk>/", views.attachment_download, name="attachment_download"),
]

# Excel import/export pages live in their own module.
urlpatterns += io_urls.urlpatterns
