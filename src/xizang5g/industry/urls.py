from django.urls import path

from xizang5g.industry import views

app_name = "industry"

urlpatterns = [
    path("", views.index, name="index"),
    path("ponds/<int:pk>/", views.pond_detail, name="pond_detail"),
    path("mines/<int:pk>/underground/", views.mine_underground, name="mine_underground"),
    path("mines/<int:pk>/dispatch/", views.mine_dispatch, name="mine_dispatch"),
    path("mines/<int:pk>/dispatch/assign/", views.assignment_create, name="assignment_create"),
    path("mines/<int:pk>/slope/", views.mine_slope, name="mine_slope"),
    path("lines/", views.line_list, name="line_list"),
    path("lines/<int:pk>/", views.line_detail, name="line_detail"),
    path("reports/", views.shift_report, name="shift_report"),
    path("reports/export/", views.shift_report_export, name="shift_report_export"),
    path("identifiers/", views.identifier_list, name="identifier_list"),
    path("identifiers/credentials/", views.handle_user_create, name="handle_user_create"),
    path("identifiers/import/", views.identifier_import, name="identifier_import"),
]
