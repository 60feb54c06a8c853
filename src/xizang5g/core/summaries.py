"""Computed summaries (goal progress, situation counts) kept between requests.

A dashboard recomputes the same figures for every visitor; here they are computed once per change
of the platform's data and shared by every worker through the cache. The version is the newest
change-log entry: every write of people and services is change-logged, so any such write makes the
next request compute afresh, in every worker. Data the machines record (telemetry, events), which is
not change-logged, reaches a summary within `ttl` seconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from xizang5g.core import access
from xizang5g.core.models import ChangeLog

T = TypeVar("T")
DEFAULT_TTL = 60  # seconds: how late machine-recorded data may show on a summary
SECTION_TTL = 30  # seconds: the same for a rendered dashboard section (live situation figures)


def data_version() -> int:
    return ChangeLog.objects.aggregate(newest=Max("id"))["newest"] or 0


def digest(values) -> str:
    """A short stable name for a set of ids (the objects a user may see)."""
    joined = ",".join(map(str, sorted(values)))
    return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


def cached(name: str, parts: tuple[Hashable, ...], compute: Callable[[], T], ttl=DEFAULT_TTL) -> T:
    """`compute()`, or its value from the cache while the data and the reader's language are the
    same. `parts` name what else the value depends on (plan, date, the user's scope …)."""
    key = "summary:" + digest([repr((name, parts, get_language(), data_version()))])
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, ttl)
    return found


def section(
    request,
    template: str,
    build: Callable[[], dict],
    *,
    vary: tuple[Hashable, ...] = (),
    ttl: int = SECTION_TTL,
) -> SafeString:
    """A dashboard's body, `template` rendered with `build()`, shared by every user with the same
    access scope (role and unit) and language while the data are the same.

    Under load, every official of a role opens the same dashboard: the page's own chrome (menu,
    user, alert badge, CSRF token) is still rendered per request, but the body's queries, charts
    and tables once per scope and change. The body must therefore read only through the access
    rule (what a user owns is not part of the scope) and hold no form that posts: a CSRF token
    rendered for one user would fail for the next, so a body holding one is refused.
    `vary` names the request's own parameters (period, page, filters) the body depends on.
    """

    def render() -> str:
        html = render_to_string(template, build(), request=request)
        if "csrfmiddlewaretoken" in html:
            raise ImproperlyConfigured(f"{template} holds a form with a CSRF token: not shareable")
        return html

    return mark_safe(cached(template, (vary, access.scope_key(request.user)), render, ttl))
