"""Keep a form's chosen file across a validation error.

A browser cannot refill a file input, so when a form with a file comes back with errors in
other fields, the view stashes the upload privately and the form carries a signed token instead;
the next submission without a new file takes the stashed one. Tokens are bound to the user and
expire after an hour; stale files are removed on the next stash.
"""

from __future__ import annotations

import time
import uuid

from django.core import signing
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

SALT = "xizang5g.core.uploads"
MAX_AGE_S = 3600
PREFIX = "stash"


def stash(upload, *, user) -> str:
    """Store `upload` privately; returns the token a hidden field carries."""
    storage = storages["imports"]
    _sweep(storage)
    name = storage.save(f"{PREFIX}/{uuid.uuid4().hex}.bin", upload)
    payload = {
        "path": name,
        "user": user.pk,
        "name": upload.name,
        "type": getattr(upload, "content_type", "") or "application/octet-stream",
    }
    return signing.dumps(payload, salt=SALT)


def unstash(token: str, *, user) -> SimpleUploadedFile | None:
    """The stashed upload for this user's token, or None (missing, expired, another user's)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_S)
    except signing.BadSignature:
        return None
    storage = storages["imports"]
    path = payload.get("path", "")
    if (
        payload.get("user") != user.pk
        or not path.startswith(f"{PREFIX}/")
        or not storage.exists(path)
    ):
        return None
    with storage.open(path, "rb") as stored:
        content = stored.read()
    storage.delete(path)
    return SimpleUploadedFile(payload["name"], content, content_type=payload["type"])


def name_of(token: str) -> str:
    """The original file name a token stands for ("" when it is not valid)."""
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE_S).get("name", "")
    except signing.BadSignature:
        return ""


def _sweep(storage) -> None:
    try:
        _dirs, files = storage.listdir(PREFIX)
    except FileNotFoundError:
        return
    cutoff = time.time() - MAX_AGE_S
    for name in files:
        path = f"{PREFIX}/{name}"
        try:
            if storage.get_modified_time(path).timestamp() < cutoff:
                storage.delete(path)
        except FileNotFoundError:
            continue
