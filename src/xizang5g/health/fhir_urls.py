from django.urls import path

from xizang5g.health import fhir_views

app_name = "fhir"

urlpatterns = [
    path("metadata", fhir_views.metadata, name="metadata"),
    path("<str:kind>", fhir_views.search, name="search"),
    path("<str:kind>/<str:rid>", fhir_views.read, name="read"),
]
