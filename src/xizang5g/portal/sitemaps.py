"""The public pages for search engines (django.contrib.sitemaps): the portal's pages, every typical
case and every published news item."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from xizang5g.portal import selectors


class PortalPages(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return [
            "portal:home",
            "portal:cases",
            "portal:progress",
            "portal:coverage",
            "portal:emf",
            "portal:emf_request",
            "portal:news",
        ]

    def location(self, item):
        return reverse(item)


class Cases(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return selectors.public_case_list()

    def location(self, item):
        return reverse("portal:case", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class News(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return selectors.public_news_list()

    def location(self, item):
        return reverse("portal:news_item", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": PortalPages, "cases": Cases, "news": News}
