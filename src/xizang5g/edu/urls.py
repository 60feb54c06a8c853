from django.urls import path

from xizang5g.edu import views

app_name = "edu"

urlpatterns = [
    path("", views.index, name="index"),
]
