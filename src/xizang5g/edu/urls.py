from django.urls import path

from xizang5g.edu import views

app_name = "edu"

urlpatterns = [
    path("", views.index, name="index"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("schools/<int:pk>/export.xlsx", views.school_export, name="school_export"),
]
