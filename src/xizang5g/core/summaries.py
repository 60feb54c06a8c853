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
from django.db.models import Max
from django.utils.translation import get_language

from xizang5g.core.models import ChangeLog

T = TypeVar("T")
DEFAULT_TTL = 60  # seconds: how late machine-recorded data may show on a summary


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
