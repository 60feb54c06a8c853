from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xizang5g.api import api
from xizang5g.core import registry

handler404 = "xizang5g.core.views.page_not_found"
handler500 = "xizang5g.core.views.server_error"

urlpatterns = [
    # `/` (the plan dashboard for users, the public portal for everyone else), sitemap, robots.txt
    path("", include("xizang5g.portal.root_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's password views with the platform's templates (templates/registration/).
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Endpoints a standard places at a fixed path (PlatformApp.root_urls: FHIR, xAPI, Handle), before
# the pages so that no app's prefix can shadow them.
urlpatterns += [path(f"{prefix}/", include(module)) for prefix, module in registry.root_urls()]

# Each app's pages (PlatformApp.urls), mounted at /<app>/ (core.registry).
urlpatterns += [path(f"{prefix}/", include(module)) for prefix, module in registry.page_urls()]

admin.site.site_header = "西藏5G应用平台 · 后台管理"
admin.site.site_title = "西藏5G应用平台"
