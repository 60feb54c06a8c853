import importlib
import importlib.util

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from xizang5g.api import api

APP_URLS = ["core", "plan", "network", "iot", "security"]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="plan:dashboard", permanent=False), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

for _app in APP_URLS:
    if importlib.util.find_spec(f"xizang5g.{_app}.urls") is not None:
        urlpatterns.append(path(f"{_app}/", include(f"xizang5g.{_app}.urls")))

admin.site.site_header = "西藏5G应用平台 · 后台管理"
admin.site.site_title = "西藏5G应用平台"
