from django.urls import path

from xizang5g.tourism import views

app_name = "tourism"

urlpatterns = [
    path("", views.index, name="index"),
    path("status/", views.public_status, name="public_status"),
    path("data/", views.data_dashboard, name="data"),
    path("data/export.xlsx", views.data_export, name="data_export"),
    path("spots/<slug:code>/", views.spot_detail, name="spot"),
    path("spots/<slug:code>/live.json", views.spot_live, name="spot_live"),
]
