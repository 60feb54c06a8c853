from django.urls import path

from xizang5g.network import views

app_name = "network"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("geo.json", views.geojson, name="geojson"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<id:pk>/", views.site_detail, name="site_detail"),
    path("sites/<id:pk>/emf/", views.emf_assess, name="emf_assess"),
    path("sites/<id:pk>/coverage.json", views.coverage_grid, name="coverage_grid"),
    path("cells/<id:pk>/edit/", views.cell_edit, name="cell_edit"),
    path("import/", views.station_import, name="station_import"),
    path("import/template.xlsx", views.station_template, name="station_template"),
    path("earth-stations/", views.earth_station_list, name="earth_station_list"),
    path("earth-stations/new/", views.earth_station_form, name="earth_station_new"),
    path("earth-stations/<id:pk>/", views.earth_station_detail, name="earth_station_detail"),
    path("earth-stations/<id:pk>/edit/", views.earth_station_form, name="earth_station_edit"),
    path("terrain/", views.terrain, name="terrain"),
    path("studies/", views.study_list, name="study_list"),
    path("studies/new/", views.study_new, name="study_new"),
    path("studies/<id:pk>/", views.study_detail, name="study_detail"),
    path("studies/<id:pk>/progress/", views.study_progress, name="study_progress"),
    path("studies/<id:pk>/cancel/", views.study_cancel, name="study_cancel"),
    path("studies/<id:pk>/report.<str:fmt>", views.study_export, name="study_export"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<id:pk>/", views.case_detail, name="case_detail"),
    path("cases/documents/<id:pk>/", views.case_document, name="case_document"),
    path("cases/<id:pk>/<str:action>/", views.case_action, name="case_action"),
    path("emf/", views.emf, name="emf"),
    path("emf/template.xlsx", views.emf_template, name="emf_template"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/template.xlsx", views.villages_template, name="villages_template"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/template.xlsx", views.monthly_template, name="monthly_template"),
]
