"""Background imports: an upload of more than XZ5G_IMPORT_BACKGROUND_ROWS rows is stored in the
private `imports` storage and imported by a job (`core.tasks.import_run`) while the page shows a
progress bar; smaller imports stay in the request.

An app offers an importer as a function ``(*, user, content, filename, progress) -> str`` that
returns the success message, or raises ImportRejected with the row errors (all or nothing: it
wrote nothing). ``progress(done, total)`` reports rows checked; ``progress(total, total,
writing=True)`` says the rows are being written.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from xizang5g.core import limits
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import ImportStatus
from xizang5g.core.models import ImportJob

logger = logging.getLogger(__name__)

# Share of the bar for checking the rows; the rest is writing them (one transaction).
CHECK_SHARE = 90.0
PROGRESS_EVERY_SECONDS = 0.5

Progress = Callable[..., None]

# The job is named rather than imported: core.tasks imports this module for the job body.
IMPORT_JOB = "xizang5g.core.tasks.import_run"


class ImportRejected(Exception):
    """An import that wrote nothing: a message, and the row errors as dicts with row, column,
    message (and value when the importer has it)."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


def runs_in_background(row_count: int) -> bool:
    return row_count > limits.limit("XZ5G_IMPORT_BACKGROUND_ROWS")


def import_job_create(
    *,
    user,
    importer: str,
    title: str,
    content: bytes,
    filename: str,
    rows: int,
    back_url: str = "",
) -> ImportJob:
    """Store the upload privately and enqueue its import; returns the job to follow."""
    job = ImportJob(
        importer=importer,
        title=title[:200],
        user=user,
        filename=PurePath(filename).name[:255],
        language=translation.get_language() or "",
        rows=rows,
        back_url=back_url[:200],
        progress_message=_("Waiting for a worker…"),
    )
    suffix = PurePath(job.filename).suffix.lower()[:8]
    with acting_as(user):
        job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
        job.save()
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    result = import_string(IMPORT_JOB).enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


class _Reporter:
    """progress(done, total[, writing]) → the job's bar, written at most twice a second."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int, *, writing: bool = False) -> None:
        now = time.monotonic()
        if not writing and now - self.last < PROGRESS_EVERY_SECONDS and done < total:
            return
        self.last = now
        if writing:
            percent = CHECK_SHARE
            message = _("Writing %(n)s rows…") % {"n": f"{total:,}"}
        else:
            percent = CHECK_SHARE * done / max(total, 1)
            message = _("Checked %(done)s of %(total)s rows") % {
                "done": f"{done:,}",
                "total": f"{total:,}",
            }
        ImportJob.objects.filter(pk=self.job_id).update(
            progress=round(percent, 1), progress_message=message[:200]
        )


def _claim(job_id: int) -> ImportJob | None:
    """Mark a queued job running; None when another run has it already (at-least-once queue)."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING,
            started_at=timezone.now(),
            progress_message=_("Reading the file…"),
        )
    if not claimed:
        return None
    return ImportJob.objects.select_related("user").get(pk=job_id)


def import_job_execute(*, job_id: int) -> ImportJob:
    """Run a queued import job (called by the background job)."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    language = job.language or None
    with translation.override(language), acting_as(job.user):
        try:
            with job.file.open("rb") as stored:
                content = stored.read()
            message = import_string(job.importer)(
                user=job.user,
                content=content,
                filename=job.filename,
                progress=_Reporter(job.pk),
            )
        except ImportRejected as exc:
            _finish(job, ImportStatus.FAILED, exc.message, exc.errors)
        except (limits.InputRejected, ValidationError, PermissionDenied) as exc:
            _finish(job, ImportStatus.FAILED, _reason(exc))
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _finish(
                job,
                ImportStatus.FAILED,
                _("The import stopped on an unexpected error; nothing was written."),
            )
            raise
        else:
            _finish(job, ImportStatus.SUCCEEDED, message)
    return job


def _reason(exc: Exception) -> str:
    if isinstance(exc, limits.InputRejected):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not import this file.")


def _finish(job: ImportJob, status: str, message: str, errors: list[dict] | None = None) -> None:
    job.status = status
    job.result_message = message
    job.errors = errors or []
    job.progress = 100.0
    job.progress_message = ""
    job.finished_at = timezone.now()
    if job.file:
        job.file.delete(save=False)  # the upload is not kept once imported or refused
    job.save()
