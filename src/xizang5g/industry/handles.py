"""The identifier-resolution node: Handle records with the semantics of the Handle.net REST API
(Handle Technical Manual v9, chapter 14 "Handle HTTP JSON REST API") that clients such as pyhandle
rely on. Records are stored as a list of values ``{index, type, data: {format, value}, ttl,
timestamp}``; writes are authorised by an enterprise's `HandleUser` for its prefix.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.counters import FailureLimit
from xizang5g.core.models import Unit
from xizang5g.industry.choices import IdentifierKind
from xizang5g.industry.models import HandleUser, Identifier, ResolutionCount

# Handle.net response codes (Technical Manual, table of REST API response codes).
OK = 1
ERROR = 2
NOT_FOUND = 100
ALREADY_EXISTS = 101
INVALID_HANDLE = 102
VALUES_NOT_FOUND = 200
AUTH_NEEDED = 402
AUTH_FAILED = 400  # "other authentication errors" / not authorised

DEFAULT_TTL = 86400
ADMIN_PERMISSIONS = "011111110011"
# National system prefixes: 88.<node>.<enterprise> (the 88 top-level of 工业互联网标识解析).
PREFIX_RE = re.compile(r"^88(\.[0-9]{1,6}){1,3}$")
SUFFIX_RE = re.compile(r"^[A-Za-z0-9._\-/:~]{1,200}$")
MAX_VALUES = 100
MAX_VALUE_CHARS = 16_000

auth_failures = FailureLimit("handle_auth", limit=10, window_seconds=600)


class HandleError(Exception):
    """A refusal with its HTTP status and Handle.net response code."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_prefix(prefix: str) -> None:
    if not PREFIX_RE.match(prefix or ""):
        raise ValidationError(
            {
                "prefix": _("“%(prefix)s” is not a prefix of the form 88.<node>.<enterprise>.")
                % {"prefix": prefix}
            }
        )


def split_handle(handle: str) -> tuple[str, str]:
    prefix, _sep, suffix = handle.partition("/")
    if not PREFIX_RE.match(prefix) or not SUFFIX_RE.match(suffix):
        raise HandleError(
            400, INVALID_HANDLE, f"Invalid handle {handle!r}: expected 88.x.y/suffix."
        )
    return prefix, suffix


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_value(raw, *, stamp: str) -> dict:
    """One value as stored: a plain string ``data`` becomes ``{format: "string", value}``."""
    if not isinstance(raw, dict):
        raise HandleError(400, ERROR, "Each value must be an object with index, type and data.")
    index, kind, data = raw.get("index"), raw.get("type"), raw.get("data")
    if isinstance(index, str) and index.isdigit():
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= 2**31 - 1:
        raise HandleError(
            400, ERROR, f"Value index {raw.get('index')!r} is not a positive integer."
        )
    if not isinstance(kind, str) or not kind or len(kind) > 100:
        raise HandleError(400, ERROR, f"Value {index}: type must be a non-empty string.")
    if isinstance(data, str):
        data = {"format": "string", "value": data}
    elif isinstance(data, dict) and isinstance(data.get("format"), str) and "value" in data:
        data = {"format": data["format"], "value": data["value"]}
    else:
        raise HandleError(400, ERROR, f"Value {index}: data must be a string or {{format, value}}.")
    if len(str(data["value"])) > MAX_VALUE_CHARS:
        raise HandleError(400, ERROR, f"Value {index}: data is longer than {MAX_VALUE_CHARS}.")
    ttl = raw.get("ttl", DEFAULT_TTL)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
        raise HandleError(400, ERROR, f"Value {index}: ttl must be a non-negative integer.")
    return {"index": index, "type": kind, "data": data, "ttl": ttl, "timestamp": stamp}


def normalise_values(raw_values, *, stamp: str) -> list[dict]:
    if not isinstance(raw_values, list) or not raw_values:
        raise HandleError(400, ERROR, "The body must hold a non-empty list 'values'.")
    if len(raw_values) > MAX_VALUES:
        raise HandleError(400, ERROR, f"At most {MAX_VALUES} values per handle.")
    values = [normalise_value(v, stamp=stamp) for v in raw_values]
    indexes = [v["index"] for v in values]
    if len(set(indexes)) != len(indexes):
        raise HandleError(400, ERROR, "Two values share one index.")
    return sorted(values, key=lambda v: v["index"])


# ------------------------------------------------------------------------------ credentials
@dataclass(frozen=True)
class Writer:
    user: HandleUser

    @property
    def prefix(self) -> str:
        return self.user.prefix


@lru_cache(maxsize=1024)
def _password_ok(encoded: str, digest: str, password: str) -> bool:
    # Keyed by the stored hash and a digest of the password: a successful check is not repeated
    # for every request of a client (PBKDF2 costs ~0.3 s by design).
    return check_password(password, encoded)


def authenticate(username: str, password: str) -> Writer:
    """The writer for a Handle.net-style user name ``index:prefix/name``, already URL-decoded."""
    if auth_failures.blocked(username):
        raise HandleError(401, AUTH_NEEDED, "Too many failed attempts; try again later.")
    index, _sep, handle = username.partition(":")
    prefix, _sep, name = handle.partition("/")
    user = None
    if index.isdigit() and prefix and name:
        user = HandleUser.objects.filter(index=int(index), prefix=prefix, name=name).first()
    digest = hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()
    if user is None or not _password_ok(user.password, digest, password):
        auth_failures.failed(username)
        raise HandleError(401, AUTH_NEEDED, "Authentication failed.")
    return Writer(user)


def _may_write(writer: Writer, prefix: str, suffix: str) -> None:
    if prefix != writer.prefix:
        raise HandleError(403, AUTH_FAILED, f"{writer.user} may not write under prefix {prefix}.")
    if HandleUser.objects.filter(prefix=prefix, name=suffix).exists():
        raise HandleError(403, AUTH_FAILED, "An admin handle is managed by the platform only.")


def admin_values(prefix: str, name: str, index: int) -> list[dict]:
    stamp = now_iso()
    return [
        {
            "index": 100,
            "type": "HS_ADMIN",
            "data": {
                "format": "admin",
                "value": {
                    "handle": f"0.NA/{prefix}",
                    "index": 200,
                    "permissions": ADMIN_PERMISSIONS,
                },
            },
            "ttl": DEFAULT_TTL,
            "timestamp": stamp,
        },
        {
            # The secret itself never leaves the platform: the value says where it is kept.
            "index": index,
            "type": "HS_SECKEY",
            "data": {"format": "string", "value": "(kept by the node, never shown)"},
            "ttl": DEFAULT_TTL,
            "timestamp": stamp,
        },
    ]


def handle_user_create(
    *, unit: Unit, prefix: str, name: str, password: str, user=None
) -> HandleUser:
    """Create (or reset the password of) an enterprise's write credential and its admin handle."""
    check_prefix(prefix)
    if not re.match(r"^[A-Za-z0-9_.-]{1,64}$", name or ""):
        raise ValidationError({"name": _("The name takes letters, digits, '.', '_' and '-'.")})
    if len(password or "") < 12:
        raise ValidationError({"password": _("The password needs at least 12 characters.")})
    if user is not None:
        access.require_create(user, HandleUser, unit=unit)
    taken = Identifier.objects.filter(prefix=prefix).exclude(unit=unit).exists() or (
        HandleUser.objects.filter(prefix=prefix).exclude(unit=unit).exists()
    )
    if taken:
        raise ValidationError(
            {"prefix": _("Prefix %(prefix)s belongs to another enterprise.") % {"prefix": prefix}}
        )
    with transaction.atomic(), acting_as(user):
        found = HandleUser.objects.filter(prefix=prefix, name=name).first()
        credential = found or HandleUser(unit=unit, prefix=prefix, name=name)
        credential.password = make_password(password)
        credential.full_clean()
        credential.save()
        handle = f"{prefix}/{name}"
        record = Identifier.objects.filter(handle=handle).first() or Identifier(
            unit=unit, handle=handle, prefix=prefix
        )
        record.values = admin_values(prefix, name, credential.index)
        record.full_clean()
        record.save()
    return credential


# ------------------------------------------------------------------------------ the record
def resolve(handle: str, *, indexes: list[int] | None = None, types: list[str] | None = None):
    """The record of `handle` as the REST API answers it: (status, body)."""
    try:
        prefix, _suffix = split_handle(handle)
    except HandleError as exc:
        return exc.status, {"responseCode": exc.code, "handle": handle, "message": exc.message}
    values = Identifier.objects.filter(handle=handle).values_list("values", flat=True).first()
    count_resolution(prefix, hit=values is not None)
    if values is None:
        return 404, {"responseCode": NOT_FOUND, "handle": handle}
    if indexes:
        values = [v for v in values if v["index"] in indexes]
    if types:
        values = [v for v in values if v["type"] in types]
    if (indexes or types) and not values:
        return 200, {"responseCode": VALUES_NOT_FOUND, "handle": handle, "values": []}
    return 200, {"responseCode": OK, "handle": handle, "values": values}


def _kind_of(values: list[dict], current: str) -> str:
    for value in values:
        if value["type"] == "KIND" and value["data"]["value"] in IdentifierKind.values:
            return value["data"]["value"]
    return current


def handle_put(
    *, writer: Writer, handle: str, body, indexes: list[int] | None, overwrite: bool | None
) -> tuple[int, dict]:
    """PUT: create or replace the record; with ``index`` parameters change only those values."""
    prefix, suffix = split_handle(handle)
    _may_write(writer, prefix, suffix)
    raw = body.get("values") if isinstance(body, dict) else None
    stamp = now_iso()
    values = normalise_values(raw, stamp=stamp)
    with transaction.atomic(), acting_as(None):
        record = Identifier.objects.select_for_update().filter(handle=handle).first()
        if indexes:
            if record is None:
                raise HandleError(404, NOT_FOUND, f"Handle {handle} does not exist.")
            kept = {v["index"]: v for v in record.values}
            if overwrite is False and any(v["index"] in kept for v in values):
                raise HandleError(409, ALREADY_EXISTS, "A value exists at one of these indexes.")
            for value in values:
                kept[value["index"]] = value
            record.values = sorted(kept.values(), key=lambda v: v["index"])
            record.kind = _kind_of(record.values, record.kind)
            record.full_clean()
            record.save()
            return 200, {"responseCode": OK, "handle": handle}
        if record is not None and overwrite is False:
            raise HandleError(409, ALREADY_EXISTS, f"Handle {handle} already exists.")
        created = record is None
        if created:
            record = Identifier(unit=writer.user.unit, handle=handle, prefix=prefix)
        record.values = values
        record.kind = _kind_of(values, record.kind)
        record.full_clean()
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError as exc:  # a concurrent create of the same handle
            raise HandleError(409, ALREADY_EXISTS, f"Handle {handle} already exists.") from exc
    return (201 if created else 200), {"responseCode": OK, "handle": handle}


def handle_delete(*, writer: Writer, handle: str, indexes: list[int] | None) -> tuple[int, dict]:
    prefix, suffix = split_handle(handle)
    _may_write(writer, prefix, suffix)
    with transaction.atomic(), acting_as(None):
        record = Identifier.objects.select_for_update().filter(handle=handle).first()
        if record is None:
            return 404, {"responseCode": NOT_FOUND, "handle": handle}
        if indexes:
            remaining = [v for v in record.values if v["index"] not in indexes]
            if len(remaining) == len(record.values):
                return 400, {"responseCode": VALUES_NOT_FOUND, "handle": handle}
            record.values = remaining
            record.save()
        else:
            record.delete()
    return 200, {"responseCode": OK, "handle": handle}


def identifiers_register(*, unit: Unit, prefix: str, rows: list[dict], user) -> int:
    """Batch registration (from an Excel sheet): rows of suffix, kind, url, parent, metadata."""
    check_prefix(prefix)
    if user is not None:  # None: the system (demo)
        access.require_create(user, Identifier, unit=unit)
    if HandleUser.objects.filter(prefix=prefix).exclude(unit=unit).exists():
        raise ValidationError({"prefix": f"Prefix {prefix} belongs to another enterprise."})
    stamp = now_iso()
    made = 0
    with transaction.atomic(), acting_as(user):
        for number, row in enumerate(rows, start=2):
            suffix = str(row.get("suffix") or "").strip()
            if not SUFFIX_RE.match(suffix):
                raise ValidationError({"suffix": f"Row {number}: invalid suffix {suffix!r}."})
            kind = str(row.get("kind") or IdentifierKind.OTHER)
            if kind not in IdentifierKind.values:
                raise ValidationError({"kind": f"Row {number}: unknown kind {kind!r}."})
            raw = [{"index": 1, "type": "URL", "data": str(row.get("url") or "")}]
            raw.append({"index": 2, "type": "KIND", "data": kind})
            if row.get("parent"):
                raw.append({"index": 3, "type": "PARENT_LOT", "data": str(row["parent"])})
            if row.get("metadata"):
                raw.append(
                    {
                        "index": 4,
                        "type": "METADATA",
                        "data": {"format": "json", "value": row["metadata"]},
                    }
                )
            try:
                values = normalise_values(raw, stamp=stamp)
            except HandleError as exc:
                raise ValidationError({"values": f"Row {number}: {exc.message}"}) from exc
            handle = f"{prefix}/{suffix}"
            record = Identifier.objects.filter(handle=handle).first() or Identifier(
                unit=unit, handle=handle, prefix=prefix
            )
            if record.unit_id != unit.pk:
                raise ValidationError({"suffix": f"Row {number}: {handle} is another's."})
            record.values, record.kind = values, kind
            record.full_clean()
            record.save()
            made += 1
    return made


# ------------------------------------------------------------------------------ statistics
_pending: dict[tuple[str, bool], int] = {}
_lock = threading.Lock()
_last_flush = [time.monotonic()]
FLUSH_SECONDS = 5.0


def count_resolution(prefix: str, *, hit: bool) -> None:
    """Count a resolution in memory; the counts reach the database every few seconds."""
    with _lock:
        _pending[(prefix, hit)] = _pending.get((prefix, hit), 0) + 1
        due = time.monotonic() - _last_flush[0] >= FLUSH_SECONDS
    if due:
        flush_resolutions()


def flush_resolutions() -> None:
    with _lock:
        pending = dict(_pending)
        _pending.clear()
        _last_flush[0] = time.monotonic()
    day = timezone.localdate()
    for (prefix, hit), count in pending.items():
        field = "hits" if hit else "misses"
        with transaction.atomic():
            row, _created = ResolutionCount.objects.get_or_create(prefix=prefix, day=day)
            ResolutionCount.objects.filter(pk=row.pk).update(**{field: F(field) + count})
