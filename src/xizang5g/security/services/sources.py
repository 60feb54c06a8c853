"""Log sources: syslog hosts and HTTP sources with their (SM3-hashed) tokens."""

from __future__ import annotations

import secrets

from django.db.models import Count, Max

from xizang5g.core.audit import acting_as
from xizang5g.core.crypto import sm3_hex
from xizang5g.security.choices import SourceKind
from xizang5g.security.models import InformationSystem, LogSource
from xizang5g.security.services.permissions import require_operator


def log_source_create(
    *,
    code: str,
    name: str,
    kind: str,
    category: str,
    user,
    system: InformationSystem | None = None,
    hosts: list[str] | None = None,
    scan_personal_info: bool = False,
) -> tuple[LogSource, str]:
    """Create a source; for HTTP sources return the raw token (shown once, stored as SM3)."""
    require_operator(user)
    raw = ""
    source = LogSource(
        code=code,
        name=name,
        kind=kind,
        category=category,
        system=system,
        hosts=hosts or [],
        scan_personal_info=scan_personal_info,
    )
    if kind == SourceKind.HTTP:
        raw = "xzsec_" + secrets.token_urlsafe(32)
        source.token_prefix = raw[6:14]
        source.token_hash = sm3_hex(raw)
    source.full_clean()
    with acting_as(user):
        source.save()
    return source, raw


def log_source_for_token(raw: str) -> LogSource | None:
    if not raw or not raw.startswith("xzsec_"):
        return None
    return LogSource.objects.filter(
        token_hash=sm3_hex(raw), is_active=True, kind=SourceKind.HTTP
    ).first()


def syslog_source_map() -> dict[str, LogSource]:
    """Host name / address → syslog source (cached until the sources change)."""
    stamp = repr(
        LogSource.objects.filter(kind=SourceKind.SYSLOG).aggregate(
            n=Count("id"), t=Max("updated_at")
        )
    )
    cache = _SOURCE_CACHE
    if cache.get("stamp") != stamp:
        mapping = {}
        for source in LogSource.objects.filter(kind=SourceKind.SYSLOG, is_active=True):
            for name in source.hosts or []:
                mapping[str(name).lower()] = source
        cache.update(mapping=mapping, stamp=stamp)
    return cache["mapping"]


_SOURCE_CACHE: dict = {}
