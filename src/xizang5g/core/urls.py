from django.urls import path

from xizang5g.core import views

app_name = "core"

urlpatterns = [
    path("history/<int:content_type_id>/<str:object_id>/", views.object_history, name="history"),
]
