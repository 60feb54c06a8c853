from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import PLAN_OFFICE, AccessRule


class PeriodicRun(models.Model):
    """When a periodic job was last put on the queue. One row per job; the scheduler locks the
    row, so several scheduler processes on several machines never enqueue a job twice."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    access = AccessRule(read=PLAN_OFFICE)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
