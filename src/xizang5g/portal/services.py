"""Writes of the portal: news items and their attachments (the plan office), measurement requests
(anyone sends one; the radio regulator assigns, answers and closes it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.files import safe_filename
from xizang5g.core.models import AdminDivision
from xizang5g.core.sequences import sequence_next
from xizang5g.core.services import apply_changes, save_validated
from xizang5g.portal.choices import NewsStatus, RequestStatus
from xizang5g.portal.constants import (
    ATTACHMENT_MAGIC,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    REQUEST_SEQUENCE,
    REQUESTS_PER_HOUR,
)
from xizang5g.portal.models import MeasurementRequest, NewsAttachment, NewsItem

NEWS_FIELDS = ("kind", "title", "summary", "body")


# --- news --------------------------------------------------------------------------------------
def news_create(*, user, kind: str, title: str, summary: str = "", body: str) -> NewsItem:
    access.require_create(user, NewsItem)
    item = NewsItem(kind=kind, title=title, summary=summary, body=body)
    return save_validated(item, user=user)


def news_update(*, item: NewsItem, user, **changes) -> NewsItem:
    access.require(user, access.CHANGE, item)
    apply_changes(item, changes, NEWS_FIELDS)
    return save_validated(item, user=user)


def news_publish(*, item: NewsItem, user, at=None) -> NewsItem:
    access.require(user, access.CHANGE, item)
    item.status = NewsStatus.PUBLISHED
    item.published_at = at or item.published_at or timezone.now()
    return save_validated(item, user=user)


def news_unpublish(*, item: NewsItem, user) -> NewsItem:
    access.require(user, access.CHANGE, item)
    item.status = NewsStatus.DRAFT
    return save_validated(item, user=user)


def news_attachment_add(*, item: NewsItem, user, upload) -> NewsAttachment:
    """Attach a file: its extension must be one of ATTACHMENT_TYPES and its first bytes must be
    of that type (the browser's content type is not trusted), at most ATTACHMENT_MAX_BYTES."""
    access.require(user, access.CHANGE, item)
    name = safe_filename(upload.name)
    suffix = Path(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _("File type not allowed: %(name)s. Allowed: %(ext)s")
                % {"name": name, "ext": ", ".join(sorted(ATTACHMENT_TYPES))}
            }
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": ATTACHMENT_MAX_BYTES >> 20}}
        )
    upload.seek(0)
    head = upload.read(16)
    if not head.startswith(ATTACHMENT_MAGIC[suffix]):
        raise ValidationError(
            {"file": _("The file %(name)s is not a %(ext)s file.") % {"name": name, "ext": suffix}}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = NewsAttachment(
        item=item,
        filename=name,
        content_type=ATTACHMENT_TYPES[suffix],
        size_bytes=upload.size,
        sha256=digest.hexdigest(),
    )
    attachment.file.save(name, upload, save=False)
    with acting_as(user):
        attachment.save()
    return attachment


# --- measurement requests ----------------------------------------------------------------------
class RateLimited(Exception):
    """Too many requests from one address in the hour."""


def request_rate_check(*, ip: str, limit: int = REQUESTS_PER_HOUR) -> None:
    """Count one request from `ip` in the current hour; RateLimited past `limit`."""
    key = f"portal:emf-request:{ip or 'unknown'}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise RateLimited


def request_submit(
    *,
    name: str,
    contact: str,
    county: str,
    location: str,
    concern: str,
    ip: str = "",
    user=None,
) -> MeasurementRequest:
    """A measurement request from the public: validated, numbered XZ-EMF-<year>-<n>; the
    regulator's queue shows it. `county` is the county's adcode. Rate-limited per address."""
    errors = {}
    name, contact = (name or "").strip(), (contact or "").strip()
    if not name:
        errors["name"] = _("Please give your name.")
    elif len(name) > 100:
        errors["name"] = _("The name is longer than 100 characters.")
    if not _contact_ok(contact):
        errors["contact"] = _("Please give a mobile phone number (11 digits) or an email address.")
    division = (
        AdminDivision.objects.filter(adcode=int(county), level=DivisionLevel.COUNTY).first()
        if str(county or "").strip().isdigit()
        else None
    )
    if division is None:
        errors["county"] = _("Please choose the county.")
    if not (location or "").strip():
        errors["location"] = _("Please say where the measurement should be taken.")
    if not (concern or "").strip():
        errors["concern"] = _("Please describe your concern.")
    elif len(concern) > 2000:
        errors["concern"] = _("The description is longer than 2000 characters.")
    if errors:
        raise ValidationError(errors)
    request_rate_check(ip=ip)
    year = timezone.localdate().year
    mr = MeasurementRequest(
        reference=f"XZ-EMF-{year}-{sequence_next(REQUEST_SEQUENCE, year=year):04d}",
        name=name,
        contact=contact,
        county=division,
        location=location.strip(),
        concern=concern.strip(),
    )
    return save_validated(mr, user=user)


def _contact_ok(contact: str) -> bool:
    digits = contact.replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if digits.isdigit() and len(digits) == 11 and digits.startswith("1"):
        return True
    if digits.isdigit() and 7 <= len(digits) <= 12 and digits.startswith("0"):
        return True  # a landline with its area code (0891 …)
    local, at, domain = contact.partition("@")
    return bool(at and local and "." in domain and " " not in contact and len(contact) <= 200)


def request_assign(*, mr: MeasurementRequest, user, assignee) -> MeasurementRequest:
    access.require(user, access.CHANGE, mr)
    if assignee is not None and not access.can(assignee, access.CHANGE, mr):
        raise ValidationError({"assignee": _("This person may not handle measurement requests.")})
    if mr.status == RequestStatus.CLOSED:
        raise ValidationError({"status": _("The request is closed.")})
    mr.assignee = assignee
    if mr.status == RequestStatus.NEW:
        mr.status = RequestStatus.ASSIGNED
    return save_validated(mr, user=user)


def request_answer(*, mr: MeasurementRequest, user, answer: str) -> MeasurementRequest:
    access.require(user, access.CHANGE, mr)
    if mr.status == RequestStatus.CLOSED:
        raise ValidationError({"status": _("The request is closed.")})
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Please write the answer.")})
    mr.answer = answer.strip()
    mr.answered_at = timezone.now()
    mr.status = RequestStatus.ANSWERED
    if mr.assignee_id is None:
        mr.assignee = user
    return save_validated(mr, user=user)


def request_close(*, mr: MeasurementRequest, user) -> MeasurementRequest:
    access.require(user, access.CHANGE, mr)
    if mr.status == RequestStatus.CLOSED:
        raise ValidationError({"status": _("The request is closed.")})
    mr.status = RequestStatus.CLOSED
    mr.closed_at = timezone.now()
    return save_validated(mr, user=user)


def ensure_may_handle(user) -> None:
    if not access.role_may(user, access.CHANGE, MeasurementRequest):
        raise PermissionDenied
