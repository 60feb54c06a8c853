from django.urls import path

from xizang5g.health import views

app_name = "health"

urlpatterns = [
    path("", views.index, name="index"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/step/", views.call_step, name="call_step"),
    path("board/", views.board, name="board"),
]
