"""The portal's paths at the site root: `/` (by who asks), `/sitemap.xml` and `/robots.txt`."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from xizang5g.portal import views
from xizang5g.portal.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home_redirect, name="home"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "portal/sitemap.xml"},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
