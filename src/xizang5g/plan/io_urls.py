"""Excel import/export pages; included by plan/urls.py into the ``plan`` namespace."""

from django.urls import path

from xizang5g.plan import io_views

urlpatterns = [
    path("projects/import/", io_views.project_import, name="project_import"),
    path(
        "projects/import/template.xlsx",
        io_views.project_import_template,
        name="project_import_template",
    ),
    path("export/progress.xlsx", io_views.progress_export, name="progress_export"),
    path("export/scorecards.xlsx", io_views.scorecards_export, name="scorecards_export"),
]
