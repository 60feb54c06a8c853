from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import AccessRule
from xizang5g.core.choices import ImportStatus
from xizang5g.core.models.base import ChangeLoggedModel


def import_storage():
    """Uploads waiting for their job: a storage outside MEDIA_ROOT, served under no URL."""
    return storages["imports"]


class ImportJob(ChangeLoggedModel):
    """One uploaded table imported by a background job (imports of more than
    XZ5G_IMPORT_BACKGROUND_ROWS rows), with its progress and its outcome. All or nothing: a failed
    job wrote nothing and lists the row errors."""

    importer = models.CharField(_("importer"), max_length=200)  # dotted path, set by the code
    title = models.CharField(_("title"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="%Y/%m/", storage=import_storage, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=16, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.FloatField(_("progress (%)"), default=0.0)
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    result_message = models.TextField(_("result"), blank=True)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    back_url = models.CharField(_("back to"), max_length=200, blank=True)
    task_id = models.CharField(_("job id"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    changelog_exclude = ("created_at", "updated_at", "progress", "progress_message")
    # The person who uploaded the file follows the job; the plan office sees every job.
    access = AccessRule(owners=("user",))

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title}: {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("core:import_job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
