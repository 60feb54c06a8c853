from django.urls import path

from tests.testapp import views

app_name = "testapp"

urlpatterns = [path("", views.index, name="index")]
