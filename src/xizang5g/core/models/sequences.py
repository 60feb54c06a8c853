from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    """A counter that numbers things per year (case XZ-GR-2026-0001, incident INC-2026-0001, …).

    One row per (name, year); `xizang5g.core.sequences.sequence_next` increments it in place, so
    concurrent creators never get the same number. Not change-logged: a counter has no history
    of its own worth keeping — every number it hands out is recorded in the change log with the
    object that carries it.
    """

    name = models.CharField(_("name"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="core_sequence_name_year")
        ]
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.value}"
