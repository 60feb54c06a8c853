from django.urls import path

from xizang5g.health import views

app_name = "health"

urlpatterns = [
    path("", views.index, name="index"),
]
