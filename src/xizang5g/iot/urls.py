from django.urls import path

from xizang5g.iot import views

app_name = "iot"

urlpatterns = [
    path("", views.device_list, name="home"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/new/", views.device_bulk_create, name="device_bulk_create"),
    path("devices/<id:pk>/", views.device_detail, name="device_detail"),
    path("devices/<id:pk>/telemetry.json", views.device_telemetry, name="device_telemetry"),
    path("devices/<id:pk>/rejected/", views.device_rejected, name="device_rejected"),
    path("devices/<id:pk>/action/", views.device_action, name="device_action"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<str:key>/", views.product_detail, name="product_detail"),
    path("products/<str:key>/thing-model.json", views.product_export, name="product_export"),
    path("products/<str:key>/rules/", views.rule_create, name="rule_create"),
    path("rules/<id:pk>/action/", views.rule_action, name="rule_action"),
]
