"""Uploaded files: stored under names nobody can guess, never at a public URL.

Every FileField uses the default storage, :class:`PrivateStorage`: files live under MEDIA_ROOT,
which no URL serves (nginx must not serve it either; see docs/operations.md). A file reaches a
user only through a view that applies the access rule to the object holding it and answers with
:func:`download`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from urllib.parse import quote

from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


class PrivateStorage(FileSystemStorage):
    """The file store: like the file system storage, but with no URLs."""

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view (core.files).")


@deconstructible
class RandomName:
    """`upload_to` giving `<prefix>/<year>/<random hex><extension>`: the original name is kept in
    a field of its own, never in the path."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePath(filename).suffix.lower()[:10]
        return f"{self.prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.prefix == self.prefix


def download(field_file, filename: str) -> FileResponse:
    """Send a stored file as a download under its original name (never rendered inline)."""
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404(_("The file is no longer stored."))
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename)
    # Content-Disposition from FileResponse already names the file; these keep browsers from
    # sniffing or running it even if it is opened from the download list.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def safe_filename(name: str) -> str:
    """The last path component of an uploaded file's name, for display and downloads."""
    return PurePath(name.replace("\\", "/")).name[:200] or quote("file")


def move_to_random_names(objects, prefix: str) -> int:
    """Data migrations: give files stored under their upload names a random name, keeping the
    original name in `filename`. Returns how many files moved."""
    moved = 0
    namer = RandomName(prefix)
    for obj in objects:
        old = obj.file.name
        if not old:
            continue
        obj.filename = obj.filename or safe_filename(old)
        storage = obj.file.storage
        if storage.exists(old):
            with storage.open(old, "rb") as source:
                obj.file.name = storage.save(namer(obj, old), source)
            storage.delete(old)
            moved += 1
        obj.save(update_fields=["file", "filename"])
    return moved
