from django.urls import path

from xizang5g.health import views

app_name = "health"

urlpatterns = [
    path("", views.index, name="index"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/step/", views.call_step, name="call_step"),
    path("board/", views.board, name="board"),
    path("epidemic/", views.epidemic, name="epidemic"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/step/", views.consultation_step, name="consultation_step"),
]
