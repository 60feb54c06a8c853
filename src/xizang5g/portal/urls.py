from django.urls import path

from xizang5g.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("progress/", views.plan_progress, name="progress"),
    path("coverage/", views.coverage, name="coverage"),
    path("emf/", views.emf_page, name="emf"),
    path("emf/request/", views.emf_request, name="emf_request"),
    path("news/", views.news, name="news"),
    path("news/<int:pk>/", views.news_detail, name="news_item"),
    path("news/files/<int:pk>/", views.news_attachment, name="news_file"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.news_edit, name="news_new"),
    path("manage/<int:pk>/", views.news_edit, name="news_edit"),
    path("manage/files/<int:pk>/", views.manage_file, name="manage_file"),
    path("manage/<int:pk>/publish/", views.news_publish, name="news_publish"),
]
