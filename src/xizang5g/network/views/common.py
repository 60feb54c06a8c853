"""Helpers the 5G supervision pages share: downloads, error messages, the page context,
list filters and table uploads (in the request or as a background import)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from xizang5g.core import access, imports, limits
from xizang5g.network import imports as network_imports
from xizang5g.network import selectors, services
from xizang5g.network.models import InterferenceStudy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download_bytes(content: bytes, filename: str, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages[:50]:
        messages.error(request, message)


def base_context(request) -> dict:
    return {
        "counts": selectors.registry_counts(user=request.user),
        "is_regulator": services.is_regulator(request.user),
        "can_see_studies": access.role_may(request.user, access.VIEW, InterferenceStudy),
    }


def query_filters(request, keys) -> dict:
    return {k: request.GET.get(k, "").strip() for k in keys if request.GET.get(k, "").strip()}


@dataclass
class Imported:
    """What an upload came to: a redirect (done, or a background job to follow), or the page
    again with the row errors and a 4xx status."""

    response: HttpResponse | None = None
    row_errors: list = field(default_factory=list)
    status: int = 200


def import_upload(request, form, *, importer: str, title: str, done_url: str) -> Imported:
    """Import the uploaded table all or nothing: in the request, or as a background job with a
    progress bar when it has more than XZ5G_IMPORT_BACKGROUND_ROWS rows."""
    if request.method != "POST":
        return Imported()
    if not form.is_valid():
        return Imported(status=422)
    upload = form.cleaned_data["file"]
    try:
        content = limits.read_upload(upload)
        rows = limits.table_row_count(content, upload.name)
        if imports.runs_in_background(rows):
            job = imports.import_job_create(
                user=request.user,
                importer=f"xizang5g.network.imports.{importer}",
                title=title,
                content=content,
                filename=upload.name,
                rows=rows,
                back_url=request.get_full_path(),
            )
            return Imported(response=redirect(job))
        message = getattr(network_imports, importer)(
            user=request.user, content=content, filename=upload.name
        )
    except imports.ImportRejected as exc:
        messages.error(request, exc.message)
        return Imported(row_errors=exc.errors, status=422)
    except limits.InputRejected as exc:
        messages.error(request, exc.message)
        return Imported(status=exc.status)
    except ValidationError as exc:
        show_errors(request, exc)
        return Imported(status=422)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not import this file."))
        return Imported(status=403)
    messages.success(request, message)
    return Imported(response=redirect(done_url))
